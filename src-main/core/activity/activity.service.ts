import { AsyncLocalStorage } from 'node:async_hooks'
import { canonicalTime } from '../../../src-shared/apps/iso-time'
import { KeyholdError } from '../../../src-shared/errors'
import type {
  ActivityDetail,
  ActivityExport,
  ActivityExportFormat,
  ActivityEvent,
  ActivityPage,
  ActivityQuery,
  ActivityRetention,
  ActivityVerification,
  Actor,
  Outcome,
  Target,
} from '../../../src-shared/types/activity'
import type { Clock, SaveFileDialog } from '../ports'
import { checkExportFile, writeExportFile } from '../export-file'
import { exportedLog } from './activity.export'
import type { Vault } from '../vault/vault'
import type { VaultService } from '../vault/vault.service'
import type { Anchor, AnchorStore } from './activity.anchors'
import type { ActivityJournal, JournalEntry } from './activity.journal'
import { checkExport, checkLog, parseHead } from './activity.verify'
import { acceptCopy, appendToLog, pruneLog, RETENTION_DEFAULT, retentionIn, setRetentionIn, type Pending, type TakenJournal } from './activity.write'
import { countEntries, lastEntry, queryEntries } from './activity.repo'

/**
 * Pending entries are written at most this long after their action (docs/activity-log.md §6):
 * each write saves the whole vault, so a burst of requests costs one save a second.
 */
export const FLUSH_MS = 1_000
/**
 * Under load, the wait is at least this many times the last write's duration (at most
 * FLUSH_MAX_MS): a large vault whose save takes 100 ms is written every 2 s, so writing the log
 * never takes more than about 5% of the time, however many requests come.
 */
const FLUSH_DUTY = 20
const FLUSH_MAX_MS = 10_000
const MAX_DETAIL_BYTES = 1024
const PAGE_DEFAULT = 50
const PAGE_MAX = 500

/** One event as an action reports it: what happened, who did it (this process's actor unless said), to what, how it ended. */
export interface ActivityRecord {
  event: ActivityEvent
  actor?: Actor
  target?: Target | null
  outcome?: Outcome
  detail?: ActivityDetail
}

/**
 * The activity log (docs/activity-log.md): every access to a secret and every change to an
 * access path, as a hash chain inside the vault.
 *
 * What must stay true:
 * - Recording never waits on the disk: `record` keeps the entry and returns; entries are
 *   written in batches at most FLUSH_MS later, and before the vault locks.
 * - seq and MAC are computed inside the write (re-run on another process's version when two
 *   processes log at once), so the chain stays whole across the app and the CLI.
 * - No secret, token, key or password is ever in an entry (callers give names and ids only).
 */
