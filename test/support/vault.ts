import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { KdfParams } from '../../src-shared/types/vault'
import { createServices, type Services } from '../../src-main/core/services'
import type { Clock } from '../../src-main/core/ports'
import { MemoryKeyStore } from '../fakes/memory.key-store'

/** The floor Keyhold accepts (19 MiB, t=2): real Argon2id, fast enough for tests. */
export const FAST_KDF: KdfParams = { id: 'argon2id', memoryKiB: 19 * 1024, iterations: 2, lanes: 1 }
export const PASSWORD = 'correct horse battery staple'

/** A fresh folder under the OS temp dir; remove it with the returned cleanup. */
export function tempDir(prefix = 'keyhold-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A settable clock for expiry, idle and re-confirmation tests. */
export class FakeClock implements Clock {
  constructor(public time = Date.parse('2026-01-01T12:00:00Z')) {}
  now(): number {
    return this.time
  }
  advance(ms: number): void {
    this.time += ms
  }
}

/**
 * Real services over a real vault file in a temp folder, created and unlocked with FAST_KDF.
 * Only the OS keychain is faked.
 */
export async function unlockedServices(options: { clock?: Clock } = {}): Promise<{
  services: Services
  keyStore: MemoryKeyStore
  path: string
  dir: string
  cleanup: () => void
}> {
  const { dir, cleanup } = tempDir()
  const path = join(dir, 'vault.keyhold')
  const keyStore = new MemoryKeyStore()
  const services = createServices({ vaultPath: path, keyStore, kdf: FAST_KDF, clock: options.clock })
  await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
  return {
    services,
    keyStore,
    path,
    dir,
    cleanup: () => {
      services.vault.lock()
      cleanup()
    },
  }
}
