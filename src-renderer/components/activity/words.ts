import { ACTIVITY_EVENTS, ACTOR_TYPES, type ActivityDetail, type ActivityEntry, type ActivityEvent, type Actor, type ActorType, type Outcome, type Target } from '../../../src-shared/types/activity'
import { formattingLocale, t } from '../../i18n'
import { recordedRoleName } from '../app-keys/role-text'

/**
 * How the activity log is worded for people, one definition each: an event, who did it, what
 * it was done to, how it ended, and the short detail. Every word comes from the `activity` area
 * of the locales (src-renderer/i18n), read when it is shown, so a change of language shows at
 * once: the tables below hold keys, never words. SECURITY: entries hold public facts only
 * (docs/activity-log.md §1); nothing here may add anything else.
 */

/** The groups of the event filter, by id (their words are groupLabel's). */
export const EVENT_GROUPS = ['apiSecrets', 'myApps', 'applicationKeys', 'vault', 'terminals', 'activityLog'] as const
export type EventGroup = (typeof EVENT_GROUPS)[number]

/** Each event's key, and the group its filter option sits under. Every event of ACTIVITY_EVENTS has one. */
const EVENTS: Record<ActivityEvent, { key: string; group: EventGroup }> = {
  'secret.added': { key: 'activity.events.secretAdded', group: 'apiSecrets' },
  'secret.edited': { key: 'activity.events.secretEdited', group: 'apiSecrets' },
  'secret.deleted': { key: 'activity.events.secretDeleted', group: 'apiSecrets' },
  'secret.imported': { key: 'activity.events.secretImported', group: 'apiSecrets' },
  'secret.revealed': { key: 'activity.events.secretRevealed', group: 'apiSecrets' },
  'secret.copied': { key: 'common.copied', group: 'apiSecrets' },
  'secrets.exported': { key: 'activity.events.secretsExported', group: 'apiSecrets' },
  'app.created': { key: 'activity.events.appCreated', group: 'myApps' },
  'app.edited': { key: 'activity.events.appEdited', group: 'myApps' },
  'app.paired': { key: 'activity.events.appPaired', group: 'myApps' },
  'app.pairing-denied': { key: 'activity.events.appPairingDenied', group: 'myApps' },
  'app.signed-out': { key: 'activity.events.appSignedOut', group: 'myApps' },
  'app.expired': { key: 'activity.events.appExpired', group: 'myApps' },
  'app.revoked': { key: 'activity.events.appRevoked', group: 'myApps' },
  'pairing.request': { key: 'activity.events.pairingRequest', group: 'myApps' },
  'appkey.generated': { key: 'activity.events.appkeyGenerated', group: 'applicationKeys' },
  'appkey.added': { key: 'activity.events.appkeyAdded', group: 'applicationKeys' },
  'appkey.roles-changed': { key: 'activity.events.appkeyRolesChanged', group: 'applicationKeys' },
  'appkey.activated': { key: 'activity.events.appkeyActivated', group: 'applicationKeys' },
  'appkey.deactivated': { key: 'activity.events.appkeyDeactivated', group: 'applicationKeys' },
  'appkey.removed': { key: 'activity.events.appkeyRemoved', group: 'applicationKeys' },
  'appkey.exported': { key: 'activity.events.appkeyExported', group: 'applicationKeys' },
  'appkey.used': { key: 'activity.events.appkeyUsed', group: 'applicationKeys' },
  'vault.unlocked': { key: 'activity.events.vaultUnlocked', group: 'vault' },
  'vault.unlock-failed': { key: 'activity.events.vaultUnlockFailed', group: 'vault' },
  'vault.locked': { key: 'activity.events.vaultLocked', group: 'vault' },
  'vault.password-changed': { key: 'activity.events.vaultPasswordChanged', group: 'vault' },
  'vault.rekeyed': { key: 'activity.events.vaultRekeyed', group: 'vault' },
  'terminal.allowed': { key: 'activity.events.terminalAllowed', group: 'terminals' },
  'terminal.denied': { key: 'activity.events.terminalDenied', group: 'terminals' },
  'log.pruned': { key: 'activity.events.logPruned', group: 'activityLog' },
  'log.exported': { key: 'activity.events.logExported', group: 'activityLog' },
  'log.retention-changed': { key: 'activity.events.logRetentionChanged', group: 'activityLog' },
  'log.restore-accepted': { key: 'activity.events.logRestoreAccepted', group: 'activityLog' },
}

/** An event in words ("API secret added"), in the language in use; the stored name for an event this renderer does not know. */
export function eventLabel(event: ActivityEvent): string {
  const known = EVENTS[event]
  return known ? t(known.key) : event
}

