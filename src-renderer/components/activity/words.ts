import { ACTIVITY_EVENTS, ACTOR_TYPES, type ActivityDetail, type ActivityEntry, type ActivityEvent, type Actor, type ActorType, type Outcome, type Target } from '../../../src-shared/types/activity'

/**
 * How the activity log is worded for people, one definition each: an event, who did it, what
 * it was done to, how it ended, and the short detail. SECURITY: entries hold public facts only
 * (docs/activity-log.md §1); nothing here may add anything else.
 */

/** Each event in words, and the group its filter option sits under. Every event of ACTIVITY_EVENTS has one. */
export const EVENT_WORDS: Record<ActivityEvent, { label: string; group: EventGroup }> = {
  'secret.added': { label: 'API secret added', group: 'API secrets' },
  'secret.edited': { label: 'API secret edited', group: 'API secrets' },
  'secret.deleted': { label: 'API secret deleted', group: 'API secrets' },
  'secret.imported': { label: 'API secrets imported', group: 'API secrets' },
  'secret.revealed': { label: 'Client secret shown', group: 'API secrets' },
  'secret.copied': { label: 'Copied', group: 'API secrets' },
  'secrets.exported': { label: 'API secrets exported', group: 'API secrets' },
  'app.created': { label: 'Authorization key created', group: 'My apps' },
  'app.edited': { label: 'Application edited', group: 'My apps' },
  'app.paired': { label: 'Paired', group: 'My apps' },
  'app.pairing-denied': { label: 'Pairing denied', group: 'My apps' },
  'app.signed-out': { label: 'Signed out', group: 'My apps' },
  'app.expired': { label: 'Key expired', group: 'My apps' },
  'app.revoked': { label: 'Revoked', group: 'My apps' },
  'pairing.request': { label: 'Request', group: 'My apps' },
  'appkey.generated': { label: 'Application key generated', group: 'Application keys' },
  'appkey.added': { label: 'Third-party key added', group: 'Application keys' },
  'appkey.roles-changed': { label: 'Roles changed', group: 'Application keys' },
  'appkey.activated': { label: 'Key activated', group: 'Application keys' },
  'appkey.deactivated': { label: 'Key deactivated', group: 'Application keys' },
  'appkey.removed': { label: 'Key removed', group: 'Application keys' },
  'appkey.exported': { label: 'Keys exported', group: 'Application keys' },
  'appkey.used': { label: 'Key used', group: 'Application keys' },
  'vault.unlocked': { label: 'Unlocked', group: 'Vault' },
  'vault.unlock-failed': { label: 'Wrong password', group: 'Vault' },
  'vault.locked': { label: 'Locked', group: 'Vault' },
  'vault.password-changed': { label: 'Master password changed', group: 'Vault' },
  'vault.rekeyed': { label: 'Encryption key rotated', group: 'Vault' },
  'terminal.allowed': { label: 'Terminal allowed', group: 'Terminals' },
  'terminal.denied': { label: 'Terminal refused', group: 'Terminals' },
  'log.pruned': { label: 'Old entries removed', group: 'Activity log' },
  'log.exported': { label: 'Activity exported', group: 'Activity log' },
  'log.retention-changed': { label: 'How long entries are kept changed', group: 'Activity log' },
  'log.restore-accepted': { label: 'Older vault copy accepted', group: 'Activity log' },
}

export const EVENT_GROUPS = ['API secrets', 'My apps', 'Application keys', 'Vault', 'Terminals', 'Activity log'] as const
export type EventGroup = (typeof EVENT_GROUPS)[number]

/** The event filter's options: every event under its group, in the order of ACTIVITY_EVENTS. */
export function eventOptions(): Array<{ group: EventGroup; events: Array<{ value: ActivityEvent; label: string }> }> {
  const events = Object.entries(EVENT_WORDS) as Array<[ActivityEvent, { label: string; group: EventGroup }]>
  return EVENT_GROUPS.map((group) => ({
    group,
    events: events.filter(([, w]) => w.group === group).map(([value, w]) => ({ value, label: value === 'secret.copied' ? COPIED_OPTION : w.label })),
  }))
}

/** "Copied" alone is the row's word when the field is unknown; the filter names both fields. */
const COPIED_OPTION = 'Client ID or client secret copied'

const FIELD_WORDS: Record<string, string> = {
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  name: 'Name',
  url: 'URL',
  identifier: 'Identifier',
  method: 'Method',
  tags: 'Tags',
  notes: 'Notes',
}

/** One entry's event in words: a copy says which field ("Client secret copied"). */
export function eventText(entry: Pick<ActivityEntry, 'event' | 'detail'>): string {
  if (entry.event === 'secret.copied') {
    const field = typeof entry.detail.field === 'string' ? FIELD_WORDS[entry.detail.field] : undefined
    return field ? copiedText(field) : EVENT_WORDS['secret.copied'].label
  }
  return EVENT_WORDS[entry.event]?.label ?? entry.event
}