export class ActivityService {
  private pending: Pending[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private flushing: Promise<void> = Promise.resolve()
  /** Wrong passwords while locked: written as one entry at the next unlock. */
  private failedUnlocks: { count: number; first: string; last: string } | null = null
  /** The header's head of each vault as it was opened, before any save of this process recommits it (§3). */
  private readonly openedHeads = new WeakMap<Vault, { seq: number; mac: string } | null>()
  /** Writes of entries that failed in a row (retried, then dropped). */
  private failedWrites = 0
  /** Vaults whose log was compared with their header's head since they were opened. */
  private readonly checked = new WeakSet<Vault>()
  /** The anchor read at unlock, for the roll-back check (undefined while it is being read). */
  private anchor: Anchor | null | undefined = null
  /** Vaults compared with their anchor since they were opened. */
  private readonly anchorChecked = new WeakSet<Vault>()
  /** What the journal held for this vault when last read, taken in with the next write. */
  private journaled: Awaited<ReturnType<ActivityJournal['peek']>> | null = null
  /** The journal's entries this unlock has taken in (a read racing their removal would see them again). */
  private takenFromJournal = new Set<string>()
  /** The last read of the journal (at unlock, and before each flush). */
  private journalRead: Promise<void> = Promise.resolve()
  /** Whether this process wrote entries since the unlock (a CLI command that did is not read-only). */
  private wrote = false
  /** The read of the anchor at unlock. */
  private anchorRead: Promise<void> = Promise.resolve()
  /** The journal's last append: an unlock reads the journal after it. */
  private journalWrites: Promise<void> = Promise.resolve()
  /** How long the last write of entries took (ms), for the next wait. */
  private lastWriteMs = 0
  /** Who acts inside `as()`: a terminal's command run in the agent is the CLI's, not the app's. */
  private readonly acting = new AsyncLocalStorage<Actor>()
  private readonly anchors?: AnchorStore
  private readonly journal?: ActivityJournal

  constructor(
    private readonly vaults: VaultService,
    private readonly clock: Clock,
    /** Who acts in this process when a record names nobody: the app's window or the CLI. */
    private readonly actor: Actor = { type: 'app' },
    /** The app's save dialog (Export); the CLI writes to --out or standard output. */
    private readonly saveFileDialog?: SaveFileDialog,
    /**
     * Kept outside the vault (Keyhold's data folder): the newest head seen, for the roll-back
     * check, and the journal of what cannot be written into the vault when it happens. Absent:
     * neither.
     */
    outside?: { anchors: AnchorStore; journal: ActivityJournal },
  ) {
    this.anchors = outside?.anchors
    this.journal = outside?.journal
    vaults.onBeforeLock((vault) => {
      // A CLI command that only read (list, search, info) does not rewrite the vault: its unlock
      // and lock go to the journal, taken in by the next process that writes (docs/activity-log.md §2).
      if (this.actor.type === 'cli' && !this.wrote && this.pending.every((entry) => entry.event === 'vault.unlocked')) {
        const read = this.pending
        this.pending = []
        for (const entry of read) this.toJournal(vault.id, entry)
        if (read.length > 0) this.toJournal(vault.id, { at: this.now(), event: 'vault.locked', actor: this.actor, target: null, outcome: 'ok', detail: {} })
        return
      }
      this.add({ event: 'vault.locked', target: { type: 'vault', id: vault.id } })
      this.flushInto(vault)
    })
    // The head as opened: a save of anything else (a secret added before the first entry is
    // written) recommits the table's last entry, and would hide entries removed from the end.
    vaults.onUnlock(() => {
      const vault = this.vaults.vault()
      this.openedHeads.set(vault, parseHead(vault.commitments.activity))
    })
    // `locked()` waits for the last write and its anchor (bounded by the vault's settle time).
    vaults.onLock(() => Promise.all([this.flushing, this.journalWrites]).then(() => undefined))
    // The head of the chain goes in the vault's authenticated header with every save (§3).
    vaults.useCommitments((db): Record<string, string> => {
      const last = lastEntry(db)
      return last ? { activity: `${last.seq}:${last.mac}` } : {}
    })
    vaults.onEvent((event) => {
      if (event.type === 'unlock-failed') return this.failedUnlock(event.vaultId)
      if (event.type === 'unlocked') return this.unlocked(event.with)
      this.record({ event: event.type === 'password-changed' ? 'vault.password-changed' : 'vault.rekeyed', target: { type: 'vault', id: this.vaults.vault().id } })
    })
  }

  /** Runs `work` with `actor` as who acts, for every record it makes that names nobody (a terminal's command run in the agent). */
  as<T>(actor: Actor, work: () => Promise<T>): Promise<T> {
    return this.acting.run(actor, work)
  }

  /** Records one event (never throws, never waits). Dropped while the vault is locked, except a wrong password (see failedUnlock). */
  record(record: ActivityRecord): void {
    if (!this.vaults.isUnlocked) return
    this.add(record)
    // A CLI command that has only unlocked so far may stay read-only: nothing is written for it
    // on a timer (a long `list` would otherwise rewrite the vault a second after unlocking).
    if (this.actor.type === 'cli' && !this.wrote && this.pending.every((entry) => entry.event === 'vault.unlocked')) return
    this.schedule()
  }

  /**
   * A wrong password: kept in the journal (so it outlives this process), or without one counted
   * here; written as one entry after the next unlock.
   */
  failedUnlock(vaultId?: string): void {
    const at = this.now()
    if (this.journal && vaultId) {
      this.toJournal(vaultId, { at, event: 'vault.unlock-failed', actor: this.actor, target: null, outcome: 'failed', detail: { count: 1, first: at, last: at } })
      return
    }
    this.failedUnlocks = { count: (this.failedUnlocks?.count ?? 0) + 1, first: this.failedUnlocks?.first ?? at, last: at }
  }

  /** After an unlock: the wrong passwords since the last one, then the unlock itself. */
  unlocked(how: 'password' | 'device'): void {
    if (this.anchors) {
      this.anchor = undefined
      this.anchorRead = this.anchors.get(this.vaults.vault().id).then(
        (anchor) => void (this.anchor = anchor),
        () => void (this.anchor = null),
      )
    }
    this.wrote = false
    this.takenFromJournal = new Set()
    this.journaled = null
    this.readJournal()
    const actor = this.actor
    const failed = this.failedUnlocks
    this.failedUnlocks = null
    const vault = { type: 'vault' as const, id: this.vaults.vault().id }
    if (failed) this.record({ event: 'vault.unlock-failed', actor, target: vault, outcome: 'failed', detail: { count: failed.count, first: failed.first, last: failed.last } })
    this.record({ event: 'vault.unlocked', actor, target: vault, detail: { with: how } })
    // Retention runs where Keyhold runs for long (the app, the agent), once per unlock.
    if (this.actor.type === 'app') void this.prune(this.retention()).catch(() => undefined)
  }

  /**
   * Resolves once what is kept outside the vault was read after the unlock (the anchor and the
   * journal), so that a write soon after takes them into account. The CLI waits for it: its
   * commands lock within milliseconds of unlocking.
   */
  async ready(): Promise<void> {
    await Promise.all([this.anchorRead, this.journalRead])
  }

  /** Resolves once every entry recorded so far is written (the vault, or the journal while locked): before a process exits. */
  async settled(): Promise<void> {
    await Promise.all([this.flushing, this.journalWrites])
  }

  /** Writes what is pending now, with what waits in the journal (tests, `list`, `verify`, export). */
  async flush(): Promise<void> {
    this.readJournal()
    await this.journalRead
    if (this.vaults.isUnlocked) this.flushInto(this.vaults.vault())
    await this.flushing
  }

  /** Reads what waits in the journal for the open vault (after this process's own appends), for the next write to take in. */
  private readJournal(): void {
    const journal = this.journal
    if (!journal || !this.vaults.isUnlocked) return
    const id = this.vaults.vault().id
    this.journalRead = Promise.all([this.journalRead, this.journalWrites])
      .then(() => journal.peek(id))
      .then(
        (found) => {
          if (this.vaults.isUnlocked && this.vaults.vault().id === id) this.journaled = found
        },
        () => undefined,
      )
  }

  async list(query: ActivityQuery = {}): Promise<ActivityPage> {
    await this.flush()
    // What another process (the CLI next to the app) wrote meanwhile is read too.
    await this.vaults.vault().refresh().catch(() => false)
    const limit = Math.min(Math.max(query.limit ?? PAGE_DEFAULT, 1), PAGE_MAX)
    // Times are compared as stored: UTC in toISOString form.
    const utc = (time: string | undefined) => (time === undefined ? undefined : (canonicalTime(time) ?? time))
    const items = this.vaults.vault().read((db) => queryEntries(db, { ...query, since: utc(query.since), until: utc(query.until), limit: limit + 1 }))
    const page = items.slice(0, limit)
    return { items: page, nextBefore: items.length > limit ? page[page.length - 1]!.seq : null }
  }

  /** Checks the whole chain and says where it breaks (docs/activity-log.md §4). */
  async verify(): Promise<ActivityVerification> {
    await this.flush()
    const vault = this.vaults.vault()
    // Compared with the anchor as the file is now: another process may have written (and moved the anchor).
    await vault.refresh().catch(() => false)
    const committed = parseHead(vault.commitments.activity)
    const anchor = this.anchors ? await this.anchors.get(vault.id).catch(() => null) : null
    return vault.read((db) => checkLog(db, vault.id, committed, anchor))
  }

  /** How long entries are kept (§5): the vault's setting, or one year and 100,000 entries. */
  retention(): ActivityRetention {
    return this.vaults.vault().read((db) => retentionIn(db))
  }

  /** Changes how long entries are kept, records the change, and removes at once what falls outside it. */
  async setRetention(next: ActivityRetention): Promise<ActivityRetention & { removed: number }> {
    const before = this.retention()
    if (before.days === next.days && before.entries === next.entries) return { ...before, removed: 0 }
    await this.vaults.vault().mutate((db) => setRetentionIn(db, next))
    this.record({ event: 'log.retention-changed', target: { type: 'log' }, detail: { days: next.days, entries: next.entries, previousDays: before.days, previousEntries: before.entries } })
    const removed = await this.prune(next)
    return { days: next.days, entries: next.entries, removed }
  }

  /**
   * The person accepts the vault as it is after an older copy was put back on purpose (§3): the
   * roll-back check follows this vault from now on, and the log records it. Anything else wrong
   * with the log is still reported.
   */
  async acceptRestore(): Promise<ActivityVerification> {
    const seen = this.anchors ? await this.anchors.get(this.vaults.vault().id) : null
    const found = await this.verify()
    if (!found.restored)
      throw new KeyholdError('CONFLICT', 'There is no older copy of the vault to accept: the activity log is not behind what this computer saw.')
    const vault = this.vaults.vault()
    const { head, kept } = await vault.mutate((db) => acceptCopy(db))
    // Where the check follows this vault from now on (without a data folder, only the kept break goes).
    if (this.anchors) await this.anchors.reset(vault.id, head)
    this.anchor = head
    this.anchorChecked.add(vault)
    const seenLast = seen?.seq ?? (kept?.kind === 'rolled-back' ? kept.expected : 0)
    this.record({ event: 'log.restore-accepted', target: { type: 'vault', id: vault.id }, detail: { vaultLast: head?.seq ?? 0, seenLast } })
    return this.verify()
  }

  /**
   * Checks a JSON export (§7) against this vault's key: the file must be this vault's log, and
   * its entries must chain from the base it names. Says where it breaks, as `verify` does.
   */
  async verifyExport(text: string): Promise<ActivityVerification> {
    return checkExport(this.vaults.vault(), text)
  }

  /**
   * Retention (§5): removes entries older than `days` or beyond the newest `entries`, keeps the
   * last removed MAC as the chain's base, and records `log.pruned`. Returns how many went.
   */
  async prune(limits = RETENTION_DEFAULT): Promise<number> {
    await this.flush()
    const olderThan = new Date(this.clock.now() - limits.days * 24 * 60 * 60 * 1000).toISOString()
    const vault = this.vaults.vault()
    const removed = await vault.mutate((db) => pruneLog(db, vault.id, olderThan, limits.entries))
    if (!removed) return 0
    this.record({ event: 'log.pruned', actor: { type: 'system' }, target: { type: 'log' }, detail: { removed: removed.count, firstSeq: removed.first, lastSeq: removed.last } })
    await this.flush()
    return removed.count
  }

  /** The whole log as CSV or JSON, oldest first (docs/activity-log.md §7), and records that it was exported. */
  async exportText(format: ActivityExportFormat, record = true): Promise<{ text: string; count: number }> {
    await this.flush()
    const vault = this.vaults.vault()
    const { text, count } = vault.read((db) => exportedLog(db, vault.id, format))
    if (record) this.record({ event: 'log.exported', target: { type: 'log' }, detail: { format, count } })
    return { text, count }
  }

  /** Writes the export to `path` (mode 0600, atomically); an existing file only with `overwrite`. */
  async exportTo(path: string, format: ActivityExportFormat, overwrite = false): Promise<ActivityExport> {
    await checkExportFile(path, overwrite)
    const { text, count } = await this.exportText(format, false)
    await writeExportFile(path, text)
    // Recorded once the file is there: an export that failed was not one.
    this.record({ event: 'log.exported', target: { type: 'log' }, detail: { format, count } })
    return { saved: true, path, count }
  }

  /** The Export button: asks where through the app's dialog, then writes there. */
  async exportWithDialog(format: ActivityExportFormat): Promise<ActivityExport> {
    if (!this.saveFileDialog) throw new KeyholdError('INVALID_INPUT', 'There is no save dialog here. Use `keyhold audit export --format csv|json --out FILE`.')
    const path = await this.saveFileDialog.choosePath({
      title: 'Export the activity log',
      defaultName: `keyhold-activity-${this.now().slice(0, 10)}.${format}`,
      filters: [format === 'csv' ? { name: 'CSV', extensions: ['csv'] } : { name: 'JSON', extensions: ['json'] }],
    })
    if (!path) return { saved: false, path: null, count: 0 }
    return this.exportTo(path, format, true)
  }

  count(): number {
    return this.vaults.vault().read((db) => countEntries(db))
  }

  private add(record: ActivityRecord): void {
    let detail = record.detail ?? {}
    if (JSON.stringify(detail).length > MAX_DETAIL_BYTES) detail = { truncated: true }
    this.pending.push({
      at: this.now(),
      event: record.event,
      actor: record.actor ?? this.acting.getStore() ?? this.actor,
      target: record.target ?? null,
      outcome: record.outcome ?? 'ok',
      detail,
    })
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(
      () => {
        this.timer = undefined
        if (this.vaults.isUnlocked) this.flushInto(this.vaults.vault())
      },
      Math.min(Math.max(FLUSH_MS, FLUSH_DUTY * this.lastWriteMs), FLUSH_MAX_MS),
    )
    this.timer.unref?.()
  }

  /** Queues one write of every pending entry on `vault`: seq and MAC follow the log as it is in that write. */
  private flushInto(vault: Vault): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.pending
    this.pending = []
    // What waited in the journal goes first, with this write (taken once: see writeBatch).
    const journaled = this.takeJournal()
    if (batch.length === 0 && !journaled) return
    this.wrote = true
    // Queued at once (not after an await): at lock, the vault settles what is queued, then closes.
    const write = this.writeBatch(vault, batch, journaled, this.anchor).then(
      () => {
        this.failedWrites = 0
        return journaled ? this.journal?.remove(vault.id, journaled).catch(() => undefined) : undefined
      },
      () => {
        // A write that failed (a disk fault) is tried again with the next, twice; journal entries
        // stay in the journal. The action it records is never undone.
        if (++this.failedWrites <= 2 && this.vaults.isUnlocked && this.vaults.vault() === vault) {
          this.pending = [...batch, ...this.pending]
          this.schedule()
        }
      },
    )
    this.flushing = Promise.all([this.flushing, write]).then(() => undefined)
  }

