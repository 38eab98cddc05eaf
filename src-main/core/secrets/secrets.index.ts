import type { HttpMethod, SecretId, SecretSort, SecretTag } from '../../../src-shared/types/secrets'
import type { Database } from '../vault/database'
import { fold } from './fold'
import { indexChunk } from './secrets.repo'

/** What the index keeps of one secret: its sort keys, its tags and the folded text search looks in. */
interface Entry {
  id: SecretId
  nameKey: string
  updatedAt: string
  tags: string[]
  tagKeys: string[]
  /** fold() of name, URL, Client ID, Identifier, method and tags, one per line. Never the client secret or notes. */
  hay: string
}

/** The searchable fields of one secret, as the repo or the service has them. */
export interface IndexSource {
  id: SecretId
  name: string
  url: string
  clientId: string
  identifier: string | null
  method: HttpMethod | null
  tags: string[]
  updatedAt: string
}

export interface IndexQuery {
  search: string
  tag: string | null
  sort: SecretSort
  direction: 'asc' | 'desc'
  offset: number
  limit: number
}

/** Rows read per step of a build; the event loop runs between steps. */
const BUILD_CHUNK = 2000

const sortKey: Record<SecretSort, (e: Entry) => string> = {
  name: (e) => e.nameKey,
  updated: (e) => e.updatedAt,
}

