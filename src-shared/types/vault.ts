/** Argon2id parameters as stored in the vault header. */
export interface KdfParams {
  id: 'argon2id'
  /** KiB, as Argon2 counts memory. */
  memoryKiB: number
  iterations: number
  lanes: number
}

/** What the shell and the renderer may know about the vault without a secret. */
export interface VaultStatus {
  /** `absent`: no vault file yet; `locked`: file exists, not open; `unlocked`: open. */
  state: 'absent' | 'locked' | 'unlocked'
  /** Whether a device key slot exists and so "unlock with this device" can be offered. */
  rememberedOnDevice: boolean
  /** Milliseconds of inactivity before the vault locks itself. */
  autoLockMs: number
  /** Set when the call succeeded but the OS keychain could not be used (KEYCHAIN_UNAVAILABLE). */
  warning?: { code: 'KEYCHAIN_UNAVAILABLE'; message: string }
}

/** `keyhold info` and the About screen: the header and item counts, never a secret. */
export interface VaultInfo {
  path: string
  vaultId: string
  formatVersion: string
  kdf: KdfParams
  cipher: 'aes-256-gcm'
  schemaVersion: number
  keySlots: Array<'password' | 'device'>
  counts: Record<string, number>
}
