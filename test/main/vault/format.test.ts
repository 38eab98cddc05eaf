/* eslint-disable @typescript-eslint/no-explicit-any -- headers are edited as untyped JSON, as an attacker would */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { decodePreamble, decodeVault, encodePreamble, FORMAT_MINOR, MAX_HEADER_BYTES } from '../../../src-main/core/vault/format'
import { Vault } from '../../../src-main/core/vault/vault'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

async function openCode(path: string): Promise<string> {
  try {
    ;(await Vault.open(path, { password: PASSWORD })).close()
    return 'OK'
  } catch (error) {
    if (error instanceof KeyholdError) return error.code
    throw error
  }
}

const decodeCode = (bytes: Buffer) => {
  try {
    decodeVault(bytes)
    return 'OK'
  } catch (error) {
    if (error instanceof KeyholdError) return error.code
    throw error
  }
}

/** Rewrites the header JSON of a vault file with a valid checksum, as a deliberate attacker would. */
function withHeader(file: Buffer, edit: (header: Record<string, any>) => void): Buffer {
  const length = file.readUInt32BE(12)
  const header = JSON.parse(file.subarray(16, 16 + length).toString('utf8'))
  edit(header)
  const json = Buffer.from(JSON.stringify(header))
  const prefix = Buffer.from(file.subarray(0, 16))
  prefix.writeUInt32BE(json.length, 12)
  const body = Buffer.concat([prefix, json])
  return Buffer.concat([body, createHash('sha256').update(body).digest(), file.subarray(16 + length + 32)])
}