/** A group of the event filter in words ("API secrets"). */
export function groupLabel(group: EventGroup): string {
  return t(`activity.groups.${group}`)
}

/**
 * Each event's words and group, as other screens name an event (Settings > Activity log says
 * how the log records a change). `label` is read when it is used, in the language in use then:
 * read it in a template or a computed, not once at load.
 */
export const EVENT_WORDS: Readonly<Record<ActivityEvent, { readonly label: string; readonly group: EventGroup }>> = Object.fromEntries(
  ACTIVITY_EVENTS.map((event) => [
    event,
    Object.freeze({
      get label() {
        return eventLabel(event)
      },
      group: EVENTS[event].group,
    }),
  ]),
) as Record<ActivityEvent, { readonly label: string; readonly group: EventGroup }>

/** The event filter's options: every event under its group, in the order of ACTIVITY_EVENTS. */
export function eventOptions(): Array<{ group: EventGroup; label: string; events: Array<{ value: ActivityEvent; label: string }> }> {
  const events = Object.entries(EVENTS) as Array<[ActivityEvent, { key: string; group: EventGroup }]>
  return EVENT_GROUPS.map((group) => ({
    group,
    label: groupLabel(group),
    events: events.filter(([, w]) => w.group === group).map(([value]) => ({ value, label: value === 'secret.copied' ? copiedOption() : eventLabel(value) })),
  }))
}

/** "Copied" alone is the row's word when the field is unknown; the filter names both fields. */
const copiedOption = () => t('activity.events.copiedOption')

/** A secret's fields, as an edit lists them ("Changed: Name, URL"). */
const FIELD_KEYS: Record<string, string> = {
  clientId: 'activity.fields.clientId',
  clientSecret: 'activity.fields.clientSecret',
  name: 'common.name',
  url: 'activity.fields.url',
  identifier: 'activity.fields.identifier',
  method: 'activity.fields.method',
  tags: 'common.tags',
  notes: 'activity.fields.notes',
}

/** A copy of each field, in words of its own ("Client secret copied"; in Portuguese the word agrees with the field). */
const COPIED_KEYS: Record<string, string> = Object.fromEntries(Object.keys(FIELD_KEYS).map((field) => [field, `activity.copied.${field}`]))

function fieldText(field: string): string {
  const key = Object.hasOwn(FIELD_KEYS, field) ? FIELD_KEYS[field] : undefined
  return key ? t(key) : field
}

/** One entry's event in words: a copy says which field ("Client secret copied"). */
export function eventText(entry: Pick<ActivityEntry, 'event' | 'detail'>): string {
  if (entry.event === 'secret.copied') {
    const key = typeof entry.detail.field === 'string' && Object.hasOwn(COPIED_KEYS, entry.detail.field) ? COPIED_KEYS[entry.detail.field] : undefined
    return key ? t(key) : eventLabel('secret.copied')
  }
  return eventLabel(entry.event)
}

/** Every way an event can read on screen: its row's words (each field a copy can name) and its filter option. */
function eventWords(event: ActivityEvent): string[] {
  const label = eventLabel(event)
  return event === 'secret.copied' ? [label, copiedOption(), ...Object.values(COPIED_KEYS).map((key) => t(key))] : [label]
}

/** Whether this renderer has words for a kind of actor (a newer main may log one it does not know). */
const knownActor = (type: ActorType): boolean => (ACTOR_TYPES as readonly string[]).includes(type)

/** The actor filter's option for a kind of actor ("This app", "The keyhold command"). */
export function actorFilterLabel(type: ActorType): string {
  return knownActor(type) ? t(`activity.actors.filter.${type}`) : type
}

/** A kind of actor's name in a row when it has no name of its own ("The app", "The CLI"). */
function actorName(type: ActorType): string {
  return knownActor(type) ? t(`activity.actors.names.${type}`) : type
}

/** Who did it: the app, the CLI, a pairing or key by its name, or by its id when it has none. */
export function actorText(actor: Actor): { text: string; mono: boolean } {
  if (actor.name) return { text: actor.name, mono: false }
  if (actor.id) return { text: actor.type === 'pairing' ? t('activity.actors.pairingId', { id: shortId(actor.id) }) : actor.id, mono: actor.type !== 'pairing' }
  return { text: actorName(actor.type), mono: false }
}

const ACTOR_KIND_KEYS: Partial<Record<ActorType, string>> = { pairing: 'activity.actors.kinds.pairing', appkey: 'activity.actors.kinds.appkey' }

const kindOf = (type: ActorType): string | null => (ACTOR_KIND_KEYS[type] ? t(ACTOR_KIND_KEYS[type]) : null)

