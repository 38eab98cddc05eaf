import type { SecretId, SecretSort, SecretTag } from '../../../src-shared/types/secrets'
import type { Database } from '../vault/database'
import { foldText } from '../../../src-shared/fold'
import { compareText, hasAll, longestTerm, RECORD_END, refines, searchTerms, tagNeedleOf, tagSetOf, toEntry, type Entry, type IndexSource, type TagSet } from './secrets.match'
import { indexBlock, orderedIds } from './secrets.repo'
import { compareNames } from './secrets.sort-key'

export interface IndexQuery {
  search: string
  tag: string | null
  sort: SecretSort
  direction: 'asc' | 'desc'
  offset: number
  limit: number
}

/**
 * A run of consecutive entries of an order, with their texts joined for fast scans: each
 * entry's hay followed by RECORD_END. Built lazily; a change to one of its entries clears it,
 * so an edit costs rebuilding one block, not all 100,000 records.
 */
interface Block {
  count: number
  text: string | null
  /** starts[r] is where the block's entry r begins in `text`, and starts[count] = text.length. */
  starts: Int32Array | null
}

/** The entries in one order, cut into blocks of texts (null until the first search). */
interface Order {
  entries: Entry[]
  blocks: Block[] | null
}

/** Entries per block: a block's text is about 150 KB; a block that doubles is split. */
const DEFAULT_BLOCK_SIZE = 1024

const sortKey: Record<SecretSort, (e: Entry) => string> = {
  name: (e) => e.nameKey,
  updated: (e) => e.updatedAt,
}

function compare(sort: SecretSort, a: Entry, b: Entry): number {
  return compareText(sortKey[sort](a), sortKey[sort](b)) || compareText(a.id, b.id)
}

