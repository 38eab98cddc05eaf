import { z } from 'zod'
import type { SerializedError } from '../errors'
import { isOneLine } from '../text'
import { MODES } from './protocol'

/**
 * The messages of the local access protocol, version 1 (docs/pairing-protocol.md §4 to §8),
 * as schemas both sides check with. Unknown fields are ignored (a later v1 may add optional
 * ones); a known field of the wrong type or out of bounds is a PROTOCOL_ERROR.
 */

export { appKeySignedMessage, MODES, PROLOGUE_LABEL, prologue, PROTOCOL_VERSION, readClearError, readServerHello, SUPPORTED_VERSIONS, type ClearError, type Mode, type ServerHello } from './protocol'


export const PLATFORMS = ['android', 'ios', 'linux', 'macos', 'windows', 'chrome', 'firefox', 'edge', 'safari', 'other'] as const
export const COMPANION_KINDS = ['mobile', 'extension', 'cli'] as const
export type CompanionKind = (typeof COMPANION_KINDS)[number]

/** The requests an agent of this version serves (hello.ops). */
export const OPS = [
  'session.ping',
  'secrets.list',
  'secrets.get',
  'secrets.reveal',
  'pairing.info',
  'pairing.signOut',
  'vault.requestUnlock',
  'apps.list',
  'audit.list',
  'cli.run',
  'cli.input',
] as const
export type Op = (typeof OPS)[number]

/** The uniform refusals: the same words for every reason, so a refusal says nothing more (§5.2, §6.1, §7). */
export const REFUSAL = {
  pair: 'This authorization key is not valid for this vault. Generate a new key in My apps and pair again.',
  session: 'This device is not paired with this vault. Pair it again with a new key from My apps.',
  appkey: 'forbidden',
  terminal: 'Keyhold did not allow this terminal. Allow it in the Keyhold app, or run the command with --no-agent to use the master password.',
} as const

const ID = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)
const oneLine = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => isOneLine(text))

export const clientHelloSchema = z.object({
  t: z.literal('hello'),
  v: z.array(z.number().int().min(1).max(1_000)).min(1).max(8),
  mode: z.enum(MODES),
  vault: ID.optional(),
  app: ID.optional(),
})
export type ClientHello = z.infer<typeof clientHelloSchema>

/** The application a pairing is for, as message 2 and the pairing view show it. */
export const appViewSchema = z.object({ id: ID, name: z.string().min(1).max(100), type: z.enum(['mobile', 'extension']) })

/** Pairing message 2's payload (D → C). */
export const pairOfferSchema = z.object({
  vault: ID,
  app: appViewSchema,
  expiresAt: z.string().max(40).nullable(),
})
export type PairOffer = z.infer<typeof pairOfferSchema>

/** Pairing message 3's payload (C → D): the companion's own claims, labelled so in the dialog. */
export const deviceClaimSchema = z.object({
  device: z.object({ name: oneLine(64), platform: z.enum(PLATFORMS) }),
  software: oneLine(64),
  kind: z.enum(COMPANION_KINDS),
})
export type DeviceClaim = z.infer<typeof deviceClaimSchema>

export const scopeSchema = z.union([
  z.object({ secrets: z.literal('all') }),
  z.object({ secrets: z.literal('tagged'), tags: z.array(z.string().min(1).max(50)).min(1).max(20) }),
])
export type PairingScope = z.infer<typeof scopeSchema>

export const REVEAL_POLICIES = ['ask', 'allow'] as const
export type RevealPolicy = (typeof REVEAL_POLICIES)[number]

/** What a paired companion is told about its pairing (pair.approved, pairing.info, IK message 2). */
export const pairingViewSchema = z.object({
  id: z.string().max(64),
  app: appViewSchema,
  scope: scopeSchema,
  reveal: z.enum(REVEAL_POLICIES),
  createdAt: z.string().max(40),
  expiresAt: z.string().max(40).nullable(),
})
export type PairingView = z.infer<typeof pairingViewSchema>

/** NX message 2's payload: a fresh challenge for a third-party key's signature. */
export const challengeSchema = z.object({ challenge: z.string().length(43) })

export const authSchema = z.union([
  z.object({ t: z.literal('auth'), key: z.string().min(1).max(200), token: z.string().min(1).max(200) }),
  z.object({ t: z.literal('auth'), key: z.string().min(1).max(200), sig: z.string().length(86) }),
])
export type AuthMessage = z.infer<typeof authSchema>

/**
 * A terminal's first transport frame (docs/terminal-sessions.md §2): what it says about itself,
 * shown to the person and used to key its grant. None of it can be checked by the agent.
 */
export const terminalClaimSchema = z.object({
  t: z.literal('terminal'),
  claim: z.object({
    command: oneLine(200),
    cwd: oneLine(1024),
    tty: oneLine(64).nullable(),
    sid: z.number().int().min(0).max(2 ** 31).nullable(),
    pid: z.number().int().min(0).max(2 ** 31),
    ppid: z.number().int().min(0).max(2 ** 31),
  }),
  /**
   * false: do not ask the person (`keyhold status`, `keyhold lock`). A terminal without a live
   * grant then gets a session that may only lock the vault (`grant: null` in terminal.result).
   */
  ask: z.boolean().optional(),
})
export type TerminalClaim = z.infer<typeof terminalClaimSchema>['claim']

/** The longest answer a terminal sends a command: a line of its standard input or a typed password. */
export const CLI_INPUT_MAX = 32 * 1024

/** During the approval wait the companion may only cancel. */
export const pairCancelSchema = z.object({ t: z.literal('pair.cancel') })

export const requestSchema = z.object({
  id: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
  op: z.string().max(64),
  args: z.record(z.string(), z.unknown()).optional(),
})
export type Request = z.infer<typeof requestSchema>

export type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError }

/** The args of each op; strict on known fields' types and bounds, silent on unknown fields. */
export const OP_ARGS = {
  'session.ping': z.object({}),
  'secrets.list': z.object({
    query: z.string().max(200, 'The search is longer than 200 characters.').optional(),
    tag: z.string().max(50, 'The tag is longer than 50 characters.').optional(),
    sort: z.enum(['name', 'updated']).optional(),
    offset: z.number().int().min(0).max(1_000_000).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  'secrets.get': z.object({ id: z.string().min(1).max(64) }),
  'secrets.reveal': z.object({ id: z.string().min(1).max(64) }),
  'pairing.info': z.object({}),
  'pairing.signOut': z.object({}),
  'vault.requestUnlock': z.object({}),
  'apps.list': z.object({ filter: z.enum(['current', 'inactive', 'all']).optional() }),
  'audit.list': z.object({
    since: z.string().max(40).optional(),
    event: z.string().max(40).optional(),
    before: z.number().int().min(1).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  }),
  'cli.run': z.object({
    argv: z.array(z.string().max(4096)).max(64),
    cwd: z.string().min(1).max(4096),
    columns: z.number().int().min(10).max(1000).optional(),
    /** The terminal takes the output as output frames (docs/terminal-sessions.md §4). */
    raw: z.boolean().optional(),
  }),
  'cli.input': z.union([
    z.object({ text: z.string().max(CLI_INPUT_MAX) }),
    z.object({ error: z.object({ code: z.string().max(64), message: z.string().max(500) }), usage: z.boolean().optional() }),
  ]),
} satisfies Record<Op, z.ZodType>
