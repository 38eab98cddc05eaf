import type { HttpMethod, SecretDetail, SecretId, SecretSort, SecretSummary } from '../../../src-shared/types/secrets'
import { one, run, values, type Database } from '../vault/database'
import type { CatalogSource } from '../vault/catalog-writer'
import { CATALOG_ROW_SQL, catalogBlocks, type CatalogTexts } from './secrets.catalog'
import { SEARCHABLE } from './secrets.searchable'

/** A whole API secret as stored, the client secret included. Only the service's reveal and copy read that column. */
export interface SecretRecord extends Omit<SecretDetail, 'hasClientSecret'> {
  clientSecret: string | null
}

// SECURITY: list queries select these columns only; `client_secret` is reduced to a flag.
const SUMMARY_COLUMNS = `id, name, url, client_id, identifier, method, tags, client_secret IS NOT NULL, created_at, updated_at`

/** The values of SUMMARY_COLUMNS, in order: a row as `values` reads it, or one array of a JSON result. */
type SummaryValues = [SecretId, string, string, string, string | null, HttpMethod | null, string, number, string, string]

/** The one decoder of a summary row; rows with more columns after SUMMARY_COLUMNS pass too. */
function toSummary([id, name, url, clientId, identifier, method, tags, hasSecret, createdAt, updatedAt]: readonly [...SummaryValues, ...unknown[]]): SecretSummary {
  return {
    id,
    name,
    url,
    clientId,
    identifier,
    method,
    tags: JSON.parse(tags) as string[],
    hasClientSecret: hasSecret === 1,
    createdAt,
    updatedAt,
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

/** Writes of the secret table per database, so the catalog (secrets.catalog.ts) knows when its blocks are stale. */
const writes = new WeakMap<Database, number>()

/**
 * Counts a write of the secret table in `db`. Every write goes through insert, update and
 * remove here, so the catalog built for a count is never stale (a migration writes a database
 * just opened, before any catalog was built for it: that database's first save builds one).
 */
export function countWrite(db: Database): void {
  writes.set(db, (writes.get(db) ?? 0) + 1)
}

/** How many writes of the secret table `db` has had in this process (see countWrite). */
export const writeCount = (db: Database): number => writes.get(db) ?? 0

export function insert(db: Database, record: SecretRecord, nameKey: string, identifierKey: string | null): void {
  countWrite(db)
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
  countWrite(db)
  return run(
    db,
    `UPDATE secret SET name = $name, name_key = $name_key, url = $url, client_id = $client_id, client_secret = $client_secret,
       identifier = $identifier, identifier_key = $identifier_key, method = $method, tags = $tags, notes = $notes, updated_at = $updated_at
     WHERE id = $id`,
    values,
  )
}

export function remove(db: Database, id: SecretId): number {
  countWrite(db)
  return run(db, 'DELETE FROM secret WHERE id = ?', [id])
}

/** The whole record, client secret included: for edit, reveal and copy only. */
export function findRecord(db: Database, id: SecretId): SecretRecord | undefined {
  const row = values<[...SummaryValues, string | null, string]>(db, `SELECT ${SUMMARY_COLUMNS}, client_secret, notes FROM secret WHERE id = ?`, [id])[0]
  if (!row) return undefined
  const { hasClientSecret: _has, ...summary } = toSummary(row)
  return { ...summary, clientSecret: row[10], notes: row[11] }
}

export function findDetail(db: Database, id: SecretId): SecretDetail | undefined {
  const row = values<[...SummaryValues, string]>(db, `SELECT ${SUMMARY_COLUMNS}, notes FROM secret WHERE id = ?`, [id])[0]
  return row && { ...toSummary(row), notes: row[10] }
}

/**
 * Every record, client secret included, in name order: for the export only. The rows come back
 * as one JSON text (see summariesByRowids).
 */
export function allRecords(db: Database): SecretRecord[] {
  const json = one<{ rows: string }>(
    db,
    `SELECT json_group_array(json_array(${SUMMARY_COLUMNS}, client_secret, notes) ORDER BY name_key, id) AS rows FROM secret`,
  )?.rows
  return (JSON.parse(json ?? '[]') as Array<[...SummaryValues, string | null, string]>).map((row) => {
    const { hasClientSecret: _has, ...summary } = toSummary(row)
    return { ...summary, clientSecret: row[10], notes: row[11] }
  })
}

/** A secret as a message names it when a reference fits more than one: its id and Identifier. */
export interface SecretHandle {
  id: SecretId
  identifier: string | null
}

/** The secrets named exactly `name` (whose sort key, nameSortKey, is `nameKey`), in id order. */
export function handlesByName(db: Database, nameKey: string, name: string): SecretHandle[] {
  return values<[SecretId, string | null]>(db, 'SELECT id, identifier FROM secret WHERE name_key = ? AND name = ? ORDER BY id', [nameKey, name]).map(
    ([id, identifier]) => ({ id, identifier }),
  )
}

/** Up to `limit` secrets whose id starts with `prefix` (lower-case hex and "-"), in id order. */
export function handlesByIdPrefix(db: Database, prefix: string, limit: number): SecretHandle[] {
  // A range over the primary key: every id that starts with `prefix` sorts between it and prefix + "~".
  return values<[SecretId, string | null]>(db, 'SELECT id, identifier FROM secret WHERE id >= ? AND id < ? ORDER BY id LIMIT ?', [prefix, `${prefix}~`, limit]).map(
    ([id, identifier]) => ({ id, identifier }),
  )
}

/** The ids just before and after `id` in id order (the primary key's), those that exist. */
export function neighbourIds(db: Database, id: SecretId): SecretId[] {
  const row = values<[SecretId | null, SecretId | null]>(
    db,
    'SELECT (SELECT id FROM secret WHERE id < $id ORDER BY id DESC LIMIT 1), (SELECT id FROM secret WHERE id > $id ORDER BY id LIMIT 1)',
    { $id: id },
  )[0]
  return (row ?? []).flatMap((other) => (other === null ? [] : [other]))
}

/** Every id, in id order, read as one text from the primary key. */
export function sortedIds(db: Database): SecretId[] {
  const text = one<{ ids: string | null }>(db, `SELECT group_concat(id, ',') AS ids FROM (SELECT id FROM secret ORDER BY id)`)?.ids
  return text ? (text.split(',') as SecretId[]) : []
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
  return values<SummaryValues>(db, `SELECT ${SUMMARY_COLUMNS} FROM secret ORDER BY ${ORDER[sort][direction]} LIMIT ? OFFSET ?`, [
    limit,
    offset,
  ]).map(toSummary)
}

/** Summaries of the given ids, in the given order (ids that no longer exist are skipped). */
export function summariesByIds(db: Database, ids: readonly SecretId[]): SecretSummary[] {
  if (ids.length === 0) return []
  const rows = values<SummaryValues>(db, `SELECT ${SUMMARY_COLUMNS} FROM secret WHERE id IN (${ids.map(() => '?').join(',')})`, [...ids])
  const byId = new Map(rows.map((row) => [row[0], row]))
  return ids.flatMap((id) => {
    const row = byId.get(id)
    return row ? [toSummary(row)] : []
  })
}

/**
 * Summaries of the rows with the given rowids, sorted and paged as `page` sorts and pages
 * (rowids that no longer exist are skipped). The rowids come from `searchText` in the same
 * read and are written into the SQL as integers; the rows come back as one JSON text, which
 * costs far less than reading hundreds of rows column by column out of sql.js.
 */
export function summariesByRowids(
  db: Database,
  rowids: readonly number[],
  sort: SecretSort,
  direction: 'asc' | 'desc',
  offset: number,
  limit: number,
): SecretSummary[] {
  if (rowids.length === 0) return []
  if (!rowids.every((rowid) => Number.isSafeInteger(rowid))) throw new Error('rowids must be integers')
  const json = one<{ rows: string }>(
    db,
    `SELECT json_group_array(json_array(${SUMMARY_COLUMNS}) ORDER BY ${ORDER[sort][direction]}) AS rows
     FROM secret WHERE rowid IN (${rowids.join(',')})`,
  )?.rows
  const rows = JSON.parse(json ?? '[]') as SummaryValues[]
  return rows.slice(offset, offset + limit).map(toSummary)
}

/** A secret's searchable fields, one per line, in SQL (secrets.searchable.ts). */
const FIELDS = `concat_ws(char(10), ${Object.values(SEARCHABLE).join(', ')})`

/**
 * Every secret's searchable text, for one search without the search index (see scanMatches):
 * `core` holds each row's rowid, U+001F, and its searchable fields one per line (as
 * the search index's); `tags` each row's tags JSON. Records are separated by U+001E, in the
 * same row order in both strings. One table scan; SQLite builds only these two strings.
 */
export function searchText(db: Database): { count: number; core: string; tags: string } {
  const row = one<{ count: number; core: string | null; tags: string | null }>(
    db,
    `SELECT count(*) AS count,
       group_concat(rowid || char(31) || ${FIELDS}, char(30)) AS core,
       group_concat(tags, char(30)) AS tags
     FROM secret`,
  )
  return { count: row?.count ?? 0, core: row?.core ?? '', tags: row?.tags ?? '' }
}

/**
 * The tags of a row, one per line. Tags JSON without a backslash has no escapes, so its
 * lines are the text between the brackets with '","' as the separator (json_each for every
 * row would make a build of 100,000 about a third slower).
 */
const TAG_LINES = `CASE WHEN tags = '[]' THEN ''
  WHEN instr(tags, '\\') = 0 THEN replace(substr(tags, 3, length(tags) - 4), '","', char(10))
  ELSE coalesce((SELECT group_concat(value, char(10)) FROM json_each(tags)), '') END`

/** A secret's searchable text in SQL, before folding (see SecretsIndex): its fields, then its tags, one per line; U+001E becomes a space. */
const HAY = `replace(${FIELDS} || char(10) || ${TAG_LINES}, char(30), ' ')`

/**
 * Up to `limit` secrets after (`after.nameKey`, `after.id`) in name order (the order of the
 * secret_by_name index), for the search index, as two strings built by SQLite (one crossing
 * from WASM instead of ten per row): `meta`, a JSON array of [id, name_key, updated_at, tags
 * JSON] (JSON.parse gives each value a string of its own), and `text`, each row's searchable
 * text followed by U+001E: the index's block text for these rows, before folding.
 */
export function indexBlock(
  db: Database,
  after: { nameKey: string; id: SecretId } | null,
  limit: number,
): { count: number; meta: string; text: string } {
  const row = one<{ count: number; meta: string; text: string | null }>(
    db,
    `SELECT count(*) AS count, json_group_array(json_array(id, name_key, updated_at, tags)) AS meta, group_concat(hay || char(30), '') AS text
     FROM (SELECT id, name_key, updated_at, tags, ${HAY} AS hay FROM secret
           ${after ? 'WHERE (name_key, id) > (?, ?)' : ''} ORDER BY name_key, id LIMIT ?)`,
    after ? [after.nameKey, after.id, limit] : [limit],
  )
  return { count: row?.count ?? 0, meta: row?.meta ?? '[]', text: row?.text ?? '' }
}

/** Every id in the given order, read from that order's index (the order `page` uses). */
export function orderedIds(db: Database, sort: SecretSort): SecretId[] {
  const column = sort === 'name' ? 'name_key' : 'updated_at'
  const text = one<{ ids: string | null }>(db, `SELECT group_concat(id, ',') AS ids FROM (SELECT id FROM secret ORDER BY ${column}, id)`)?.ids
  return text ? (text.split(',') as SecretId[]) : []
}

/**
 * The catalog's texts (secrets.catalog.ts), built by SQLite in one pass over the name index,
 * records in list order (name_key, id) and separated by U+001E: `rows`, each secret's
 * CATALOG_ROW_SQL columns separated by U+001F; `fields`, its searchable fields one per line (as
 * the search reads them, not yet folded); `private`, its client secret and notes as a JSON
 * array, as a BLOB: sql.js gives bytes, which are wiped once sealed, not a string.
 * SECURITY: `private` holds every client secret: for the catalog's encryption only.
 */
export function catalogTexts(db: Database): CatalogTexts {
  // In chunks, so SQLite's buffers for the aggregates stay small (sql.js's memory never shrinks
  // once grown). The rows come in the order of the subquery (the secret_by_name index), as
  // orderedIds reads them (an ORDER BY inside each aggregate would sort the rows again per
  // aggregate); secrets.catalog.test.ts checks the order against the list's.
  const rows: string[] = []
  const fields: string[] = []
  const privates: Uint8Array[] = []
  let count = 0
  let nulls = 0
  for (let offset = 0; ; offset += CATALOG_CHUNK) {
    const chunk = one<{ count: number; nulls: number | null; rows: string | null; fields: string | null; private: Uint8Array | null }>(
      db,
      `SELECT count(*) AS count,
         sum((identifier IS NULL) + (identifier_key IS NULL) + (method IS NULL)) AS nulls,
         group_concat(concat_ws(char(31), ${CATALOG_ROW_SQL.join(', ')}), char(30)) AS rows,
         group_concat(${FIELDS}, char(30)) AS fields,
         CAST(group_concat(json_array(client_secret, notes), char(30)) AS BLOB) AS private
       FROM (SELECT * FROM secret ORDER BY name_key, id LIMIT ? OFFSET ?)`,
      [CATALOG_CHUNK, offset],
    )
    if (!chunk || chunk.count === 0) break
    count += chunk.count
    nulls += chunk.nulls ?? 0
    rows.push(chunk.rows ?? '')
    fields.push(chunk.fields ?? '')
    privates.push(chunk.private ?? new Uint8Array(0))
    if (chunk.count < CATALOG_CHUNK) break
  }
  // The chunks' private parts joined by U+001E into one buffer, and each wiped (SECURITY).
  const joined = Buffer.allocUnsafe(privates.reduce((sum, part) => sum + part.length, 0) + Math.max(0, privates.length - 1))
  let at = 0
  privates.forEach((part, i) => {
    if (i > 0) joined[at++] = 0x1e
    joined.set(part, at)
    at += part.length
    part.fill(0)
  })
  return { count, nulls, rows: rows.join('\u001e'), fields: fields.join('\u001e'), private: joined }
}

/** Secrets per query of the catalog's build. */
const CATALOG_CHUNK = 5_000

/** The vault's catalog source for the API secrets (format 1.3): rebuilt after any write of the secret table (see countWrite). */
export const secretsCatalog = (db: Database): CatalogSource => ({ generation: writeCount(db), build: () => catalogBlocks(catalogTexts(db)) })
