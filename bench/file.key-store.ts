import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { KeyStore } from '../src-main/core/ports'

/**
 * The benchmark's stand-in for the OS keychain: a JSON file next to the benchmark vaults,
 * so a later process can unlock with the device key (the unlock that skips the KDF).
 * Benchmark vaults hold generated data under a published password; never use this elsewhere.
 */
export class FileKeyStore implements KeyStore {
  constructor(private readonly path: string) {}

  private load(): Record<string, string> {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>) : {}
  }

  async get(account: string): Promise<string | null> {
    return this.load()[account] ?? null
  }

  async set(account: string, secret: string): Promise<void> {
    writeFileSync(this.path, JSON.stringify({ ...this.load(), [account]: secret }), { mode: 0o600 })
  }

  async delete(account: string): Promise<boolean> {
    const entries = this.load()
    const had = account in entries
    delete entries[account]
    writeFileSync(this.path, JSON.stringify(entries), { mode: 0o600 })
    return had
  }
}
