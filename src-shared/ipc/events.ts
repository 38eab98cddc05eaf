import type { KeyholdApi } from './contract'

/**
 * Main -> renderer notifications. One-way and without payload, so none can carry a secret.
 * The vault can lock without the renderer asking (idle, suspend, screen lock); this lets the
 * screens drop what they show (a one-time token, a QR code) at once.
 */
export const EVENTS = {
  vaultLocked: 'vault:locked',
} as const

export interface KeyholdEvents {
  /** Calls `listener` whenever main locks the vault. Returns the unsubscribe. */
  onVaultLocked(listener: () => void): () => void
}

/** `window.keyhold`: the contract's methods plus the event subscriptions. */
export type KeyholdBridge = KeyholdApi & KeyholdEvents
