import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import { dirname, join } from 'node:path'
import { canonicalTime } from '../../../src-shared/apps/iso-time'
import type { ActivityDetail, ActivityEntry, Actor, Outcome } from '../../../src-shared/types/activity'
import { acquireLock } from '../vault/file-lock'
import { writeDataFile } from './activity.anchors'

/** An event kept outside the vault until a process that writes the vault takes it in. */
export interface JournalEntry {
  /** Random, so an entry is taken into the log once however many processes read the journal. */
  id: string
  at: string
  event: JournalEvent
  actor: Actor
  /** `secret.revealed` only: the secret, by its id alone (its name is looked up when taken in). */
  target?: { type: 'secret'; id: string }
  outcome: Outcome
  detail: ActivityDetail
}

/** The events the journal keeps and the log takes in from it (docs/activity-log.md §2.1). */
export type JournalEvent = 'vault.unlocked' | 'vault.unlock-failed' | 'vault.locked' | 'secret.revealed'

/** At most this many entries wait per vault; older ones are counted, not kept. */
export const JOURNAL_MAX = 1_000

interface VaultJournal {
  entries: JournalEntry[]
  /** Entries dropped because more than JOURNAL_MAX waited (reported when taken in). */
  dropped: number
}

/**
 * What cannot be written into the vault when it happens (docs/activity-log.md §2): a wrong
 * password (the vault stays locked), the unlock and lock of a CLI command that only read
 * (writing them would rewrite the whole vault file for every `list`), and a client secret
 * the CLI's read path printed (it reads the catalog and has no database to write). Kept in
 * `<app data>/activity-journal.json` (mode 0600, public facts only: times, event names, the
 * actor's kind), and moved into the log by the next process that writes the vault.
 *
 * SECURITY: the journal is outside the vault and not authenticated: whoever can write the
 * person's files can remove entries from it before they are taken in, or add some. The log
 * says which entries came from it (`detail.journal`). Changes of the file take its lock, so
 * processes appending at once keep each other's entries.
 */
export class ActivityJournal {
  private readonly file: string

  constructor(folder: string) {
    this.file = join(folder, 'activity-journal.json')
  }

  /**
   * Adds entries for a vault (their ids drawn here), in one change of the file. Entries are
   * never changed once written: a reader may have taken them.
   */
  async append(vaultId: string, ...entries: Array<Omit<JournalEntry, 'id'>>): Promise<void> {
    await this.changing((all) => {
      const journal = (all[vaultId] ??= { entries: [], dropped: 0 })
      for (const entry of entries) journal.entries.push({ id: randomBytes(12).toString('hex'), ...entry })
      const over = journal.entries.length - JOURNAL_MAX
      if (over > 0) {
        journal.entries.splice(0, over)
        journal.dropped += over
      }
    })
  }

  /** What waits for a vault (oldest first). */
  async peek(vaultId: string): Promise<VaultJournal> {
    const journal = (await this.readAll())[vaultId]
    return { entries: journal?.entries ?? [], dropped: journal?.dropped ?? 0 }
  }

  /** Removes the entries that were taken into the vault's log, by id; others, appended since, stay. */
  async remove(vaultId: string, taken: VaultJournal): Promise<void> {
    await this.changing((all) => {
      const journal = all[vaultId]
      if (!journal) return
      const gone = new Set(taken.entries.map((entry) => entry.id))
      journal.entries = journal.entries.filter((entry) => !gone.has(entry.id))
      journal.dropped = Math.max(0, journal.dropped - taken.dropped)
      if (journal.entries.length === 0 && journal.dropped === 0) delete all[vaultId]
    })
  }

  /**
   * Reads, changes and writes the file under its lock (`activity-journal.json.lock`, as saves
   * lock the vault: file-lock.ts), so two Keyhold processes appending at once (parallel CLI
   * reads in a CI job) do not lose each other's entries.
   */
  private async changing(change: (all: Record<string, VaultJournal>) => void): Promise<void> {
    // The folder is made (0700) when the CLI runs before the app ever did, as writeDataFile makes it.
    await fs.mkdir(dirname(this.file), { recursive: true, mode: 0o700 })
    const release = await acquireLock(this.file)
    try {
      const all = await this.readAll()
      change(all)
      await this.writeAll(all)
    } finally {
      await release()
    }
  }

  private async readAll(): Promise<Record<string, VaultJournal>> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as unknown
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {}
      const all: Record<string, VaultJournal> = {}
      for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
        const journal = value as Partial<VaultJournal> | null
        if (!journal || !Array.isArray(journal.entries)) continue
        all[id] = { entries: journal.entries.filter(isEntry).slice(-JOURNAL_MAX), dropped: Number.isInteger(journal.dropped) ? journal.dropped! : 0 }
      }
      return all
    } catch {
      return {}
    }
  }

  private async writeAll(all: Record<string, VaultJournal>): Promise<void> {
    await writeDataFile(this.file, all)
  }
}

