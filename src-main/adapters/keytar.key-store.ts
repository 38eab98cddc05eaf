import { createRequire } from 'node:module'
import type { KeyStore } from '../core/ports'

/** The part of keytar Keyhold uses. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword(service: string, account: string): Promise<boolean>
}

/** The keychain service every Keyhold entry is filed under (one account per vault id). */
export const KEYCHAIN_SERVICE = 'Keyhold'

/**
 * keytar is loaded on first use, not at startup: a missing or broken native module (or no
 * D-Bus session on Linux) rejects that call, which the core reports as KEYCHAIN_UNAVAILABLE,
 * and Keyhold still opens with the master password.
 */
async function loadKeytar(): Promise<KeytarApi> {
  // Required rather than imported: keytar is CommonJS with a native addon, and require also resolves it inside app.asar.
  return createRequire(__filename)('keytar') as KeytarApi
}

/**
 * The OS keychain (Secret Service, macOS Keychain, Windows Credential Manager) through keytar.
 * A missing entry is `null`; any failure rejects.
 * SECURITY: values are never logged, and nothing here writes them anywhere but the keychain.
 */
export class KeytarKeyStore implements KeyStore {
  private keytar: Promise<KeytarApi> | undefined

  constructor(
    private readonly service: string = KEYCHAIN_SERVICE,
    private readonly load: () => Promise<KeytarApi> = loadKeytar,
  ) {}

  async get(account: string): Promise<string | null> {
    return (await this.api()).getPassword(this.service, account)
  }

  async set(account: string, secret: string): Promise<void> {
    await (await this.api()).setPassword(this.service, account, secret)
  }

  async delete(account: string): Promise<boolean> {
    return (await this.api()).deletePassword(this.service, account)
  }

  private api(): Promise<KeytarApi> {
    const loading = (this.keytar ??= this.load())
    loading.catch(() => {
      if (this.keytar === loading) this.keytar = undefined
    })
    return loading
  }
}