const copiedText = (field: string) => `${field} copied`

/** Every way an event can read on screen: its row's words (each field a copy can name) and its filter option. */
function eventWords(event: ActivityEvent): string[] {
  const { label } = EVENT_WORDS[event]
  return event === 'secret.copied' ? [label, COPIED_OPTION, ...Object.values(FIELD_WORDS).map(copiedText)] : [label]
}

/** The actor filter's options. */
export const ACTOR_WORDS: Record<ActorType, string> = {
  app: 'This app',
  cli: 'The keyhold command',
  pairing: 'Paired apps',
  appkey: 'Application keys',
  agent: 'The access agent',
  system: 'Keyhold on its own',
}

const ACTOR_NAMES: Record<ActorType, string> = {
  app: 'The app',
  cli: 'The CLI',
  pairing: 'Pairing',
  appkey: 'Key',
  agent: 'Access agent',
  system: 'Keyhold (automatic)',
}

/** Who did it: the app, the CLI, a pairing or key by its name, or by its id when it has none. */
export function actorText(actor: Actor): { text: string; mono: boolean } {
  if (actor.name) return { text: actor.name, mono: false }
  if (actor.id) return { text: actor.type === 'pairing' ? `Pairing ${shortId(actor.id)}` : actor.id, mono: actor.type !== 'pairing' }
  return { text: ACTOR_NAMES[actor.type] ?? actor.type, mono: false }
}

const ACTOR_KINDS: Partial<Record<ActorType, string>> = { pairing: 'Paired app', appkey: 'Application key' }

/** What kind of actor, under its name: nothing for the app and the CLI, which say it already. */
export function actorKind(actor: Actor): string | null {
  if (actor.type === 'pairing') return actor.name ? (ACTOR_KINDS.pairing ?? null) : null
  return ACTOR_KINDS[actor.type] ?? null
}

/** Every way a kind of actor can read on screen: its filter option, its name in a row, the kind under a name. */
function actorWords(type: ActorType): string[] {
  return [ACTOR_WORDS[type], ACTOR_NAMES[type], ACTOR_KINDS[type]].filter((words): words is string => words !== undefined)
}

/**
 * What a search typed in Activity matches among the words on screen, besides the names the
 * log holds: the events and the kinds of actor whose words contain it, case-insensitively
 * ("wrong password" is vault.unlock-failed, "the keyhold command" the CLI). Main matches their
 * entries too (ActivityQuery.searchEvents, searchActorTypes).
 */
export function searchMatches(search: string): { events: ActivityEvent[]; actorTypes: ActorType[] } {
  const words = search.trim().replace(/\s+/g, ' ').toLowerCase()
  if (!words) return { events: [], actorTypes: [] }
  const has = (texts: string[]) => texts.some((text) => text.toLowerCase().includes(words))
  return {
    events: ACTIVITY_EVENTS.filter((event) => has(eventWords(event))),
    actorTypes: ACTOR_TYPES.filter((type) => has(actorWords(type))),
  }
}

const TARGET_KINDS: Record<Target['type'], string> = {
  secret: 'API secret',
  app: 'Application',
  pairing: 'Pairing',
  appkey: 'Application key',
  vault: 'Vault',
  log: 'Activity log',
}

/** What it was done to, by name; by kind and a short id when it has no name (a request names the secret by id). */
export function targetText(target: Target | null): { text: string; kind: string } | null {
  if (!target) return null
  const kind = TARGET_KINDS[target.type] ?? target.type
  if (target.name) return { text: target.name, kind }
  if (target.type === 'vault' || target.type === 'log' || !target.id) return { text: kind, kind: '' }
  return { text: `${kind} ${shortId(target.id)}`, kind: '' }
}

/** A UUID's first block, enough to tell entries apart; the whole id is in the title. */
function shortId(id: string): string {
  return /^[0-9a-f]{8}-/i.test(id) ? `${id.slice(0, 8)}…` : id
}

/** The outcome's badge: its word and tone. */
export const OUTCOME_WORDS: Record<Outcome, { label: string; tone: 'success' | 'warning' | 'danger' }> = {
  ok: { label: 'Allowed', tone: 'success' },
  denied: { label: 'Denied', tone: 'warning' },
  forbidden: { label: 'Refused', tone: 'danger' },
  failed: { label: 'Failed', tone: 'danger' },
}

/** Events that are an access someone was given: their success reads "Allowed"; any other succeeded event reads "Done". */
const ACCESSES: ReadonlySet<ActivityEntry['event']> = new Set(['secret.revealed', 'secret.copied', 'pairing.request', 'appkey.used', 'app.paired', 'terminal.allowed'])

/** The badge of one entry: "Allowed" for an access given, "Done" for anything else that succeeded (a lock, an edit). */
export function outcomeWords(entry: Pick<ActivityEntry, 'event' | 'outcome'>): { label: string; tone: 'success' | 'warning' | 'danger' } {
  if (entry.outcome === 'ok' && !ACCESSES.has(entry.event)) return { label: 'Done', tone: 'success' }
  return OUTCOME_WORDS[entry.outcome]
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const list = (value: unknown): string[] | null => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null)