  private async writeBatch(vault: Vault, batch: readonly Pending[], journaled: TakenJournal | null, anchor: Anchor | null | undefined): Promise<void> {
    const checkAnchor = anchor !== undefined && !this.anchorChecked.has(vault)
    const opened = this.openedHeads.has(vault) ? this.openedHeads.get(vault)! : parseHead(vault.commitments.activity)
    const started = performance.now()
    // The header's head is checked before this vault's first write; the anchor once.
    const written = await vault.mutate((db) => appendToLog(db, vault.id, { opened: this.checked.has(vault) ? null : opened, anchor: checkAnchor ? (anchor ?? null) : null, batch, journaled }))
    this.lastWriteMs = performance.now() - started
    this.checked.add(vault)
    // An anchor still being read at unlock was not compared: moving it past this head would
    // hide a copy put back. The next write compares it. Nor does it move while a break is
    // reported: the person accepts a restored copy first (acceptRestore).
    if (anchor === undefined || !written) return
    this.anchorChecked.add(vault)
    if (!written.broken) await this.anchors?.advance(vault.id, written.head).catch(() => undefined)
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString()
  }

  /** The journal's entries read last and not yet taken in this unlock, or null. */
  private takeJournal(): TakenJournal | null {
    const read = this.journaled
    this.journaled = null
    if (!read) return null
    const entries = read.entries.filter((entry) => !this.takenFromJournal.has(entry.id))
    for (const entry of entries) this.takenFromJournal.add(entry.id)
    const dropped = this.takenFromJournal.has('dropped') ? 0 : read.dropped
    if (dropped > 0) this.takenFromJournal.add('dropped')
    return entries.length > 0 || dropped > 0 ? { entries, dropped, droppedId: entries[0]?.id ?? 'none' } : null
  }

  /** Appends to the journal, in order, and lets `locked()` wait for it. */
  private toJournal(vaultId: string, entry: Pending): void {
    const journal = this.journal
    if (!journal) return
    const kept: Omit<JournalEntry, 'id'> = { at: entry.at, event: entry.event as JournalEntry['event'], actor: { type: this.actor.type }, outcome: entry.outcome, detail: entry.detail }
    this.journalWrites = this.journalWrites.then(() => journal.append(vaultId, kept)).catch(() => undefined)
  }
}
