import { z } from 'zod'
import { UUID } from '../text'
import { REVEAL_DECISIONS, type AgentPrompt, type AgentStatus, type NetworkStatus } from '../types/agent'
import { appId } from './apps.contract'
import { PAIRING_IDLE_MAX_DAYS, type PairingId, type PairingSummary } from '../types/pairings'
import { channel } from './define'

const promptId = z.string().regex(UUID, 'That question is no longer asked.')

const pairingId = z
  .string()
  .regex(UUID, 'The connected app id is not valid.')
  .transform((value) => value as PairingId)

/** The scope chosen in the approval dialog: every API secret, or only those with one of the tags. */
export const pairingScope = z.union([
  z.strictObject({ secrets: z.literal('all') }),
  z.strictObject({
    secrets: z.literal('tagged'),
    tags: z
      .array(z.string().trim().min(1, 'A tag cannot be empty.').max(50, 'A tag has at most 50 characters.'), { error: 'Choose at least one tag.' })
      .min(1, 'Choose at least one tag, or let the app read all API secrets.')
      .max(20, 'Choose at most 20 tags.'),
  }),
])

export const idleRevokeDays = z
  .number({ message: 'The number of days must be a number.' })
  .int('The number of days must be a whole number.')
  .min(0, 'The number of days cannot be negative (0 turns the idle revoke off).')
  .max(PAIRING_IDLE_MAX_DAYS, `The number of days is at most ${PAIRING_IDLE_MAX_DAYS}.`)

/**
 * Local access: the agent that companions, scripts and terminals connect to, the questions it
 * asks the person (pairing approval, reveal confirmation, a terminal), and Settings > Connected apps.
 */
export const agentChannels = {
  agentStatus: channel<AgentStatus>()('agent:status', z.strictObject({})),
  /** Settings > Connected apps: turns the local endpoint on or off (kept in the vault). */
  agentSetEnabled: channel<AgentStatus>()('agent:set-enabled', z.strictObject({ enabled: z.boolean() })),
  /** Idle auto-revoke: pairings unused this many days end (0: never). */
  agentSetIdleDays: channel<AgentStatus>()('agent:set-idle-days', z.strictObject({ days: idleRevokeDays })),
  /** The questions waiting for the person (polled by the window; not activity for the idle lock). */
  agentPrompts: channel<AgentPrompt[]>()('agent:prompts', z.strictObject({})),
  /** Settings > Connected apps > Phones on this network: what it is set to, where it listens, the fingerprint phones pin. */
  agentNetworkStatus: channel<NetworkStatus>()('agent:network-status', z.strictObject({})),
  /** Turns it on or off, keeps it on with no phone paired, listens while locked (each optional; kept in the vault). */
  agentSetNetwork: channel<NetworkStatus>()(
    'agent:set-network',
    z.strictObject({ on: z.boolean().optional(), keepOn: z.boolean().optional(), whileLocked: z.boolean().optional() }),
  ),
  /** A Mobile app key's QR screen closed: an endpoint the key turned on turns off again unless a phone paired. */
  agentQrClosed: channel<NetworkStatus>()('agent:qr-closed', z.strictObject({ id: appId })),
  /** Approve (with scope and reveal policy) or deny a pairing. `answered` is false when the question is gone. */
  agentAnswerPairing: channel<{ answered: boolean }>()(
    'agent:answer-pairing',
    z.union([
      z.strictObject({ id: promptId, approved: z.literal(false) }),
      z.strictObject({ id: promptId, approved: z.literal(true), scope: pairingScope, reveal: z.enum(['ask', 'allow']) }),
    ]),
  ),
  agentAnswerReveal: channel<{ answered: boolean }>()('agent:answer-reveal', z.strictObject({ id: promptId, decision: z.enum(REVEAL_DECISIONS) })),
  /** Allow or deny a terminal's commands in the unlocked app (docs/terminal-sessions.md §3). */
  agentAnswerTerminal: channel<{ answered: boolean }>()('agent:answer-terminal', z.strictObject({ id: promptId, allow: z.boolean() })),
  pairingsList: channel<PairingSummary[]>()('pairings:list', z.strictObject({})),
  /** Ends one pairing now; its live connections close within a second. */
  pairingsRevoke: channel<PairingSummary>()('pairings:revoke', z.strictObject({ id: pairingId })),
  /** Ends every live pairing. */
  pairingsRevokeAll: channel<{ ended: number }>()('pairings:revoke-all', z.strictObject({})),
} as const

/**
 * Channels the window polls on its own (every second while unlocked): they are not the
 * person's activity, so main's idle lock ignores them and so does the renderer's count of
 * contact with main.
 */
export const POLLED_METHODS = ['agentPrompts', 'agentStatus', 'agentNetworkStatus'] as const satisfies ReadonlyArray<keyof typeof agentChannels>
