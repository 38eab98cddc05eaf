import { availableParallelism } from 'node:os'
import { KeyholdError } from '../../../src-shared/errors'
import type { KdfParams } from '../../../src-shared/types/vault'

/*
 * The KDF's bounds and defaults, apart from the KDF itself (kdf.ts, which loads the native
 * Argon2): reading a vault's header checks them without loading it.
 */

export const MiB = 1024

/** Calibration grows memory up to this, then iterations. */
export const CALIBRATION_MAX_MEMORY_KIB = 256 * MiB

/**
 * SECURITY: limits checked on every header before the KDF runs. The ceiling stops a
 * hostile file from exhausting memory or time; the floor stops a downgrade.
 */
export const KDF_LIMITS = {
  /** Argon2id 19 MiB / t=2 (OWASP's minimum) is the floor for any vault, created or opened. */
  minMemoryKiB: 19 * MiB,
  maxMemoryKiB: 2048 * MiB,
  minIterations: 2,
  maxIterations: 64,
  /**
   * memoryKiB x iterations, the work of one unlock attempt whatever the lanes: the most
   * calibration can choose (256 MiB x 64). Each bound alone would still let a header ask for
   * 2 GiB x 64, minutes of work per attempt.
   */
  maxWorkKiB: CALIBRATION_MAX_MEMORY_KIB * 64,
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
  if (problems.length === 0 && params.memoryKiB * params.iterations > L.maxWorkKiB)
    problems.push(
      `memory x iterations must be at most ${L.maxWorkKiB / MiB} MiB (such as 256 MiB x 64 or 2048 MiB x 8), and ${params.memoryKiB / MiB} MiB x ${params.iterations} is ${(params.memoryKiB * params.iterations) / MiB} MiB`,
    )
  if (problems.length === 0) return
  if (source === 'request') throw new KeyholdError('INVALID_INPUT', `Invalid KDF parameters: ${problems.join('; ')}.`)
  throw new KeyholdError(
    'VAULT_CORRUPT',
    `The vault header asks for unsafe key-derivation settings (${problems.join('; ')}). The file is damaged or was tampered with; restore it from its .bak copy or a backup.`,
  )
}
