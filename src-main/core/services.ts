import type { KdfParams } from '../../src-shared/types/vault'
import { MemoryClipboard, systemClock, type Clipboard, type Clock, type KeyStore } from './ports'
import { VaultService } from './vault/vault.service'

export interface ServicesOptions {
  vaultPath: string
  keyStore: KeyStore
  clock?: Clock
  clipboard?: Clipboard
  kdf?: KdfParams
  autoLockMs?: number
}

/**
 * The composition of the core: one instance per process, built by the Electron main
 * process, the CLI and the test bridge alike. Each feature adds its service here.
 */
export function createServices(options: ServicesOptions) {
  const clock = options.clock ?? systemClock
  const clipboard = options.clipboard ?? new MemoryClipboard()
  const vault = new VaultService({
    path: options.vaultPath,
    keyStore: options.keyStore,
    clock,
    kdf: options.kdf,
    autoLockMs: options.autoLockMs,
  })
  return { clock, clipboard, vault }
}

export type Services = ReturnType<typeof createServices>

/** Item counts for `keyhold info`: each feature adds its table here. */
export function itemCounts(_services: Services): Record<string, number> {
  return {}
}