describe('vault file format', () => {
  let dir: string
  let cleanup: () => void
  let path: string
  let original: Buffer
  let headerEnd: number

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await vault.mutate((db) => db.run("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('payload')"))
    vault.close()
    original = readFileSync(path)
    headerEnd = 16 + original.readUInt32BE(12) + 32
  })
  afterAll(() => cleanup())

  const damaged = (bytes: Buffer) => {
    const p = join(dir, `damaged-${Math.random().toString(36).slice(2)}.keyhold`)
    writeFileSync(p, bytes)
    return p
  }

  it('round-trips its header through encode and decode', () => {
    const parsed = decodeVault(original)
    expect(encodePreamble(parsed.header).equals(parsed.preamble)).toBe(true)
  })

  it('says VAULT_CORRUPT for a file truncated anywhere, and leaves it unchanged', async () => {
    for (const length of [0, 5, 15, 16, 100, headerEnd - 1, headerEnd, headerEnd + 10, original.length - 1]) {
      const p = damaged(original.subarray(0, length))
      const before = readFileSync(p)
      expect(await openCode(p), `truncated to ${length}`).toBe('VAULT_CORRUPT')
      expect(readFileSync(p).equals(before)).toBe(true)
    }
  })

  it('says VAULT_CORRUPT for a flipped bit at any header position, before any key derivation', () => {
    for (let i = 0; i < headerEnd; i++) {
      if (i === 8 || i === 9) continue // the major version: its own error, below
      const copy = Buffer.from(original)
      copy[i]! ^= 0x04
      expect(decodeCode(copy), `byte ${i}`).toBe('VAULT_CORRUPT')
    }
  })

  it('says VAULT_CORRUPT for flipped bytes in the encrypted body, and leaves the file unchanged', async () => {
    const positions = [headerEnd, headerEnd + 1, original.length - 1, original.length - 16, original.length - 17]
    for (let k = 0; k < 10; k++) positions.push(headerEnd + Math.floor(((original.length - headerEnd) * (k + 0.5)) / 10))
    for (const i of positions) {
      const copy = Buffer.from(original)
      copy[i]! ^= 0x80
      const p = damaged(copy)
      expect(await openCode(p), `byte ${i}`).toBe('VAULT_CORRUPT')
      expect(readFileSync(p).equals(copy)).toBe(true)
    }
  })

  it('refuses an unknown major version with a message that says to update Keyhold', async () => {
    const copy = Buffer.from(original)
    copy.writeUInt16BE(2, 8)
    const p = damaged(copy)
    await expect(Vault.open(p, { password: PASSWORD })).rejects.toThrow(/format 2.*Update Keyhold/)
    expect(await openCode(p)).toBe('VAULT_VERSION_UNSUPPORTED')
  })

  it('says a file of a later minor version it cannot read is from a newer Keyhold, not damaged, and changes nothing', async () => {
    // What format 1.3 adds (docs/vault-catalog.md): a header field and bytes after the image.
    const later = (minor: number, edit: (h: Record<string, any>) => void, tail = Buffer.alloc(0)) => {
      const copy = Buffer.concat([withHeader(original, edit), tail])
      copy.writeUInt16BE(minor, 10)
      const end = 16 + copy.readUInt32BE(12)
      createHash('sha256').update(copy.subarray(0, end)).digest().copy(copy, end)
      return copy
    }
    const catalog = (h: Record<string, any>) => (h.catalog = { v: 1 })
    for (const copy of [later(FORMAT_MINOR + 1, catalog), later(FORMAT_MINOR + 1, () => undefined, Buffer.alloc(64, 7)), later(9, catalog, Buffer.alloc(64))]) {
      const p = damaged(copy)
      await expect(Vault.open(p, { password: PASSWORD })).rejects.toThrow(new RegExp(`saved by a newer Keyhold \\(file format 1\\.(${FORMAT_MINOR + 1}|9)\\).*reads format 1\\.${FORMAT_MINOR}\\. Update Keyhold`))
      expect(await openCode(p)).toBe('VAULT_VERSION_UNSUPPORTED')
      expect(readFileSync(p).equals(copy)).toBe(true)
    }
    // At this Keyhold's own version, the same is damage.
    expect(await openCode(damaged(later(FORMAT_MINOR, catalog)))).toBe('VAULT_CORRUPT')
    expect(await openCode(damaged(later(FORMAT_MINOR, () => undefined, Buffer.alloc(64, 7))))).toBe('VAULT_CORRUPT')
  })

  it('reads the minor version and authenticates it with the header', async () => {
    const copy = Buffer.from(original)
    copy.writeUInt16BE(7, 10)
    const body = copy.subarray(0, headerEnd - 32)
    createHash('sha256').update(body).digest().copy(copy, headerEnd - 32)
    // The preamble is authenticated, so a changed minor number without re-encryption is detected.
    expect(await openCode(damaged(copy))).toBe('VAULT_CORRUPT')
    expect(decodeVault(copy).minor).toBe(7)
  })

  const MiB = 1024
  const withKdf = (memoryKiB: number, iterations: number) => (h: Record<string, any>) => Object.assign(h.kdf, { memoryKiB, iterations })
  const hostile: Array<[string, (h: Record<string, any>) => void]> = [
    ['huge memory', (h) => (h.kdf.memoryKiB = 4 * 1024 * MiB + 1)],
    ['4 GiB of memory', (h) => (h.kdf.memoryKiB = 4 * 1024 * MiB)],
    ['memory just over 2 GiB', (h) => (h.kdf.memoryKiB = 2049 * MiB)],
    ['2 GiB of memory and 64 iterations', withKdf(2048 * MiB, 64)],
    ['more work than 256 MiB x 64', withKdf(257 * MiB, 64)],
    ['absurd memory', (h) => (h.kdf.memoryKiB = 1e15)],
    ['tiny memory (downgrade)', (h) => (h.kdf.memoryKiB = 8 * MiB)],
    ['huge iterations', (h) => (h.kdf.iterations = 65)],
    ['one iteration (downgrade)', (h) => (h.kdf.iterations = 1)],
    ['zero lanes', (h) => (h.kdf.lanes = 0)],
    ['too many lanes', (h) => (h.kdf.lanes = 17)],
    ['fractional memory', (h) => (h.kdf.memoryKiB = 19 * MiB + 0.5)],
    ['empty salt', (h) => (h.kdf.salt = '')],
    ['short salt', (h) => (h.kdf.salt = Buffer.alloc(8).toString('base64'))],
    ['oversized salt', (h) => (h.kdf.salt = Buffer.alloc(65).toString('base64'))],
    ['another KDF', (h) => (h.kdf.id = 'pbkdf2')],
    ['no password slot', (h) => (h.slots = h.slots.map((s: any) => ({ ...s, type: 'device' })))],
    ['too many slots', (h) => (h.slots = Array(5).fill(h.slots[0]))],
    ['extra field', (h) => (h.extra = 1)],
    ['short nonce', (h) => (h.payloadNonce = Buffer.alloc(4).toString('base64'))],
  ]

  for (const [name, edit] of hostile) {
    it(`rejects a header with ${name} before running the KDF`, () => {
      // decodeVault is the only gate before the KDF: a rejection here means no Argon2 ran.
      expect(decodeCode(withHeader(original, edit))).toBe('VAULT_CORRUPT')
    })
  }

  it('rejects an oversized header length before reading it', () => {
    const copy = Buffer.concat([original.subarray(0, 16), Buffer.alloc(MAX_HEADER_BYTES + 64)])
    copy.writeUInt32BE(MAX_HEADER_BYTES + 1, 12)
    expect(decodeCode(copy)).toBe('VAULT_CORRUPT')
    copy.writeUInt32BE(0xffffffff, 12)
    expect(decodeCode(copy)).toBe('VAULT_CORRUPT')
  })

  it('accepts a header at the ceiling: 2 GiB x 8 iterations, 256 MiB x 64', () => {
    expect(decodeCode(withHeader(original, withKdf(2048 * MiB, 8)))).toBe('OK')
    expect(decodeCode(withHeader(original, withKdf(256 * MiB, 64)))).toBe('OK')
  })

  it('refuses a preamble asking for 2 GiB x 64 in its header check, which runs before any key derivation', () => {
    const { header } = decodeVault(original)
    const preamble = encodePreamble({ ...header, kdf: { ...header.kdf, memoryKiB: 2048 * MiB, iterations: 64 } })
    expect(() => decodePreamble(preamble)).toThrow(
      expect.objectContaining({ code: 'VAULT_CORRUPT', message: expect.stringMatching(/unsafe key-derivation settings.*at most 16384 MiB/) }),
    )
  })

  it('opens quickly even when a hostile header asks for 4 GiB or 2 GiB x 64, because it never derives', async () => {
    // Deriving at 2 GiB x 64 takes over a minute: 2 s means no Argon2 ran.
    const hostileHeaders = [
      withHeader(original, (h) => (h.kdf.memoryKiB = 4 * 1024 * MiB)),
      withHeader(original, withKdf(2048 * MiB, 64)),
    ]
    for (const bytes of hostileHeaders) {
      const p = damaged(bytes)
      const rss = process.memoryUsage().rss
      const start = performance.now()
      expect(await openCode(p)).toBe('VAULT_CORRUPT')
      expect(performance.now() - start).toBeLessThan(2000)
      expect(process.memoryUsage().rss - rss).toBeLessThan(256 * 1024 * 1024)
    }
  })

  it('authenticates the header: a consistent but altered header fails on the payload', async () => {
    const p = damaged(withHeader(original, (h) => (h.kdf.iterations = h.kdf.iterations + 1)))
    // Different iterations derive a different key, so the password slot no longer opens.
    expect(['WRONG_PASSWORD', 'VAULT_CORRUPT']).toContain(await openCode(p))
    const q = damaged(withHeader(original, (h) => (h.vaultId = 'a'.repeat(20))))
    expect(await openCode(q)).not.toBe('OK')
  })
})