/** The short detail of an entry (the field copied, the op of a request, the roles), or '' when there is nothing to add. */
export function detailText(entry: Pick<ActivityEntry, 'event' | 'detail'>): string {
  const text = eventDetailText(entry)
  // Waited in the journal outside the vault (a wrong password, a command that only read): not tamper-evident until taken in.
  if (entry.detail?.journal !== true) return text
  const dropped = num(entry.detail.earlierDropped)
  return [text, 'From the journal (not tamper-evident)', dropped ? `${dropped.toLocaleString()} earlier ones were not kept` : ''].filter(Boolean).join(' · ')
}

function eventDetailText(entry: Pick<ActivityEntry, 'event' | 'detail'>): string {
  const d: ActivityDetail = entry.detail ?? {}
  switch (entry.event) {
    case 'secret.copied':
      return ''
    case 'secret.edited': {
      const fields = list(d.fields)
      return fields?.length ? `Changed: ${fields.map((f) => FIELD_WORDS[f] ?? f).join(', ')}` : ''
    }
    case 'secret.imported':
    case 'secrets.exported':
      return num(d.count) === null ? '' : plural(num(d.count)!, 'API secret')
    case 'pairing.request':
    case 'appkey.used':
      return str(d.op) ?? ''
    case 'appkey.generated':
    case 'appkey.added':
    case 'appkey.roles-changed':
    case 'appkey.activated':
    case 'appkey.deactivated':
    case 'appkey.removed': {
      const roles = list(d.roles)
      return roles ? (roles.length ? `Roles: ${roles.join(', ')}` : 'No roles') : ''
    }
    case 'appkey.exported':
      return [num(d.count) === null ? null : plural(num(d.count)!, 'key'), str(d.file)].filter(Boolean).join(' to ')
    case 'app.created':
      return d.type === 'mobile' ? 'Mobile app' : d.type === 'extension' ? 'Browser extension' : ''
    case 'app.paired': {
      const scope = d.scope === 'all' ? 'all API secrets' : list(d.scope)?.length ? `tagged ${list(d.scope)!.join(', ')}` : null
      return [str(d.device), scope].filter(Boolean).join(' · ')
    }
    case 'app.signed-out':
    case 'app.revoked':
    case 'app.pairing-denied':
      return [str(d.device), reasonText(str(d.reason))].filter(Boolean).join(' · ')
    case 'vault.unlocked':
      return d.with === 'device' ? 'With this device' : d.with === 'password' ? 'With the master password' : ''
    case 'vault.unlock-failed':
      return num(d.count) === null ? '' : num(d.count) === 1 ? 'Once' : `${num(d.count)!.toLocaleString()} times`
    case 'log.exported':
      return [str(d.format)?.toUpperCase(), num(d.count) === null ? null : entriesText(num(d.count)!)].filter(Boolean).join(', ')
    case 'log.pruned':
      return num(d.removed) === null ? '' : `${entriesText(num(d.removed)!)} (${num(d.firstSeq)} to ${num(d.lastSeq)})`
    case 'log.retention-changed': {
      const now = retentionText(num(d.days), num(d.entries))
      const was = retentionText(num(d.previousDays), num(d.previousEntries))
      return now ? `${now}${was ? ` (was ${was})` : ''}` : ''
    }
    case 'terminal.allowed':
    case 'terminal.denied':
      return [str(d.command) && `keyhold ${str(d.command)}`, str(d.terminal), num(d.pid) === null ? null : `process ${num(d.pid)}`].filter(Boolean).join(' · ')
    case 'log.restore-accepted':
      return num(d.vaultLast) === null || num(d.seenLast) === null
        ? ''
        : `The vault's log ends at entry ${num(d.vaultLast)!.toLocaleString()}; this computer had seen entry ${num(d.seenLast)!.toLocaleString()}`
    default:
      return ''
  }
}

const REASONS: Record<string, string> = {
  denied: 'denied on this computer',
  timeout: 'nobody answered in time',
  cancelled: 'cancelled',
  revoked: 'revoked',
  'revoked-all': 'revoke all',
  idle: 'unused too long',
  'signed-out': 'signed out',
  expired: 'expired',
}

function reasonText(reason: string | null): string | null {
  return reason === null ? null : (REASONS[reason] ?? reason)
}

/** How long entries are kept, as Settings says it: "365 days, 100,000 entries"; null without both numbers. */
export function retentionText(days: number | null, entries: number | null): string | null {
  return days === null || entries === null ? null : `${daysText(days)}, ${entriesText(entries)}`
}

/** "365 days". */
export function daysText(n: number): string {
  return plural(n, 'day')
}

/** "1,204 entries". */
export function entriesText(n: number): string {
  return `${n.toLocaleString()} ${n === 1 ? 'entry' : 'entries'}`
}
