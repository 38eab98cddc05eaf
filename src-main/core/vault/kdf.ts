import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { KeyholdError } from '../../../src-shared/errors'
import type { KdfParams } from '../../../src-shared/types/vault'
import { deriveKey } from './crypto'

const MiB = 1024

/**
 * SECURITY: limits checked on every header before the KDF runs. The ceiling stops a
 * hostile file from exhausting memory or time; the floor stops a downgrade.
 */
export const KDF_LIMITS = {
  /** Argon2id 19 MiB / t=2 (OWASP's minimum) is the floor for any vault, created or opened. */
  minMemoryKiB: 19 * MiB,
  maxMemoryKiB: 4 * 1024 * MiB,
  minIterations: 2,
  maxIterations: 64,
  minLanes: 1,
  maxLanes: 16,
  minSaltBytes: 16,
  maxSaltBytes: 64,
} as const

/**
 * Calibration never goes below this, whatever the machine. Lanes follow the cores (up to 4):
 * Argon2 computes lanes in parallel, so the same memory and passes cost less wall time here
 * while an attacker's cost per guess stays the same.
 */
export const KDF_DEFAULT: KdfParams = {
  id: 'argon2id',
  memoryKiB: 64 * MiB,
  iterations: 3,
  lanes: Math.max(1, Math.min(4, availableParallelism())),
}

/** Throws INVALID_INPUT (explicit request) or VAULT_CORRUPT (from a file) when params are out of bounds. */
export function checkKdfParams(params: KdfParams, source: 'request' | 'file'): void {
  const L = KDF_LIMITS
  const problems: string[] = []
  if (params.id !== 'argon2id') problems.push(`unknown KDF "${String(params.id).slice(0, 20)}"`)
  if (!Number.isInteger(params.memoryKiB) || params.memoryKiB < L.minMemoryKiB || params.memoryKiB > L.maxMemoryKiB)
    problems.push(`memory must be between ${L.minMemoryKiB / MiB} MiB and ${L.maxMemoryKiB / MiB} MiB`)
  if (!Number.isInteger(params.iterations) || params.iterations < L.minIterations || params.iterations > L.maxIterations)
    problems.push(`iterations must be between ${L.minIterations} and ${L.maxIterations}`)
  if (!Number.isInteger(params.lanes) || params.lanes < L.minLanes || params.lanes > L.maxLanes)
    problems.push(`lanes must be between ${L.minLanes} and ${L.maxLanes}`)
  if (problems.length === 0) return
  if (source === 'request') throw new KeyholdError('INVALID_INPUT', `Invalid KDF parameters: ${problems.join('; ')}.`)
  throw new KeyholdError(
    'VAULT_CORRUPT',
    `The vault header asks for unsafe key-derivation settings (${problems.join('; ')}). The file is damaged or was tampered with; restore it from its .bak copy or a backup.`,
  )
}

/**
 * Picks Argon2id parameters that take roughly 0.5 to 1 s here, never below 64 MiB / t=3.
 * Memory grows first (to 256 MiB), then iterations, which is what resists GPUs best.
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
    const memoryKiB = Math.min(256 * MiB, Math.floor((params.memoryKiB * targetMs) / elapsed / MiB) * MiB)
    if (memoryKiB > params.memoryKiB) {
      elapsed = (elapsed * memoryKiB) / params.memoryKiB
      params.memoryKiB = memoryKiB
    }
  }
  if (elapsed < 500) {
    params.iterations = Math.min(KDF_LIMITS.maxIterations, Math.ceil((params.iterations * targetMs) / elapsed))
  }
  return params
}
