import type { DeviceClaim, PairingScope, RevealPolicy } from '../local-access/messages'

/** The person's answer to a pairing approval dialog. */
export type PairingDecision = { approved: false } | { approved: true; scope: PairingScope; reveal: RevealPolicy }

/** The person's answer to "… wants the client secret of …". */
export const REVEAL_DECISIONS = ['deny', 'once', 'ten-minutes'] as const
export type RevealDecision = (typeof REVEAL_DECISIONS)[number]

/** A question the agent is waiting on, as the window shows it. SECURITY: no secret, no key. */
export type AgentPrompt =
  | {
      id: string
      kind: 'pairing'
      app: { id: string; name: string; type: 'mobile' | 'extension'; expiresAt: string | null }
      claim: DeviceClaim
      phrase: string
      contested: boolean
      /** When the agent stops waiting (ISO time): Deny is assumed then. */
      deadline: string
    }
  | {
      id: string
      kind: 'reveal'
      pairing: { id: string; appName: string; deviceName: string }
      secret: { id: string; name: string }
      deadline: string
    }

/** Whether the agent listens, where, and what it is waiting on. */
export interface AgentStatus {
  enabled: boolean
  listening: boolean
  endpoint: string | null
  /** The vault's public key that companions pin (base64url), when unlocked. */
  desktopKey: string | null
  connections: number
  idleRevokeDays: number
  /** Why it is not listening although enabled (another agent holds the vault, an unsafe folder), in words for people. */
  problem: string | null
}
