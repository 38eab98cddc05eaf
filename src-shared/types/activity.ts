/**
 * The activity log's entries (docs/activity-log.md §1, §2). SECURITY: an entry holds public
 * facts only (names and ids the person gave, counts, roles); never a secret, a token, a key,
 * a password, or anything from which one can be derived.
 */

export const ACTIVITY_EVENTS = [
  'secret.added',
  'secret.edited',
  'secret.deleted',
  'secret.imported',
  'secret.revealed',
  'secret.copied',
  'secrets.exported',
  'app.created',
  'app.edited',
  'app.paired',
  'app.pairing-denied',
  'app.signed-out',
  'app.expired',
  'app.revoked',
  'pairing.request',
  'appkey.generated',
  'appkey.added',
  'appkey.roles-changed',
  'appkey.activated',
  'appkey.deactivated',
  'appkey.removed',
  'appkey.exported',
  'appkey.used',
  'vault.unlocked',
  'vault.unlock-failed',
  'vault.locked',
  'vault.password-changed',
  'vault.rekeyed',
  'terminal.allowed',
  'terminal.denied',
  'log.pruned',
  'log.exported',
  'log.retention-changed',
  'log.restore-accepted',
] as const
export type ActivityEvent = (typeof ACTIVITY_EVENTS)[number]

export const ACTOR_TYPES = ['app', 'cli', 'pairing', 'appkey', 'agent', 'system'] as const
export type ActorType = (typeof ACTOR_TYPES)[number]
export const TARGET_TYPES = ['secret', 'app', 'pairing', 'appkey', 'vault', 'log'] as const
export type TargetType = (typeof TARGET_TYPES)[number]
export const OUTCOMES = ['ok', 'denied', 'forbidden', 'failed'] as const
export type Outcome = (typeof OUTCOMES)[number]

/** Who did it: the app or the CLI, or a pairing or application key by id and name. */
export interface Actor {
  type: ActorType
  id?: string
  name?: string
}

/** What it was done to, by id and name. */
export interface Target {
  type: TargetType
  id?: string
  name?: string
}

/** Public facts of one event: a field name, a count, roles, a scope. Small (at most 1,024 bytes as JSON). */
export type ActivityDetail = Record<string, string | number | boolean | null | string[]>

export interface ActivityEntry {
  seq: number
  at: string
  event: ActivityEvent
  actor: Actor
  target: Target | null
  outcome: Outcome
  detail: ActivityDetail
  /** HMAC chaining it to the entry before (base64). */
  mac: string
}

/** What the list shows (Activity, `keyhold audit list`): newest first. */
export interface ActivityQuery {
  since?: string
  until?: string
  event?: ActivityEvent
  actorType?: ActorType
  /** An actor's or target's id. */
  actorId?: string
  targetId?: string
  /** Words in the event, the actor's or the target's name. */
  search?: string
  /**
   * Events and kinds of actor whose words on screen match `search` (the app's labels, e.g.
   * "Wrong password" for vault.unlock-failed): their entries match too. Only with `search`.
   */
  searchEvents?: ActivityEvent[]
  searchActorTypes?: ActorType[]
  limit?: number
  /** Entries with a seq below this (the next page). */
  before?: number
}

export interface ActivityPage {
  items: ActivityEntry[]
  /** The seq to ask `before` for the next page, or null at the start of the log. */
  nextBefore: number | null
}

/** The result of checking the chain, in words for people and as positions. */
export interface ActivityVerification {
  ok: boolean
  count: number
  first: number | null
  last: number | null
  /** What is wrong and where, in words (null when intact). */
  problem: string | null
  /** The first position where it breaks. */
  at: number | null
  /**
   * True when the only problem is that the vault file is older than the log this computer saw
   * (a backup was put back): the person may accept it (docs/activity-log.md §3), and the log
   * records that they did.
   */
  restored: boolean
}

/** Retention (docs/activity-log.md §5): entries older than `days`, or beyond the newest `entries`, are removed. */
export interface ActivityRetention {
  days: number
  entries: number
}

/** Bounds of the retention setting: one day to ten years; 100 to 1,000,000 entries. */
export const RETENTION_LIMITS = { days: { min: 1, max: 3650 }, entries: { min: 100, max: 1_000_000 } } as const

export const ACTIVITY_EXPORT_FORMATS = ['csv', 'json'] as const
export type ActivityExportFormat = (typeof ACTIVITY_EXPORT_FORMATS)[number]

/** The export's result; `saved` is false when the person closed the save dialog. */
export interface ActivityExport {
  saved: boolean
  path: string | null
  count: number
}
