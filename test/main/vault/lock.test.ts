import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createServices, type Services } from '../../../src-main/core/services'
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
    const adding = services.secrets.add(secret(5))
    await new Promise((resolve) => setImmediate(resolve))
    services.vault.lock()
    await adding
    const other = createServices({ vaultPath: path, keyStore: new MemoryKeyStore() })
    await other.vault.unlock({ password: PASSWORD })
    expect((await other.secrets.list({})).items.map((s) => s.name)).toEqual(['Lock probe 5'])
    other.vault.lock()
  })
})