function lowerBound(entries: Entry[], entry: Entry, sort: SecretSort): number {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(sort, entries[mid]!, entry) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

// The search loops (SecretsIndex.scanBlocks and narrowMatches) call only these and methods,
// and make no closures per call or per record: V8 optimizes them while the first keystroke
// runs, and a closure made anew on each call threw that code away again ("wrong call
// target"), so the first keystrokes after an unlock ran slowly.

const hasTag = (entry: Entry, tagNeedle: string | null) => tagNeedle === null || entry.tagKeys.includes(tagNeedle)

/** Whether record `r` of a block's text (its slice, so each check stays in cache) holds every one of `terms`. */
const recordHasAll = (text: string, starts: Int32Array, r: number, terms: readonly string[]) =>
  terms.length === 0 || hasAll(text.slice(starts[r]!, starts[r + 1]! - 1), terms)

/**
 * The in-memory search index of the API secrets report. sql.js scans a large table far
 * slower than V8 scans a string, so search and tag filters run here; the vault's database
 * stays the only truth, and the index mirrors exactly one open database.
 *
 * What must stay true:
 * - It mirrors `source`: every mutation that changes a secret calls `put`/`delete` with the
 *   database it changed, inside the same transaction. A call with another database (the
 *   vault reloaded another process's version) throws the index away, to be rebuilt.
 * - Orders are read from the database's own indexes and kept in code-point order, the
 *   database's order, so a filtered page and an unfiltered one sort alike.
 * - SECURITY: it never holds a client secret or notes, and `clear()` (on lock) drops it all.
 * - A build reads the database a block at a time in name order and yields between blocks,
 *   so it may overlap mutations: `put` and `delete` are idempotent by id, which keeps the
 *   entries exact, and the name order it read is dropped (to be read again) if one came in.
 */
export class SecretsIndex {
  /** `blockSize` is for tests, which use small blocks to exercise splitting. */
  constructor(private readonly blockSize = DEFAULT_BLOCK_SIZE) {}

  private source: Database | null = null
  private complete = false
  private readonly entries = new Map<SecretId, Entry>()
  private orders: Partial<Record<SecretSort, Order>> = {}
  private building: Promise<void> | null = null
  private generation = 0
  /** Bumped by every change, so a cached result is never reused across one. */
  private version = 0
  private last: { version: number; sort: SecretSort; tag: string | null; terms: string[]; matches: Int32Array } | null = null

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

  /**
   * Reads the secrets in name order, one block at a time (the event loop runs between blocks):
   * each block's text comes folded from one SQLite string, and the entries' texts are slices
   * of it, so a build makes no second copy. The name order is then ready with its blocks,
   * unless a change came in meanwhile: then it is read again when first needed.
   */
  private async build(db: Database, read: <T>(fn: (db: Database) => T) => T): Promise<void> {
    this.reset(db)
    const generation = this.generation
    const version = this.version
    const order: Order = { entries: [], blocks: [] }
    for (;;) {
      const last = order.entries[order.entries.length - 1]
      const after = last ? { nameKey: last.nameKey, id: last.id } : null
      const rows = read((current) => (current === db ? indexBlock(current, after, this.blockSize) : null))
      if (rows === null || generation !== this.generation) return
      if (rows.count > 0) order.blocks!.push(this.addBlock(rows, order.entries))
      if (rows.count < this.blockSize) break
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (generation !== this.generation) return
    }
    if (this.version === version) this.orders.name = order
    this.complete = true
    this.building = null
  }

  /** One block of rows (see indexBlock) into the index and onto `entries`. */
  private addBlock(rows: { count: number; meta: string; text: string }, entries: Entry[]): Block {
    const metas = JSON.parse(rows.meta) as Array<[SecretId, string, string, string]>
    // Case mapping and NFC neither make nor remove U+001E, so the records still line up.
    const text = foldText(rows.text)
    const starts = new Int32Array(rows.count + 1)
    let at = 0
    for (let r = 0; r < rows.count; r++) {
      const end = text.indexOf(RECORD_END, at)
      if (end === -1 || metas.length !== rows.count) throw new Error('search index block is misaligned')
      const [id, nameKey, updatedAt, tagsJson] = metas[r]!
      const { tags, foldedTags, tagKeys } = this.tagsOf(tagsJson)
      const entry: Entry = { id, nameKey, updatedAt, tags, foldedTags, tagKeys, hay: text.slice(at, end) }
      this.entries.set(id, entry)
      entries.push(entry)
      starts[r] = at
      at = end + 1
    }
    starts[rows.count] = at
    return { count: rows.count, text, starts }
  }

  /** Parsed tags by their stored JSON: vaults repeat the same few tag sets, so most entries share one. */
  private readonly tagSets = new Map<string, TagSet>()

  private tagsOf(json: string): TagSet {
    let set = this.tagSets.get(json)
    if (!set) {
      set = tagSetOf(json)
      if (this.tagSets.size < 10_000) this.tagSets.set(json, set)
    }
    return set
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
      this.insertInto(order, entry, sort)
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

  /** Before many puts at once (an import): reading the order again later is cheaper than inserting each. */
  dropOrders(): void {
    this.orders = {}
    this.version++
  }

  /** The ids of one page of matches, in order, and how many match in all. Call only when ready for `db`. */
  query(db: Database, q: IndexQuery): { ids: SecretId[]; total: number } {
    const order = this.order(db, q.sort)
    const entries = order.entries
    const terms = searchTerms(q.search)
    const tagNeedle = q.tag === null ? null : tagNeedleOf(q.tag)
    let total: number
    let at: (k: number) => Entry
    if (terms.length === 0 && tagNeedle === null) {
      total = entries.length
      at = (k) => entries[k]!
    } else {
      const matches = this.matches(order, q.sort, terms, tagNeedle)
      total = matches.length
      at = (k) => entries[matches[k]!]!
    }
    const ids: SecretId[] = []
    const end = Math.min(total, q.offset + q.limit)
    for (let k = q.offset; k < end; k++) ids.push(at(q.direction === 'asc' ? k : total - 1 - k).id)
    return { ids, total }
  }

  /** Reads the order and joins its block texts now (in the background), so the next search has nothing to prepare. */
  warm(db: Database, sort: SecretSort): void {
    if (!this.isReadyFor(db)) return
    const order = this.order(db, sort)
    let from = 0
    for (const block of this.blocks(order)) {
      this.blockText(order, block, from)
      from += block.count
    }
  }

  /** Positions (ascending) in `order` of the entries with every term and the tag. */
  private matches(order: Order, sort: SecretSort, terms: string[], tagNeedle: string | null): Int32Array {
    const entries = order.entries
    const last = this.last
    let found: number[]
    if (terms.length === 0) {
      found = []
      for (let r = 0; r < entries.length; r++) if (hasTag(entries[r]!, tagNeedle)) found.push(r)
    } else {
      const narrowing =
        last && last.version === this.version && last.sort === sort && last.tag === tagNeedle && last.terms.length > 0 && refines(last.terms, terms)
      found = narrowing && last.matches.length * 4 <= entries.length ? this.narrowMatches(order, last.matches, terms) : this.scanBlocks(order, terms, tagNeedle)
    }
    const matches = Int32Array.from(found)
    this.last = { version: this.version, sort, tag: tagNeedle, terms, matches }
    return matches
  }

  /**
   * Every position whose record has all the terms and the tag: indexOf of the longest term over
   * each block's text finds the candidates, and the other terms and the tag are checked per record.
   */
  private scanBlocks(order: Order, terms: string[], tagNeedle: string | null): number[] {
    const entries = order.entries
    const scan = longestTerm(terms)
    const others = terms.filter((term) => !scan.includes(term))
    const found: number[] = []
    let from = 0
    for (const block of this.blocks(order)) {
      const { text, starts } = this.blockText(order, block, from)
      let r = 0
      let pos = text.indexOf(scan)
      while (pos !== -1) {
        while (starts[r + 1]! <= pos) r++
        if (hasTag(entries[from + r]!, tagNeedle) && recordHasAll(text, starts, r, others)) found.push(from + r)
        pos = text.indexOf(scan, starts[r + 1]!)
      }
      from += block.count
    }
    return found
  }

  /**
   * Typing on: only the previous matches (ascending, with the same tag) can still match, so
   * only their records are checked, and the blocks are walked once.
   */
  private narrowMatches(order: Order, previous: Int32Array, terms: string[]): number[] {
    const blocks = this.blocks(order)
    const found: number[] = []
    let b = 0
    let from = 0
    for (let k = 0; k < previous.length; k++) {
      const g = previous[k]!
      while (g >= from + blocks[b]!.count) from += blocks[b++]!.count
      const { text, starts } = this.blockText(order, blocks[b]!, from)
      if (recordHasAll(text, starts, g - from, terms)) found.push(g)
    }
    return found
  }

  /** The order's blocks, cut the first time they are needed. */
  private blocks(order: Order): Block[] {
    if (!order.blocks) {
      order.blocks = []
      for (let from = 0; from < order.entries.length; from += this.blockSize)
        order.blocks.push({ count: Math.min(this.blockSize, order.entries.length - from), text: null, starts: null })
    }
    return order.blocks
  }

  /** The text of `block`, whose first entry is `order.entries[from]`, joined if needed. */
  private blockText(order: Order, block: Block, from: number): { text: string; starts: Int32Array } {
    if (block.text === null || block.starts === null) {
      const starts = new Int32Array(block.count + 1)
      const parts: string[] = new Array(block.count)
      let at = 0
      for (let r = 0; r < block.count; r++) {
        const hay = order.entries[from + r]!.hay
        starts[r] = at
        parts[r] = hay
        at += hay.length + 1
      }
      starts[block.count] = at
      const text = block.count ? parts.join(RECORD_END) + RECORD_END : ''
      // From now on the entries' texts are slices of this one: each record is in memory once,
      // and the texts they were slices of before are freed once none is left.
      for (let r = 0; r < block.count; r++) order.entries[from + r]!.hay = text.slice(starts[r]!, starts[r + 1]! - 1)
      block.text = text
      block.starts = starts
    }
    return { text: block.text, starts: block.starts }
  }

  /** The block holding position `at` of the order (the last one for the end), and its first position. */
  private blockAt(blocks: Block[], at: number): { index: number; from: number } {
    let from = 0
    for (let index = 0; index < blocks.length; index++) {
      const count = blocks[index]!.count
      if (at < from + count || index === blocks.length - 1) return { index, from }
      from += count
    }
    return { index: -1, from: 0 }
  }

  /** Every tag in use (first spelling seen) with its count, sorted by name in natural order ("v2" before "v10"). */
  tags(): SecretTag[] {
    const counts = new Map<string, SecretTag>()
    for (const entry of this.entries.values())
      entry.foldedTags.forEach((key, i) => {
        const tag = counts.get(key)
        if (tag) tag.count++
        else counts.set(key, { tag: entry.tags[i] ?? key, count: 1 })
      })
    return [...counts.entries()].sort(([a], [b]) => compareNames(a, b) || compareText(a, b)).map(([, tag]) => tag)
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
    this.version++
    this.source = db
    this.complete = false
    this.building = null
    this.entries.clear()
    this.orders = {}
    this.last = null
    this.tagSets.clear()
  }

  /** Whether a change to `db` should be applied here; a change to another database invalidates the index. */
  private follows(db: Database): boolean {
    if (this.source === db) {
      this.version++
      return true
    }
    if (this.source !== null) this.reset(null)
    return false
  }

  /** The entries in `sort` order, read from the database's index the first time. */
  private order(db: Database, sort: SecretSort): Order {
    let order = this.orders[sort]
    if (!order) {
      const entries: Entry[] = []
      for (const id of orderedIds(db, sort)) {
        const entry = this.entries.get(id)
        if (entry) entries.push(entry)
      }
      order = { entries, blocks: null }
      this.orders[sort] = order
    }
    return order
  }

  /** Takes `entry` out of `order`; the block it was in is joined again when next searched. */
  private removeFrom(order: Order, entry: Entry, sort: SecretSort): void {
    const entries = order.entries
    let at = lowerBound(entries, entry, sort)
    // Not where its keys say (should not happen): find it the slow way rather than corrupt the order.
    if (entries[at] !== entry) at = entries.indexOf(entry)
    if (at < 0) return
    entries.splice(at, 1)
    if (!order.blocks) return
    const { index } = this.blockAt(order.blocks, at)
    const block = order.blocks[index]!
    block.count--
    block.text = null
    block.starts = null
    if (block.count === 0 && order.blocks.length > 1) order.blocks.splice(index, 1)
  }

  /** Puts `entry` in its place in `order`; a block that grows to twice the size is split. */
  private insertInto(order: Order, entry: Entry, sort: SecretSort): void {
    const at = lowerBound(order.entries, entry, sort)
    order.entries.splice(at, 0, entry)
    if (!order.blocks) return
    if (order.blocks.length === 0) order.blocks.push({ count: 0, text: null, starts: null })
    const { index } = this.blockAt(order.blocks, at)
    const block = order.blocks[index]!
    block.count++
    block.text = null
    block.starts = null
    if (block.count >= 2 * this.blockSize) {
      const half = block.count >> 1
      order.blocks.splice(index, 1, { count: half, text: null, starts: null }, { count: block.count - half, text: null, starts: null })
    }
  }
}
