import { once } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { COLLECT_EVERY_BYTES } from '../../../src-main/core/vault/cipher-garbage'
import { deriveKey, open, sealWithNonce } from '../../../src-main/core/vault/crypto'
import garbageWorkerPath from '../../support/cipher-garbage.worker?modulePath'

const hex = (s: string) => Buffer.from(s, 'hex')

describe('deriveKey (Argon2id)', () => {
  it('matches the reference implementation test vector (argon2id v19, m=64 MiB, t=2, p=1)', async () => {
    // phc-winner-argon2 src/test.c: hashtest(ARGON2_VERSION_13, 2, 16, 1, "password", "somesalt", ...)
    const key = await deriveKey('password', Buffer.from('somesalt'), { id: 'argon2id', memoryKiB: 1 << 16, iterations: 2, lanes: 1 })
    expect(key.toString('hex')).toBe('09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7')
  })

  it('gives different keys for different salts', async () => {
    const params = { id: 'argon2id' as const, memoryKiB: 19 * 1024, iterations: 2, lanes: 1 }
    const a = await deriveKey('pw', Buffer.alloc(16, 1), params)
    const b = await deriveKey('pw', Buffer.alloc(16, 2), params)
    expect(a.equals(b)).toBe(false)
  })
})

describe('AES-256-GCM seal/open', () => {
  // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13, 14 and 16.
  const vectors = [
    { name: 'case 13 (empty)', K: '00'.repeat(32), IV: '00'.repeat(12), P: '', A: '', C: '', T: '530f8afbc74536b9a963b4f1c4cb738b' },
    { name: 'case 14 (one block)', K: '00'.repeat(32), IV: '00'.repeat(12), P: '00'.repeat(16), A: '', C: 'cea7403d4d606b6e074ec5d3baf39d18', T: 'd0d1c8a799996bf0265b98b5d48ab919' },
    {
      name: 'case 16 (with associated data)',
      K: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
      IV: 'cafebabefacedbaddecaf888',
      P: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
      A: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
      C: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
      T: '76fc6ece0f4e1768cddf8853bb2d551b',
    },
  ]

  for (const v of vectors) {
    it(`produces the known ciphertext and tag for ${v.name}`, () => {
      const sealed = sealWithNonce(hex(v.K), hex(v.IV), hex(v.P), hex(v.A))
      expect(sealed.toString('hex')).toBe(v.C + v.T)
      expect(open(hex(v.K), hex(v.IV), sealed, hex(v.A))?.toString('hex')).toBe(v.P)
    })
  }

  it('returns null when the ciphertext, the tag or the associated data is altered', () => {
    const key = Buffer.alloc(32, 7)
    const nonce = Buffer.alloc(12, 9)
    const sealed = sealWithNonce(key, nonce, Buffer.from('secret'), Buffer.from('aad'))
    for (let i = 0; i < sealed.length; i++) {
      const copy = Buffer.from(sealed)
      copy[i]! ^= 0x01
      expect(open(key, nonce, copy, Buffer.from('aad'))).toBeNull()
    }
    expect(open(key, nonce, sealed, Buffer.from('aaD'))).toBeNull()
    expect(open(Buffer.alloc(32, 8), nonce, sealed, Buffer.from('aad'))).toBeNull()
    expect(open(key, nonce, sealed.subarray(0, 10), Buffer.from('aad'))).toBeNull()
  })
})

describe("AES-GCM's dead output buffers, in a worker with `gc` as CoreHost starts the core's", () => {
  it('are freed as a save or an open goes, not left for V8 to collect tens of MiB later', async () => {
    setFlagsFromString('--expose-gc')
    const worker = new Worker(garbageWorkerPath, { resourceLimits: { maxYoungGenerationSizeMb: 8 } })
    const [report] = (await once(worker, 'message')) as [{ hasGc: boolean; written: object; sealing: number; sealingInPlace: number; opening: { roundTrip: boolean; scavenges: number } }]
    await worker.terminate()
    expect(report).toMatchObject({ hasGc: true, written: { copy: (10 << 20) + 16, inPlace: (10 << 20) + 16 } })
    // Six saves of 10 MiB: left to V8, 22-32 MiB of dead pieces piled up. With the collections
    // about 6 MiB; V8 frees buffers on a background thread, which lags on a busy machine.
    const bound = 2 * COLLECT_EVERY_BYTES + (4 << 20)
    expect(report.sealing).toBeLessThan(bound)
    expect(report.sealingInPlace).toBeLessThan(bound)
    // One per 4 MiB of the 32 MiB opened (the first after 4 MiB).
    expect(report.opening.roundTrip).toBe(true)
    expect(report.opening.scavenges).toBeGreaterThanOrEqual((32 << 20) / COLLECT_EVERY_BYTES - 1)
  })
})
