import { randomBytes } from 'node:crypto'
import type { KdfParams } from '../../../src-shared/types/vault'
import { deriveKey } from './crypto'
import { CALIBRATION_MAX_MEMORY_KIB, KDF_DEFAULT, KDF_LIMITS, MiB } from './kdf-params'

export { KDF_DEFAULT, KDF_LIMITS, checkKdfParams } from './kdf-params'

/**
 * Picks Argon2id parameters that take roughly 0.5 to 1 s here, never below 64 MiB / t=3.
 * Memory grows first (to 256 MiB), then iterations, which is what resists GPUs best.
 * Never more than KDF_LIMITS allow: a vault it creates must open everywhere.
 */
export async function calibrateKdf(targetMs = 700): Promise<KdfParams> {
  const salt = randomBytes(16)
  const time = async (p: KdfParams) => {
    const start = performance.now()
    await deriveKey('calibration', salt, p)
    return performance.now() - start
  }
  const params = { ...KDF_DEFAULT }
  let elapsed = await time(params)
  if (elapsed < 500) {
    const memoryKiB = Math.min(CALIBRATION_MAX_MEMORY_KIB, Math.floor((params.memoryKiB * targetMs) / elapsed / MiB) * MiB)
    if (memoryKiB > params.memoryKiB) {
      elapsed = (elapsed * memoryKiB) / params.memoryKiB
      params.memoryKiB = memoryKiB
    }
  }
  if (elapsed < 500) {
    const most = Math.min(KDF_LIMITS.maxIterations, Math.floor(KDF_LIMITS.maxWorkKiB / params.memoryKiB))
    params.iterations = Math.min(most, Math.ceil((params.iterations * targetMs) / elapsed))
  }
  return params
}