function compare(sort: SecretSort, a: Entry, b: Entry): number {
  const ka = sortKey[sort](a)
  const kb = sortKey[sort](b)
  if (ka !== kb) return ka < kb ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** First position in `order` whose entry is not before `entry`. */
function lowerBound(order: Entry[], entry: Entry, sort: SecretSort): number {
  let lo = 0
  let hi = order.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(sort, order[mid]!, entry) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

function toEntry(source: IndexSource): Entry {
  const tagKeys = source.tags.map(fold)
  return {
    id: source.id,
    nameKey: fold(source.name),
    updatedAt: source.updatedAt,
    tags: source.tags,
    tagKeys,
    hay: fold([source.name, source.url, source.clientId, source.identifier ?? '', source.method ?? '', ...source.tags].join('\n')),
  }
}

/** Splits a search into folded terms; every term must occur (as a substring) for a match. */
export function searchTerms(search: string): string[] {
  return fold(search).split(/\s+/).filter(Boolean)
}

/**
 * The in-memory search index of the API secrets report: one entry per secret with its
 * folded text, and the secrets sorted by name and by last update. sql.js scans a large
 * table far slower than V8 scans strings, so search and tag filters run here; the vault's
 * database stays the only truth and the index mirrors exactly one open database.
 *
 * What must stay true:
 * - It mirrors `source`: every mutation that changes a secret calls `put`/`delete` with the
 *   database it changed, inside the same transaction. A call with another database (the
 *   vault reloaded another process's version) throws the index away, to be rebuilt.
 * - SECURITY: it never holds a client secret or notes, and `clear()` (on lock) drops it all.
 * - A build reads the database in rowid chunks and yields between them, so it may overlap
 *   mutations: `put` and `delete` are idempotent by id, which keeps the result exact.
 */
export class SecretsIndex {
  private source: Database | null = null
  private complete = false
  private readonly entries = new Map<SecretId, Entry>()
  private orders: Partial<Record<SecretSort, Entry[]>> = {}
  private building: Promise<void> | null = null
  private generation = 0

  /** True when the index mirrors all of `db`. */
  isReadyFor(db: Database): boolean {
    return this.complete && this.source === db
  }

  /**
   * Builds the index for the database `read` gives (if it does not mirror it already).
   * `read` is the vault's read access, so a lock in the middle rejects with VAULT_LOCKED.
   */
  async ensure(read: <T>(fn: (db: Database) => T) => T): Promise<void> {
    for (;;) {
      const db = read((d) => d)
      if (this.isReadyFor(db)) return
      if (!this.building || this.source !== db) this.building = this.build(db, read)
      await this.building
    }
  }

  private async build(db: Database, read: <T>(fn: (db: Database) => T) => T): Promise<void> {
    this.reset(db)
    const generation = this.generation
    let after = 0
    for (;;) {
      const rows = read((current) => (current === db ? indexChunk(current, after, BUILD_CHUNK) : null))
      if (rows === null || generation !== this.generation) return
      for (const row of rows)
        this.entries.set(
          row.id,
          toEntry({ ...row, clientId: row.client_id, tags: JSON.parse(row.tags) as string[], updatedAt: row.updated_at }),
        )
      if (rows.length < BUILD_CHUNK) break
      after = rows[rows.length - 1]!.rowid
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (generation !== this.generation) return
    }
    this.complete = true
    this.building = null
  }

  /** Adds or replaces one secret, after `db` was changed. */
  put(db: Database, source: IndexSource): void {
    if (!this.follows(db)) return
    const entry = toEntry(source)
    const previous = this.entries.get(entry.id)
    this.entries.set(entry.id, entry)
    for (const sort of Object.keys(this.orders) as SecretSort[]) {
      const order = this.orders[sort]!
      if (previous) this.removeFrom(order, previous, sort)
      order.splice(lowerBound(order, entry, sort), 0, entry)
    }
  }

  /** Removes one secret, after it was deleted from `db`. */
  delete(db: Database, id: SecretId): void {
    if (!this.follows(db)) return
    const previous = this.entries.get(id)
    if (!previous) return
    this.entries.delete(id)
    for (const sort of Object.keys(this.orders) as SecretSort[]) this.removeFrom(this.orders[sort]!, previous, sort)
  }

  /** Before many puts at once (an import): sorting once later is cheaper than inserting each. */
  dropOrders(): void {
    this.orders = {}
  }

  /** The ids of one page of matches, in order, and how many match in all. Call only when ready. */
  query(q: IndexQuery): { ids: SecretId[]; total: number } {
    const terms = searchTerms(q.search)
    const tagKey = q.tag === null ? null : fold(q.tag)
    const order = this.order(q.sort)
    const ids: SecretId[] = []
    const end = q.offset + q.limit
    let total = 0
    const n = order.length
    const descending = q.direction === 'desc'
    for (let i = 0; i < n; i++) {
      const entry = order[descending ? n - 1 - i : i]!
      if (tagKey !== null && !entry.tagKeys.includes(tagKey)) continue
      let match = true
      for (let t = 0; t < terms.length; t++)
        if (!entry.hay.includes(terms[t]!)) {
          match = false
          break
        }
      if (!match) continue
      if (total >= q.offset && total < end) ids.push(entry.id)
      total++
    }
    return { ids, total }
  }

  /** Every tag in use (first spelling seen) with its count, sorted by name. */
  tags(): SecretTag[] {
    const counts = new Map<string, SecretTag>()
    for (const entry of this.entries.values())
      entry.tagKeys.forEach((key, i) => {
        const tag = counts.get(key)
        if (tag) tag.count++
        else counts.set(key, { tag: entry.tags[i]!, count: 1 })
      })
    return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, tag]) => tag)
  }

  get size(): number {
    return this.entries.size
  }

  /** SECURITY: drops everything (on lock). */
  clear(): void {
    this.reset(null)
  }

  private reset(db: Database | null): void {
    this.generation++
    this.source = db
    this.complete = false
    this.building = null
    this.entries.clear()
    this.orders = {}
  }

  /** Whether a change to `db` should be applied here; a change to another database invalidates the index. */
  private follows(db: Database): boolean {
    if (this.source === db) return true
    if (this.source !== null) this.reset(null)
    return false
  }

  private order(sort: SecretSort): Entry[] {
    let order = this.orders[sort]
    if (!order) {
      order = [...this.entries.values()].sort((a, b) => compare(sort, a, b))
      this.orders[sort] = order
    }
    return order
  }

  private removeFrom(order: Entry[], entry: Entry, sort: SecretSort): void {
    let at = lowerBound(order, entry, sort)
    // Not where its keys say (should not happen): find it the slow way rather than corrupt the order.
    if (order[at] !== entry) at = order.indexOf(entry)
    if (at >= 0) order.splice(at, 1)
  }
}
