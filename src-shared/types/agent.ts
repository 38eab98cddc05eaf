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
  | {
      id: string
      kind: 'terminal'
      /** What the terminal says about itself (docs/terminal-sessions.md §2): shown, never checked. */
      claim: TerminalPromptClaim
      /** What Allow gives: the grant ends after this long unused, or this long after Allow (and at lock). */
      grant: { idleMs: number; lifetimeMs: number }
      deadline: string
    }

/**
 * A terminal asking to run its commands in the unlocked app: the command (never an argument
 * read from standard input), its folder, its tty (null when it has none) and its process id.
 */
export interface TerminalPromptClaim {
  command: string
  cwd: string
  tty: string | null
  pid: number
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

/** The person's choices for Settings > Connected apps > Phones on this network (docs/pairing-protocol.md §2.4.4). */
export interface NetworkSettings {
  /** Listening for phones (turned on here, or by itself while a Mobile app key's QR code is shown). */
  on: boolean
  /** Stay on when no phone is paired (else it turns off when the last phone pairing ends). */
  keepOn: boolean
  /** Listen while Keyhold is locked too (else locking stops it). */
  whileLocked: boolean
}

/** The phones' endpoint: what it is set to and where it listens. SECURITY: the certificate's fingerprint is public. */
export interface NetworkStatus extends NetworkSettings {
  listening: boolean
  /** The remembered port; null before the endpoint first listened. */
  port: number | null
  /** Each address it listens on, with its interface's name. */
  addresses: Array<{ address: string; interface: string }>
  /** What a Mobile app key's QR code carries: `ip:port` entries. */
  hosts: string[]
  /** SHA-256 of the certificate's public key (base64url), which phones pin; null before it was made. */
  fingerprint: string | null
  connections: number
  /** Why it is not listening although on, in words for people. */
  problem: string | null
}
