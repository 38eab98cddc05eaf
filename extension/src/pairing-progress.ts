/**
 * What the background worker tells the popup about a pairing in progress, and what the popup
 * may ask of it, over one `chrome.runtime` port. A pairing runs in the background worker
 * because the popup closes as soon as the person clicks elsewhere, for instance on Keyhold's
 * Approve button, and closing the connection would cancel the pairing and use up the key.
 * Nothing secret crosses this channel: the check phrase is public, the code goes one way once.
 */

export const PAIRING_CHANNEL = 'keyhold-pairing'

export interface AppLabel {
  name: string
  type: 'mobile' | 'extension'
}

export type PairingProgress =
  | { phase: 'idle' }
  | { phase: 'connecting' }
  /** Keyhold answered that its vault is locked; the pairing goes on once it is unlocked. */
  | { phase: 'locked'; unlockAsked: boolean }
  /** The check phrase is known; `waiting` once Keyhold shows its dialog. */
  | { phase: 'phrase'; phrase: string; app: AppLabel; waiting: boolean }
  | { phase: 'approved'; app: AppLabel }
  | { phase: 'failed'; code: string; message: string }

/** Popup → background. `pair` carries what the person typed; the worker reads it again. */
export type PairingCommand = { t: 'pair'; text: string } | { t: 'cancel' } | { t: 'unlock' } | { t: 'ack' }

/** Background → popup. */
export type PairingUpdate = { t: 'progress'; progress: PairingProgress }

export function isPairingCommand(value: unknown): value is PairingCommand {
  if (typeof value !== 'object' || value === null) return false
  const { t, text } = value as Record<string, unknown>
  return t === 'cancel' || t === 'unlock' || t === 'ack' || (t === 'pair' && typeof text === 'string' && text.length <= 2048)
}
