import type { HttpMethod, SecretDetail, SecretId, SecretSort, SecretSummary } from '../../../src-shared/types/secrets'
import { all, one, run, type Database } from '../vault/database'

/** A whole API secret as stored, the client secret included. Only the service's reveal and copy read that column. */
export interface SecretRecord {
  id: SecretId
  name: string
  url: string
  clientId: string
  clientSecret: string | null
  identifier: string | null
  method: HttpMethod | null
  tags: string[]
  notes: string
  createdAt: string
  updatedAt: string
}

/** The columns the search index needs (no client secret, no notes), with the rowid for keyset scans. */
export interface IndexRow {
  rowid: number
  id: SecretId
  name: string
  url: string
  client_id: string
  identifier: string | null
  method: HttpMethod | null
  tags: string
  updated_at: string
}

interface SummaryRow {
  id: SecretId
  name: string
  url: string
  client_id: string
  identifier: string | null
  method: HttpMethod | null
  tags: string
  has_secret: number
  created_at: string
  updated_at: string
}

// SECURITY: list queries select these columns only; `client_secret` is reduced to a flag.
const SUMMARY_COLUMNS = `id, name, url, client_id, identifier, method, tags, client_secret IS NOT NULL AS has_secret, created_at, updated_at`

function toSummary(row: SummaryRow): SecretSummary {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    clientId: row.client_id,
    identifier: row.identifier,
    method: row.method,
    tags: JSON.parse(row.tags) as string[],
    hasClientSecret: row.has_secret === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

const params = (r: SecretRecord, nameKey: string, identifierKey: string | null) => ({
  $id: r.id,
  $name: r.name,
  $name_key: nameKey,
  $url: r.url,
  $client_id: r.clientId,
  $client_secret: r.clientSecret,
  $identifier: r.identifier,
  $identifier_key: identifierKey,
  $method: r.method,
  $tags: JSON.stringify(r.tags),
  $notes: r.notes,
  $created_at: r.createdAt,
  $updated_at: r.updatedAt,
})

export function insert(db: Database, record: SecretRecord, nameKey: string, identifierKey: string | null): void {
  run(
    db,
    `INSERT INTO secret (id, name, name_key, url, client_id, client_secret, identifier, identifier_key, method, tags, notes, created_at, updated_at)
     VALUES ($id, $name, $name_key, $url, $client_id, $client_secret, $identifier, $identifier_key, $method, $tags, $notes, $created_at, $updated_at)`,
    params(record, nameKey, identifierKey),
  )
}

/** Rewrites every field but `id` and `created_at`. */
export function update(db: Database, record: SecretRecord, nameKey: string, identifierKey: string | null): number {
  const { $created_at: _created, ...values } = params(record, nameKey, identifierKey)
  return run(
    db,
    `UPDATE secret SET name = $name, name_key = $name_key, url = $url, client_id = $client_id, client_secret = $client_secret,
       identifier = $identifier, identifier_key = $identifier_key, method = $method, tags = $tags, notes = $notes, updated_at = $updated_at
     WHERE id = $id`,
    values,
  )
}

export function remove(db: Database, id: SecretId): number {
  return run(db, 'DELETE FROM secret WHERE id = ?', [id])
}

/** The whole record, client secret included: for edit, reveal and copy only. */
export function findRecord(db: Database, id: SecretId): SecretRecord | undefined {
  const row = one<SummaryRow & { client_secret: string | null; notes: string }>(
    db,
    `SELECT ${SUMMARY_COLUMNS}, client_secret, notes FROM secret WHERE id = ?`,
    [id],
  )
  if (!row) return undefined
  const { hasClientSecret: _has, ...summary } = toSummary(row)
  return { ...summary, clientSecret: row.client_secret, notes: row.notes }
}

export function findDetail(db: Database, id: SecretId): SecretDetail | undefined {
  const row = one<SummaryRow & { notes: string }>(db, `SELECT ${SUMMARY_COLUMNS}, notes FROM secret WHERE id = ?`, [id])
  return row && { ...toSummary(row), notes: row.notes }
}

/** The id of the secret whose folded Identifier is `identifierKey`, if any. */
export function idByIdentifierKey(db: Database, identifierKey: string): SecretId | undefined {
  return one<{ id: SecretId }>(db, 'SELECT id FROM secret WHERE identifier_key = ?', [identifierKey])?.id
}

export function count(db: Database): number {
  return one<{ n: number }>(db, 'SELECT count(*) AS n FROM secret')?.n ?? 0
}

const ORDER: Record<SecretSort, { asc: string; desc: string }> = {
  name: { asc: 'name_key ASC, id ASC', desc: 'name_key DESC, id DESC' },
  updated: { asc: 'updated_at ASC, id ASC', desc: 'updated_at DESC, id DESC' },
}

/** One page of every secret in the given order, served by the order's index (no filter). */
export function page(db: Database, sort: SecretSort, direction: 'asc' | 'desc', offset: number, limit: number): SecretSummary[] {
  return all<SummaryRow>(db, `SELECT ${SUMMARY_COLUMNS} FROM secret ORDER BY ${ORDER[sort][direction]} LIMIT ? OFFSET ?`, [
    limit,
    offset,
  ]).map(toSummary)
}

/** Summaries of the given ids, in the given order (ids that no longer exist are skipped). */
export function summariesByIds(db: Database, ids: readonly SecretId[]): SecretSummary[] {
  if (ids.length === 0) return []
  const rows = all<SummaryRow>(db, `SELECT ${SUMMARY_COLUMNS} FROM secret WHERE id IN (${ids.map(() => '?').join(',')})`, [...ids])
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.flatMap((id) => {
    const row = byId.get(id)
    return row ? [toSummary(row)] : []
  })
}

/** Up to `limit` index rows after `afterRowid`, in rowid order: the search index is built from these. */
export function indexChunk(db: Database, afterRowid: number, limit: number): IndexRow[] {
  return all<IndexRow>(
    db,
    `SELECT rowid, id, name, url, client_id, identifier, method, tags, updated_at FROM secret WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    [afterRowid, limit],
  )
}

/** The index row of one secret (after it was added or edited). */
export function indexRow(db: Database, id: SecretId): IndexRow | undefined {
  return one<IndexRow>(db, `SELECT rowid, id, name, url, client_id, identifier, method, tags, updated_at FROM secret WHERE id = ?`, [id])
}
