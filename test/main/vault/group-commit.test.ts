import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { open, openInPlace, sealCopy, sealInPlace, sealWithNonce, SEAL_STEP_BYTES } from '../../../src-main/core/vault/crypto'
import { all, one, PAGE_SIZE, run } from '../../../src-main/core/vault/database'
import { Vault } from '../../../src-main/core/vault/vault'
import { VaultFile } from '../../../src-main/core/vault/vault-file'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'

const notes = (vault: Vault) => vault.read((db) => all<{ text: string }>(db, 'SELECT text FROM note ORDER BY rowid').map((r) => r.text))

describe('Vault saves', () => {
  let dir: string
  let cleanup: () => void
  let path: string
  let vault: Vault

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
    vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await vault.mutate((db) => db.run('CREATE TABLE note (text TEXT)'))
  })
  afterEach(() => {
    vi.restoreAllMocks()
    vault.close()
    cleanup()
  })

  const add = (text: string) => vault.mutate((db) => run(db, 'INSERT INTO note (text) VALUES (?)', [text]))

  it('coalesces a burst of mutations into one save after the running one, each resolving once durable', async () => {
    const writes = vi.spyOn(VaultFile.prototype, 'write')
    const burst = Array.from({ length: 20 }, (_, i) => `burst-${i}`)
    const done = burst.map(async (text) => {
      await add(text)
      // Resolved only once the file holds it.
      expect((await decryptImage(path, PASSWORD)).includes(text)).toBe(true)
    })
    await Promise.all(done)
    expect(writes.mock.calls.length).toBeLessThanOrEqual(2)
    expect(notes(vault)).toEqual(burst)
  })

  it('rejects only the mutation that throws in a coalesced batch; the others are saved', async () => {
    const first = add('one')
    const failing = vault.mutate((db) => {
      run(db, 'INSERT INTO note (text) VALUES (?)', ['half-done'])
      throw new KeyholdError('INVALID_INPUT', 'no')
    })
    const third = add('three')
    await expect(failing).rejects.toThrow('no')
    await Promise.all([first, third])
    expect(notes(vault)).toEqual(['one', 'three'])
    const image = await decryptImage(path, PASSWORD)
    expect(image.includes('half-done')).toBe(false)
  })

  it('finishes a save already under way when the vault locks, and refuses what was not applied yet', async () => {
    const write = VaultFile.prototype.write
    let writing!: () => void
    const started = new Promise<void>((resolve) => (writing = resolve))
    vi.spyOn(VaultFile.prototype, 'write').mockImplementation(function (this: VaultFile, ...args) {
      writing()
      return write.apply(this, args)
    })
    const running = add('saved before lock')
    await started
    const queued = add('queued behind it')
    vault.close()
    await running
    await expect(queued).rejects.toMatchObject({ code: 'VAULT_LOCKED' })
    const reopened = await Vault.open(path, { password: PASSWORD })
    expect(notes(reopened)).toEqual(['saved before lock'])
    reopened.close()
  })

  it('settles once every mutation asked for is durable', async () => {
    void add('settle-probe-first-7c1e')
    void add('settle-probe-second-9d4a')
    await vault.settled()
    const image = await decryptImage(path, PASSWORD)
    expect(image.includes('settle-probe-first-7c1e')).toBe(true)
    expect(image.includes('settle-probe-second-9d4a')).toBe(true)
  })

  it('gives new vaults 16 KiB pages', () => {
    expect(vault.read((db) => one<{ page_size: number }>(db, 'PRAGMA page_size'))?.page_size).toBe(PAGE_SIZE)
  })
})

const drain = async (pieces: AsyncIterable<Uint8Array>) => {
  const out: Buffer[] = []
  for await (const piece of pieces) out.push(Buffer.from(piece))
  return Buffer.concat(out)
}

describe('sealInPlace', () => {
  /** A random key, nonce and plaintext of `size` bytes, a copy of the plaintext, and associated data. */
  const sealCase = (size: number) => {
    const plaintext = randomBytes(size)
    return { key: randomBytes(32), nonce: randomBytes(12), plaintext, original: Buffer.from(plaintext), aad: Buffer.from('header bytes') }
  }

  it('yields exactly AES-256-GCM of the plaintext, and leaves the ciphertext in its buffer', async () => {
    const { key, nonce, plaintext, original, aad } = sealCase(3 * SEAL_STEP_BYTES + 12345)
    const sealed = await drain(sealInPlace(key, nonce, plaintext, aad))
    const expected = sealWithNonce(key, nonce, original, aad)
    expect(sealed.equals(expected)).toBe(true)
    expect(plaintext.equals(expected.subarray(0, plaintext.length))).toBe(true)
    expect(open(key, nonce, sealed, aad)?.equals(original)).toBe(true)
  })

  it('sealCopy yields the same, and leaves the plaintext as it was', async () => {
    const { key, nonce, plaintext, original, aad } = sealCase(2 * SEAL_STEP_BYTES + 999)
    expect((await drain(sealCopy(key, nonce, plaintext, aad))).equals(sealWithNonce(key, nonce, original, aad))).toBe(true)
    expect(plaintext.equals(original)).toBe(true)
    expect((await drain(sealInPlace(key, nonce, Buffer.alloc(0), aad))).equals(sealWithNonce(key, nonce, Buffer.alloc(0), aad))).toBe(true)
  })

  it('keys the cipher when called, so wiping the key while the steps run changes nothing', async () => {
    const key = randomBytes(32)
    const keyCopy = Buffer.from(key)
    const nonce = randomBytes(12)
    const plaintext = randomBytes(2 * SEAL_STEP_BYTES)
    const original = Buffer.from(plaintext)
    const pieces = sealInPlace(key, nonce, plaintext, Buffer.alloc(0))
    key.fill(0)
    expect(open(keyCopy, nonce, await drain(pieces), Buffer.alloc(0))?.equals(original)).toBe(true)
  })

  it('lets the event loop run between steps', async () => {
    let ticks = 0
    let ticking = true
    const tick = () => {
      ticks++
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    await drain(sealInPlace(randomBytes(32), randomBytes(12), Buffer.alloc(6 * SEAL_STEP_BYTES), Buffer.alloc(0)))
    ticking = false
    expect(ticks).toBeGreaterThanOrEqual(5)
  })
})

describe('openInPlace', () => {
  it('decrypts into the sealed buffer itself', () => {
    const key = randomBytes(32)
    const nonce = randomBytes(12)
    const plaintext = randomBytes(SEAL_STEP_BYTES + 777)
    const sealed = sealWithNonce(key, nonce, plaintext, Buffer.from('aad'))
    const opened = openInPlace(key, nonce, sealed, Buffer.from('aad'))
    expect(opened?.equals(plaintext)).toBe(true)
    expect(opened?.buffer).toBe(sealed.buffer)
    expect(opened?.byteOffset).toBe(sealed.byteOffset)
  })

  it('returns null for altered bytes and leaves no plaintext in the buffer', () => {
    const key = randomBytes(32)
    const nonce = randomBytes(12)
    const plaintext = Buffer.alloc(SEAL_STEP_BYTES, 'secret-')
    const sealed = sealWithNonce(key, nonce, plaintext, Buffer.alloc(0))
    sealed[sealed.length - 1]! ^= 1
    expect(openInPlace(key, nonce, sealed, Buffer.alloc(0))).toBeNull()
    expect(sealed.includes('secret-')).toBe(false)
  })
})
