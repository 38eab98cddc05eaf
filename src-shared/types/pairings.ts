import type { AppId, AppType } from './apps'

/** A pairing: a companion that redeemed an authorization key (docs/pairing-protocol.md §5.4). */
export type PairingId = string & { readonly __brand: 'PairingId' }

/** Why a pairing ended. */
export const PAIRING_END_REASONS = ['revoked', 'revoked-all', 'signed-out', 'idle'] as const
export type PairingEndReason = (typeof PAIRING_END_REASONS)[number]

/** live: it may connect; ended: revoked, signed out or idle; expired or revoked with its application. */
export type PairingStatus = 'live' | 'ended' | 'expired' | 'app-revoked'

/** A row of Settings > Connected apps. SECURITY: public facts only (no key of any kind). */
export interface PairingSummary {
  id: PairingId
  app: { id: AppId; name: string; type: AppType }
  device: { name: string; platform: string }
  software: string
  kind: 'mobile' | 'extension' | 'cli'
  scope: { secrets: 'all' } | { secrets: 'tagged'; tags: string[] }
  reveal: 'ask' | 'allow'
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  endedAt: string | null
  endReason: PairingEndReason | null
  status: PairingStatus
}

/** Idle auto-revoke: pairings unused for this many days end (a setting; 0 turns it off). */
export const PAIRING_IDLE_DEFAULT_DAYS = 90
export const PAIRING_IDLE_MAX_DAYS = 3650
