import type { PairedIdentity } from '../../src-shared/local-access/client'
import { fromBase64Url } from '../../src-shared/local-access/frames'
import { pairingViewSchema } from '../../src-shared/local-access/messages'

/**
 * The one pairing this extension keeps, in `chrome.storage.local` under one key.
 * SECURITY: the pairing's private key is the only secret the extension ever stores; no
 * client secret, Client ID or search is written anywhere. The key is per pairing and
 * useless once the pairing ends (Keyhold refuses it), and it is erased on sign out and when
 * Keyhold says the pairing ended. See the README for what the browser's storage protects.
 */

export interface StorageArea {
  get(keys: string): Promise<Record<string, unknown>>
  set(items: Record<string, unknown>): Promise<void>
  remove(keys: string): Promise<void>
}

const KEY = 'pairing'
const VAULT_ID = /^[A-Za-z0-9_-]{1,64}$/

export class IdentityStore {
  constructor(private readonly area: StorageArea) {}

  /** The stored pairing; null when there is none, or when what is stored is not one (it is then removed). */
  async load(): Promise<PairedIdentity | null> {
    const stored = (await this.area.get(KEY))[KEY]
    if (stored === undefined) return null
    const identity = readIdentity(stored)
    if (!identity) await this.clear()
    return identity
  }

  save(identity: PairedIdentity): Promise<void> {
    return this.area.set({ [KEY]: identity })
  }

  clear(): Promise<void> {
    return this.area.remove(KEY)
  }
}

/** A stored value checked field by field, so a damaged entry reads as "not paired" rather than failing later. */
export function readIdentity(value: unknown): PairedIdentity | null {
  if (typeof value !== 'object' || value === null) return null
  const { vaultId, desktopKey, privateKey, pairing } = value as Record<string, unknown>
  if (typeof vaultId !== 'string' || !VAULT_ID.test(vaultId)) return null
  if (typeof desktopKey !== 'string' || !fromBase64Url(desktopKey, 32)) return null
  if (typeof privateKey !== 'string' || !fromBase64Url(privateKey, 32)) return null
  const view = pairingViewSchema.safeParse(pairing)
  if (!view.success) return null
  return { vaultId, desktopKey, privateKey, pairing: view.data }
}