/** What kind of actor, under its name: nothing for the app and the CLI, which say it already. */
export function actorKind(actor: Actor): string | null {
  if (actor.type === 'pairing') return actor.name ? kindOf('pairing') : null
  return kindOf(actor.type)
}

/** Every way a kind of actor can read on screen: its filter option, its name in a row, the kind under a name. */
function actorWords(type: ActorType): string[] {
  return [actorFilterLabel(type), actorName(type), kindOf(type)].filter((words): words is string => words !== null)
}

/**
 * What a search typed in Activity matches among the words on screen, in the language in use,
 * besides the names the log holds: the events and the kinds of actor whose words contain it,
 * case-insensitively ("wrong password" is vault.unlock-failed, "the keyhold command" the CLI).
 * Main matches their entries too (ActivityQuery.searchEvents, searchActorTypes).
 */
export function searchMatches(search: string): { events: ActivityEvent[]; actorTypes: ActorType[] } {
  const words = search.trim().replace(/\s+/g, ' ').toLocaleLowerCase()
  if (!words) return { events: [], actorTypes: [] }
  const has = (texts: string[]) => texts.some((text) => text.toLocaleLowerCase().includes(words))
  return {
    events: ACTIVITY_EVENTS.filter((event) => has(eventWords(event))),
    actorTypes: ACTOR_TYPES.filter((type) => has(actorWords(type))),
  }
}

const TARGET_KEYS: Record<Target['type'], string> = {
  secret: 'activity.targets.secret',
  app: 'activity.targets.app',
  pairing: 'activity.targets.pairing',
  appkey: 'activity.targets.appkey',
  vault: 'activity.targets.vault',
  log: 'activity.targets.log',
}

/** What it was done to, by name; by kind and a short id when it has no name (a request names the secret by id). */
export function targetText(target: Target | null): { text: string; kind: string } | null {
  if (!target) return null
  const kind = TARGET_KEYS[target.type] ? t(TARGET_KEYS[target.type]) : target.type
  if (target.name) return { text: target.name, kind }
  if (target.type === 'vault' || target.type === 'log' || !target.id) return { text: kind, kind: '' }
  return { text: t('activity.targets.withId', { kind, id: shortId(target.id) }), kind: '' }
}

/** A UUID's first block, enough to tell entries apart; the whole id is in the title. */
function shortId(id: string): string {
  return /^[0-9a-f]{8}-/i.test(id) ? `${id.slice(0, 8)}…` : id
}

type Tone = 'success' | 'warning' | 'danger'

/** Each outcome's badge: the key of its word, and its tone. */
const OUTCOMES: Record<Outcome, { key: string; tone: Tone }> = {
  ok: { key: 'activity.outcomes.allowed', tone: 'success' },
  denied: { key: 'activity.outcomes.denied', tone: 'warning' },
  forbidden: { key: 'activity.outcomes.refused', tone: 'danger' },
  failed: { key: 'activity.outcomes.failed', tone: 'danger' },
}

/** Events that are an access someone was given: their success reads "Allowed"; any other succeeded event reads "Done". */
const ACCESSES: ReadonlySet<ActivityEntry['event']> = new Set(['secret.revealed', 'secret.copied', 'pairing.request', 'appkey.used', 'app.paired', 'terminal.allowed'])

/** The badge of one entry: "Allowed" for an access given, "Done" for anything else that succeeded (a lock, an edit). */
export function outcomeWords(entry: Pick<ActivityEntry, 'event' | 'outcome'>): { label: string; tone: Tone } {
  if (entry.outcome === 'ok' && !ACCESSES.has(entry.event)) return { label: t('common.done'), tone: 'success' }
  const outcome = OUTCOMES[entry.outcome]
  return outcome ? { label: t(outcome.key), tone: outcome.tone } : { label: entry.outcome, tone: 'warning' }
}

/** A number as the language in use writes it ("1,204"; "1.204" in Portuguese). */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(formattingLocale()).format(n)
}

/** A count in words, with its number written for the language in use: "3 API secrets". */
const counted = (key: string, n: number): string => t(key, { n: formatCount(n) }, n)

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const list = (value: unknown): string[] | null => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null)

/** The short detail of an entry (the field copied, the op of a request, the roles), or '' when there is nothing to add. */
export function detailText(entry: Pick<ActivityEntry, 'event' | 'detail'>): string {
  const text = eventDetailText(entry)
  // Waited in the journal outside the vault (a wrong password, a command that only read): not tamper-evident until taken in.
  if (entry.detail?.journal !== true) return text
  const dropped = num(entry.detail.earlierDropped)
  return [text, t('activity.detail.journal'), dropped ? counted('activity.detail.earlierDropped', dropped) : ''].filter(Boolean).join(' · ')
}

