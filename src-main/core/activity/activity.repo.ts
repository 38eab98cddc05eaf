import type { ActivityEntry, ActivityQuery } from '../../../src-shared/types/activity'
import { all, one, run, type Database } from '../vault/database'

interface Row {
  seq: number
  at: string
  event: string
  actor_type: string
  actor_id: string | null
  actor_name: string | null
  target_type: string | null
  target_id: string | null
  target_name: string | null
  outcome: string
  detail: string
  mac: Uint8Array
}

const defined = <T extends Record<string, unknown>>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T

function entryOf(row: Row): ActivityEntry {
  return {
    seq: row.seq,
    at: row.at,
    event: row.event as ActivityEntry['event'],
    actor: defined({ type: row.actor_type, id: row.actor_id, name: row.actor_name }) as ActivityEntry['actor'],
    target: row.target_type === null ? null : (defined({ type: row.target_type, id: row.target_id, name: row.target_name }) as ActivityEntry['target']),
    outcome: row.outcome as ActivityEntry['outcome'],
    detail: JSON.parse(row.detail) as ActivityEntry['detail'],
    mac: Buffer.from(row.mac).toString('base64'),
  }
}

const COLUMNS = '(seq, at, event, actor_type, actor_id, actor_name, target_type, target_id, target_name, outcome, detail, mac)'
/** Rows per INSERT: sql.js pays per statement step, so a burst is written 200 rows a statement (2,400 parameters). */
const ROWS_PER_INSERT = 200

function values(e: ActivityEntry): unknown[] {
  return [
    e.seq,
    e.at,
    e.event,
    e.actor.type,
    e.actor.id ?? null,
    e.actor.name ?? null,
    e.target?.type ?? null,
    e.target?.id ?? null,
    e.target?.name ?? null,
    e.outcome,
    JSON.stringify(e.detail),
    Buffer.from(e.mac, 'base64'),
  ]
}

/** Inserts a batch (a burst of requests writes thousands at once) with multi-row statements. */
export function insertEntries(db: Database, entries: readonly ActivityEntry[]): void {
  const row = `(${Array(12).fill('?').join(', ')})`
  let full: ReturnType<Database['prepare']> | null = null
  try {
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const chunk = entries.slice(i, i + ROWS_PER_INSERT)
      const params = chunk.flatMap(values)
      if (chunk.length === ROWS_PER_INSERT) {
        full ??= db.prepare(`INSERT INTO activity ${COLUMNS} VALUES ${Array(ROWS_PER_INSERT).fill(row).join(', ')}`)
        full.run(params as never)
      } else {
        run(db, `INSERT INTO activity ${COLUMNS} VALUES ${Array(chunk.length).fill(row).join(', ')}`, params)
      }
    }
  } finally {
    full?.free()
  }
}

/** The last entry (where the chain continues), or undefined for an empty log. */
export function lastEntry(db: Database): ActivityEntry | undefined {
  const row = one<Row>(db, 'SELECT * FROM activity ORDER BY seq DESC LIMIT 1')
  return row && entryOf(row)
}

/** Every entry in the order stored (seq ascending), for the chain check. */
export function* allEntries(db: Database): Generator<ActivityEntry> {
  // Pages of 5,000: a long log is never one array of rows.
  let after = 0
  for (;;) {
    const rows = all<Row>(db, 'SELECT * FROM activity WHERE seq > ? ORDER BY seq LIMIT 5000', [after])
    for (const row of rows) yield entryOf(row)
    if (rows.length < 5000) return
    after = rows[rows.length - 1]!.seq
  }
}

/** Each filter of ActivityQuery and its clause. */
const FILTERS: ReadonlyArray<[keyof ActivityQuery, string]> = [
  ['before', 'seq < ?'],
  ['since', 'at >= ?'],
  ['until', 'at <= ?'],
  ['event', 'event = ?'],
  ['actorType', 'actor_type = ?'],
  ['actorId', 'actor_id = ?'],
]

/** One page of the list, newest first, with the filters of ActivityQuery. */
export function queryEntries(db: Database, query: ActivityQuery & { limit: number }): ActivityEntry[] {
  const where: string[] = []
  const params: unknown[] = []
  for (const [field, clause] of FILTERS) {
    if (query[field] === undefined) continue
    where.push(clause)
    params.push(query[field])
  }
  // One subject's entries: what was done to it, and what it did (a paired app's requests name it as the actor).
  if (query.targetId !== undefined) {
    where.push('(target_id = ? OR actor_id = ?)')
    params.push(query.targetId, query.targetId)
  }
  if (query.search !== undefined) {
    const like = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    // The words on screen match too: the caller names the events and kinds of actor whose labels do.
    const events = query.searchEvents ?? []
    const actorTypes = query.searchActorTypes ?? []
    const inList = (column: string, values: readonly string[]) => (values.length ? ` OR ${column} IN (${values.map(() => '?').join(', ')})` : '')
    where.push(`(event LIKE ? ESCAPE '\\' OR actor_name LIKE ? ESCAPE '\\' OR target_name LIKE ? ESCAPE '\\'${inList('event', events)}${inList('actor_type', actorTypes)})`)
    params.push(like, like, like, ...events, ...actorTypes)
  }
  const sql = `SELECT * FROM activity ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`
  return all<Row>(db, sql, [...params, query.limit]).map(entryOf)
}

export function countEntries(db: Database): number {
  return one<{ n: number }>(db, 'SELECT count(*) AS n FROM activity')?.n ?? 0
}

/** Removes the entries up to `seq` (retention); returns how many. */
export function deleteThrough(db: Database, seq: number): number {
  return run(db, 'DELETE FROM activity WHERE seq <= ?', [seq])
}

/**
 * The seq through which entries go: those before the first entry that is not older than
 * `olderThan` (one old time further on, such as a journaled entry, does not pull the boundary
 * past newer entries), or those beyond the newest `keep`.
 */
export function pruneBoundary(db: Database, olderThan: string, keep: number): number {
  const firstKept = one<{ seq: number | null }>(db, 'SELECT min(seq) AS seq FROM activity WHERE at >= ?', [olderThan])?.seq ?? null
  const byAge = firstKept === null ? (one<{ seq: number | null }>(db, 'SELECT max(seq) AS seq FROM activity')?.seq ?? 0) : firstKept - 1
  const byCount = one<{ seq: number | null }>(db, 'SELECT seq FROM activity ORDER BY seq DESC LIMIT 1 OFFSET ?', [keep])?.seq ?? 0
  return Math.max(byAge, byCount)
}

export function entryAt(db: Database, seq: number): ActivityEntry | undefined {
  const row = one<Row>(db, 'SELECT * FROM activity WHERE seq = ?', [seq])
  return row && entryOf(row)
}

/** Whether the log has an entry of `event` on the target `targetId`. */
export function hasEntryFor(db: Database, event: string, targetId: string): boolean {
  return one<{ n: number }>(db, 'SELECT count(*) AS n FROM activity WHERE event = ? AND target_id = ?', [event, targetId])!.n > 0
}

/** The newest time among the entries through `seq` ('' when none). */
export function newestTimeThrough(db: Database, seq: number): string {
  return one<{ at: string | null }>(db, 'SELECT max(at) AS at FROM activity WHERE seq <= ?', [seq])?.at ?? ''
}

/** The name of the API secret `id` now, for a reveal the journal kept by id alone (activity.journal.ts fromJournal); undefined once deleted. */
export function secretNameOf(db: Database, id: string): string | undefined {
  return one<{ name: string }>(db, 'SELECT name FROM secret WHERE id = ?', [id])?.name
}
