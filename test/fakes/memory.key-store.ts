import type { KeyStore } from '../../src-main/core/ports'

/** An in-memory OS keychain; `broken` makes every call fail like a locked or missing keychain. */
export class MemoryKeyStore implements KeyStore {
  readonly entries = new Map<string, string>()
  broken = false

  async get(account: string): Promise<string | null> {
    if (this.broken) throw new Error('keychain unavailable')
    return this.entries.get(account) ?? null
  }

  async set(account: string, secret: string): Promise<void> {
    if (this.broken) throw new Error('keychain unavailable')
    this.entries.set(account, secret)
  }

  async delete(account: string): Promise<boolean> {
    if (this.broken) throw new Error('keychain unavailable')
    return this.entries.delete(account)
  }
}