function eventDetailText(entry: Pick<ActivityEntry, 'event' | 'detail'>): string {
  const d: ActivityDetail = entry.detail ?? {}
  switch (entry.event) {
    case 'secret.copied':
      return ''
    case 'secret.edited': {
      const fields = list(d.fields)
      return fields?.length ? t('activity.detail.changed', { fields: fields.map(fieldText).join(', ') }) : ''
    }
    case 'secret.imported':
    case 'secrets.exported':
      return num(d.count) === null ? '' : counted('activity.count.apiSecrets', num(d.count)!)
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
      // Role names as recorded: a built-in role's in the app's language, a typed one as typed.
      return roles ? (roles.length ? t('activity.detail.roles', { roles: roles.map(recordedRoleName).join(', ') }) : t('activity.detail.noRoles')) : ''
    }
    case 'appkey.exported': {
      const keys = num(d.count) === null ? null : counted('activity.count.keys', num(d.count)!)
      const file = str(d.file)
      return keys && file ? t('activity.detail.keysTo', { keys, file }) : (keys ?? file ?? '')
    }
    case 'app.created':
      return d.type === 'mobile' ? t('activity.detail.mobileApp') : d.type === 'extension' ? t('activity.detail.browserExtension') : ''
    case 'app.paired': {
      const tags = list(d.scope)
      const scope = d.scope === 'all' ? t('activity.detail.scopeAll') : tags?.length ? t('activity.detail.scopeTagged', { tags: tags.join(', ') }) : null
      return [str(d.device), scope].filter(Boolean).join(' · ')
    }
    case 'app.signed-out':
    case 'app.revoked':
    case 'app.pairing-denied':
      return [str(d.device), reasonText(str(d.reason))].filter(Boolean).join(' · ')
    case 'vault.unlocked':
      return d.with === 'device' ? t('activity.detail.withDevice') : d.with === 'password' ? t('activity.detail.withPassword') : ''
    case 'vault.unlock-failed':
      return num(d.count) === null ? '' : counted('activity.count.times', num(d.count)!)
    case 'log.exported':
      return [str(d.format)?.toUpperCase(), num(d.count) === null ? null : entriesText(num(d.count)!)].filter(Boolean).join(', ')
    case 'log.pruned':
      return num(d.removed) === null
        ? ''
        : t('activity.detail.pruned', { entries: entriesText(num(d.removed)!), first: String(num(d.firstSeq)), last: String(num(d.lastSeq)) })
    case 'log.retention-changed': {
      const now = retentionText(num(d.days), num(d.entries))
      const was = retentionText(num(d.previousDays), num(d.previousEntries))
      return now ? (was ? t('activity.detail.retentionWas', { now, was }) : now) : ''
    }
    case 'terminal.allowed':
    case 'terminal.denied':
      return [
        str(d.command) && `keyhold ${str(d.command)}`,
        str(d.terminal),
        num(d.pid) === null ? null : t('activity.detail.process', { pid: String(num(d.pid)) }),
      ]
        .filter(Boolean)
        .join(' · ')
    case 'log.restore-accepted':
      return num(d.vaultLast) === null || num(d.seenLast) === null
        ? ''
        : t('activity.detail.restoreAccepted', { vaultLast: formatCount(num(d.vaultLast)!), seenLast: formatCount(num(d.seenLast)!) })
    default:
      return ''
  }
}

/** Why a pairing ended, by the code main stores. */
const REASON_KEYS: Record<string, string> = {
  denied: 'activity.reasons.denied',
  timeout: 'activity.reasons.timeout',
  cancelled: 'activity.reasons.cancelled',
  revoked: 'activity.reasons.revoked',
  'revoked-all': 'activity.reasons.revokedAll',
  idle: 'activity.reasons.idle',
  'signed-out': 'activity.reasons.signedOut',
  expired: 'activity.reasons.expired',
}

function reasonText(reason: string | null): string | null {
  if (reason === null) return null
  const key = Object.hasOwn(REASON_KEYS, reason) ? REASON_KEYS[reason] : undefined
  return key ? t(key) : reason
}

/** How long entries are kept, as Settings says it: "365 days, 100,000 entries"; null without both numbers. */
export function retentionText(days: number | null, entries: number | null): string | null {
  return days === null || entries === null ? null : t('activity.count.retention', { days: daysText(days), entries: entriesText(entries) })
}

/** "365 days". */
export function daysText(n: number): string {
  return counted('activity.count.days', n)
}

/** "1,204 entries". */
export function entriesText(n: number): string {
  return counted('activity.count.entries', n)
}
