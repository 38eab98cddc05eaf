import { describe, expect, it } from 'vitest'
import type { KdfParams } from '../../../src-shared/types/vault'
import { calibrateKdf, checkKdfParams, KDF_DEFAULT, KDF_LIMITS } from '../../../src-main/core/vault/kdf'

const MiB = 1024
const params = (memoryMiB: number, iterations: number, lanes = 1): KdfParams => ({ id: 'argon2id', memoryKiB: memoryMiB * MiB, iterations, lanes })

describe('KDF parameter checks', () => {
  it('refuses a request for 2048 MiB x 64 iterations with INVALID_INPUT, saying the limit', () => {
    expect(() => checkKdfParams(params(2048, 64), 'request')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('memory x iterations must be at most 16384 MiB (such as 256 MiB x 64 or 2048 MiB x 8)'),
      }),
    )
  })

  it('refuses a request for more than 2 GiB of memory, saying the limit', () => {
    expect(() => checkKdfParams(params(2049, 2), 'request')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('between 19 MiB and 2048 MiB') }),
    )
  })

  it('refuses the same parameters read from a file as VAULT_CORRUPT', () => {
    expect(() => checkKdfParams(params(2048, 64), 'file')).toThrow(expect.objectContaining({ code: 'VAULT_CORRUPT' }))
    expect(() => checkKdfParams(params(4096, 2), 'file')).toThrow(expect.objectContaining({ code: 'VAULT_CORRUPT' }))
  })

  it('accepts everything from the floor up to the ceiling: 19 MiB x 2, 256 MiB x 64, 2048 MiB x 8, 1 to 16 lanes', () => {
    for (const ok of [params(19, 2), params(256, 64), params(2048, 8), params(64, 3, 16)]) {
      expect(() => checkKdfParams(ok, 'request')).not.toThrow()
      expect(() => checkKdfParams(ok, 'file')).not.toThrow()
    }
  })

  it('keeps the floor and the lanes bounds', () => {
    for (const bad of [params(18, 2), params(19, 1), params(64, 3, 0), params(64, 3, 17)]) {
      expect(() => checkKdfParams(bad, 'request')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
  })
})

describe('KDF calibration', () => {
  it('never chooses parameters the checks refuse, even when asked for far more time than the ceiling allows', async () => {
    const chosen = await calibrateKdf(1e9)
    expect(() => checkKdfParams(chosen, 'file')).not.toThrow()
    expect(chosen.memoryKiB * chosen.iterations).toBeLessThanOrEqual(KDF_LIMITS.maxWorkKiB)
    expect(chosen.memoryKiB).toBeGreaterThanOrEqual(KDF_DEFAULT.memoryKiB)
    expect(chosen.iterations).toBeGreaterThanOrEqual(KDF_DEFAULT.iterations)
  })
})
