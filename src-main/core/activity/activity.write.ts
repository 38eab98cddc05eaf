import type { ActivityEntry, ActivityRetention } from '../../../src-shared/types/activity'
import type { Database } from '../vault/database'
import { deleteMeta, readMeta, writeMeta } from '../vault/meta'
import type { Anchor } from './activity.anchors'
import { chainMac, type ChainProblem } from './activity.chain'
import { fromJournal, JOURNAL_TAKEN_KEPT, type JournalEntry } from './activity.journal'
import { deleteThrough, entryAt, hasEntryFor, insertEntries, lastEntry, newestTimeThrough, pruneBoundary, secretNameOf } from './activity.repo'
import { againstAnchor, base, logKey } from './activity.verify'

/*
 * What changes the log inside a vault's database (docs/activity-log.md §3, §5, §6), each run in
 * the vault's mutate: a write of entries, retention's removal and setting, an accepted copy.
 * ActivityService decides when; the chain itself is activity.chain.ts.
 */

/** An entry as an action recorded it, before a write gives it its place (seq) and MAC in the chain. */
export type Pending = Omit<ActivityEntry, 'seq' | 'mac'>

/** The journal's entries taken in one write, and the count dropped before them (taken once, under `dropped:<droppedId>`). */
export type TakenJournal = { entries: JournalEntry[]; dropped: number; droppedId: string }

/**
 * One write of the log into a vault's database, inside the vault's mutate (so it runs again on
 * another process's version when two write at once; docs/activity-log.md §3, §6):
 * - `opened`: the head the header named when this vault was opened, checked before its first
 *   write (a tool that edited the database but not the header leaves them apart), or null;
 * - `anchor`: the newest head this computer saw, checked once (a copy put back), or null;
 * a break found is kept in meta (the next save commits the new head);
 * - the journal's entries, each taken in once across processes (their ids kept in meta), then
 *   `batch`, a key's expiry once however many processes noticed it;
 * each chained after the last entry. Returns the new head and whether a break is kept, or null
 * when there was nothing to add.
 */
export function appendToLog(
  db: Database,
  vaultId: string,
  write: { opened: { seq: number; mac: string } | null; anchor: Anchor | null; batch: readonly Pending[]; journaled: TakenJournal | null },
): { head: { seq: number; mac: string }; broken: boolean } | null {
  const { opened, anchor, batch, journaled } = write
  const key = logKey(db)
  const last = lastEntry(db)
  const broken = opened && (!last || last.seq < opened.seq ? { kind: 'truncated' as const, last: last?.seq ?? 0, expected: opened.seq } : entryAt(db, opened.seq)?.mac !== opened.mac ? { kind: 'changed' as const, seq: opened.seq } : null)
  if (broken && readMeta(db, 'activity_break') === null) writeMeta(db, 'activity_break', JSON.stringify(broken))
  const rolledBack = anchor ? againstAnchor(db, anchor, last?.seq ?? 0) : null
  if (rolledBack && readMeta(db, 'activity_break') === null) writeMeta(db, 'activity_break', JSON.stringify(rolledBack))
  const taken = new Set<string>(JSON.parse(readMeta(db, 'activity_journal_taken') ?? '[]') as string[])
  const fresh = journaled ? journaled.entries.filter((entry) => !taken.has(entry.id)) : []
  const dropped = journaled && journaled.dropped > 0 && !taken.has(`dropped:${journaled.droppedId}`) ? journaled.dropped : 0
  const newlyTaken = [...fresh.map((entry) => entry.id), ...(dropped > 0 ? [`dropped:${journaled!.droppedId}`] : [])]
  if (newlyTaken.length > 0) writeMeta(db, 'activity_journal_taken', JSON.stringify([...taken, ...newlyTaken].slice(-JOURNAL_TAKEN_KEPT)))
  const mine = batch.filter((entry) => entry.event !== 'app.expired' || !entry.target?.id || !hasEntryFor(db, 'app.expired', entry.target.id))
  const all = [...fromJournal({ entries: fresh, dropped }, vaultId, (id) => secretNameOf(db, id)), ...mine]
  if (all.length === 0) return null
  let previous = last ? Buffer.from(last.mac, 'base64') : base(db, vaultId).mac
  let seq = last?.seq ?? base(db, vaultId).seq
  const entries = all.map((entry) => {
    seq++
    const mac = chainMac(key, previous, { ...entry, seq })
    previous = mac
    return { ...entry, seq, mac: mac.toString('base64') }
  })
  insertEntries(db, entries)
  const newest = entries[entries.length - 1]!
  return { head: { seq: newest.seq, mac: newest.mac }, broken: readMeta(db, 'activity_break') !== null }
}

/** Retention (§5): one year or 100,000 entries, whichever keeps fewer. */
export const RETENTION_DEFAULT = { days: 365, entries: 100_000 }

/** How long entries are kept: the vault's setting, or RETENTION_DEFAULT. */
export function retentionIn(db: Database): ActivityRetention {
  const stored = readMeta(db, 'activity_retention')
  if (stored === null) return { ...RETENTION_DEFAULT }
  const parsed = JSON.parse(stored) as Partial<ActivityRetention>
  return { days: parsed.days ?? RETENTION_DEFAULT.days, entries: parsed.entries ?? RETENTION_DEFAULT.entries }
}

export function setRetentionIn(db: Database, next: ActivityRetention): void {
  writeMeta(db, 'activity_retention', JSON.stringify({ days: next.days, entries: next.entries }))
}

/**
 * Retention's removal (§5) from `db`: entries older than `olderThan` or beyond the newest `keep`;
 * the last removed MAC becomes the chain's base. What went, or null for nothing.
 */
export function pruneLog(db: Database, vaultId: string, olderThan: string, keep: number): { count: number; first: number; last: number } | null {
  const through = pruneBoundary(db, olderThan, keep)
  const last = through > 0 ? entryAt(db, through) : undefined
  if (!last) return null
  const firstRemoved = base(db, vaultId).seq + 1
  // The newest time removed: an expiry before it was recorded (and removed) or came before the log (apps.repo expiredUnrecorded).
  const prunedAt = [newestTimeThrough(db, through), readMeta(db, 'activity_pruned_at') ?? ''].sort().pop()!
  const count = deleteThrough(db, through)
  writeMeta(db, 'activity_base', JSON.stringify({ seq: last.seq, mac: last.mac }))
  writeMeta(db, 'activity_pruned_at', prunedAt)
  return { count, first: firstRemoved, last: last.seq }
}

/** A copy put back on purpose, accepted (§3): its kept roll-back or fork goes. The log's head, and the break that was kept. */
export function acceptCopy(db: Database): { head: { seq: number; mac: string } | null; kept: ChainProblem | null } {
  const stored = readMeta(db, 'activity_break')
  const problem = stored === null ? null : (JSON.parse(stored) as ChainProblem)
  if (problem && (problem.kind === 'rolled-back' || problem.kind === 'forked')) deleteMeta(db, 'activity_break')
  const last = lastEntry(db)
  return { head: last ? { seq: last.seq, mac: last.mac } : null, kept: problem }
}
