import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createServices, type Services } from '../../../src-main/core/services'
import { LOCK_SETTLE_MS } from '../../../src-main/core/vault/vault.service'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { PASSWORD, unlockedServices } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'

const secret = (i: number) => ({ name: `Lock probe ${i}`, url: 'https://api.example.com', clientId: `lock-probe-client-${i}` })

describe('locking while changes are being saved', () => {
  let services: Services
  let path: string
  let cleanup: () => void
  beforeEach(async () => {
    ;({ services, path, cleanup } = await unlockedServices())
  })
  afterEach(() => cleanup())

  it('saves every change accepted before the lock, then locks: none is lost or refused', async () => {
    const vault = services.vault.vault()
    const first = services.secrets.add(secret(1))
    // The first one's save is under way; the next two wait behind it for the next save.
    await new Promise((resolve) => setImmediate(resolve))
    const adds = [first, ...[2, 3].map((i) => services.secrets.add(secret(i)))]
    services.vault.lock()
    expect(services.vault.isUnlocked).toBe(false)
    await expect(Promise.all(adds)).resolves.toHaveLength(3)
    // Then the database and the keys leave memory.
    await vi.waitFor(() => expect(vault.isClosed).toBe(true))
    const image = await decryptImage(path, PASSWORD)
    for (const i of [1, 2, 3]) expect(image.includes(`lock-probe-client-${i}`)).toBe(true)
  })

  it('refuses what arrives after the lock with VAULT_LOCKED', async () => {
    services.vault.lock()
    await expect(services.secrets.add(secret(4))).rejects.toMatchObject({ code: 'VAULT_LOCKED' })
  })

  it('opens again straight after such a lock, with the changes in it', async () => {
    const first = services.secrets.add(secret(5))
    await new Promise((resolve) => setImmediate(resolve))
    const queued = services.secrets.add(secret(6))
    services.vault.lock()
    // At once, while the locked vault is still saving: the unlock waits and opens what it saved.
    await services.vault.unlock({ password: PASSWORD })
    expect((await services.secrets.list({})).items.map((s) => s.name)).toEqual(['Lock probe 5', 'Lock probe 6'])
    await Promise.all([first, queued])
    const other = createServices({ vaultPath: path, keyStore: new MemoryKeyStore() })
    await other.vault.unlock({ password: PASSWORD })
    expect((await other.secrets.list({})).items.map((s) => s.name)).toEqual(['Lock probe 5', 'Lock probe 6'])
    other.vault.lock()
  })

  it('drops the keys after LOCK_SETTLE_MS even if a save has not finished', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const vault = services.vault.vault()
      // A save that never finishes: the file lock is held by someone else for good.
      vi.spyOn(vault, 'settled').mockReturnValue(new Promise(() => undefined))
      services.vault.lock()
      let locked = false
      void services.vault.locked().then(() => (locked = true))
      await vi.advanceTimersByTimeAsync(LOCK_SETTLE_MS - 1)
      expect(locked).toBe(false)
      expect(vault.isClosed).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(locked).toBe(true)
      expect(vault.isClosed).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('does not wait forever on a lock listener that never answers (a clipboard call main drops): unlock works after LOCK_SETTLE_MS', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      services.vault.onLock(() => new Promise(() => undefined))
      services.vault.lock()
      let locked = false
      void services.vault.locked().then(() => (locked = true))
      await vi.advanceTimersByTimeAsync(LOCK_SETTLE_MS - 1)
      expect(locked).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(locked).toBe(true)
    } finally {
      vi.useRealTimers()
    }
    await expect(services.vault.unlock({ password: PASSWORD })).resolves.toMatchObject({ state: 'unlocked' })
  })
})