const JOURNAL_EVENTS = new Set<string>(['vault.unlocked', 'vault.unlock-failed', 'vault.locked', 'secret.revealed'] satisfies JournalEvent[])
/** A secret's id as the vault draws it (a random UUID). */
const SECRET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Only what the journal writes is taken in: a hand-edited file cannot put other events, or a
 * time in another form, in the log (a time is canonical UTC and not in the future; the details
 * are rebuilt from known fields when taken in: fromJournal below).
 */
function isEntry(value: unknown): value is JournalEntry {
  const entry = value as Partial<JournalEntry> | null
  return (
    !!entry &&
    typeof entry.id === 'string' &&
    /^[0-9a-f]{24}$/.test(entry.id) &&
    typeof entry.at === 'string' &&
    canonicalTime(entry.at) === entry.at &&
    Date.parse(entry.at) <= Date.now() + 5 * 60_000 &&
    JOURNAL_EVENTS.has(entry.event as string) &&
    !!entry.actor &&
    (entry.actor.type === 'cli' || entry.actor.type === 'app') &&
    (entry.outcome === 'ok' || entry.outcome === 'failed') &&
    !!entry.detail &&
    typeof entry.detail === 'object' &&
    JSON.stringify(entry.detail).length <= 256 &&
    // A reveal is the read path's, by the CLI, of one secret named by its id alone.
    (entry.event !== 'secret.revealed' ||
      (entry.actor.type === 'cli' && entry.outcome === 'ok' && entry.target?.type === 'secret' && typeof entry.target.id === 'string' && SECRET_ID.test(entry.target.id)))
  )
}

/** Journal ids the vault remembers as taken in (enough for any journal: it holds at most 1,000). */
export const JOURNAL_TAKEN_KEPT = 2_000
const MAX_FAILED_COUNT = 1_000_000

/**
 * The journal's entries as the log keeps them: the vault as target (a reveal: the secret, with
 * its name as `secretName` gives it now, none if it was deleted since), only the facts each
 * event has (rebuilt: a canonical time no later than now, a count from 1 to 1,000,000),
 * consecutive wrong passwords of one kind of actor as one entry, and `journal: true` (they
 * waited outside the vault, unauthenticated). Oldest first.
 */
export function fromJournal(
  taken: { entries: JournalEntry[]; dropped: number },
  vaultId: string,
  secretName: (id: string) => string | undefined = () => undefined,
): Array<Omit<ActivityEntry, 'seq' | 'mac'>> {
  const now = new Date().toISOString()
  const time = (value: unknown, fallback: string) => {
    const canonical = typeof value === 'string' ? canonicalTime(value) : null
    return canonical !== null && canonical <= now ? canonical : fallback
  }
  const out: Array<Omit<ActivityEntry, 'seq' | 'mac'>> = []
  for (const entry of [...taken.entries].sort((a, b) => a.at.localeCompare(b.at))) {
    const at = time(entry.at, now)
    const previous = out[out.length - 1]
    if (entry.event === 'vault.unlock-failed') {
      const count = Number.isInteger(entry.detail.count) ? Math.min(Math.max(Number(entry.detail.count), 1), MAX_FAILED_COUNT) : 1
      if (previous?.event === 'vault.unlock-failed' && previous.actor.type === entry.actor.type) {
        previous.detail = { ...previous.detail, count: Math.min(Number(previous.detail.count) + count, MAX_FAILED_COUNT), last: at }
        continue
      }
      out.push({ at, event: entry.event, actor: { type: entry.actor.type }, target: { type: 'vault', id: vaultId }, outcome: 'failed', detail: { count, first: at, last: at, journal: true } })
      continue
    }
    if (entry.event === 'secret.revealed') {
      const id = entry.target!.id
      const name = secretName(id)
      out.push({ at, event: entry.event, actor: { type: 'cli' }, target: { type: 'secret', id, ...(name === undefined ? {} : { name }) }, outcome: 'ok', detail: { journal: true } })
      continue
    }
    const detail: ActivityDetail = entry.event === 'vault.unlocked' ? { with: entry.detail.with === 'device' ? 'device' : 'password' } : {}
    out.push({ at, event: entry.event, actor: { type: entry.actor.type }, target: { type: 'vault', id: vaultId }, outcome: 'ok', detail: { ...detail, journal: true } })
  }
  if (taken.dropped > 0 && out[0]) out[0].detail = { ...out[0].detail, earlierDropped: Math.min(taken.dropped, MAX_FAILED_COUNT) }
  return out
}
