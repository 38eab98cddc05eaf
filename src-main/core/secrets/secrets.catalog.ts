import { foldText } from '../../../src-shared/fold'
import type { HttpMethod, SecretId, SecretSummary } from '../../../src-shared/types/secrets'
import type { CatalogBlockName } from '../vault/catalog'
import { FIELD_END, prepareSearch, RECORD_END, recordMatches, tagSetOf, type TagSet } from './secrets.match'
import type { SecretLookup } from './secrets.refs'
import type { SecretHandle } from './secrets.repo'

/**
 * What the API secrets put in the vault's catalog (format 1.3, docs/vault-catalog.md §3), in
 * one place for the writer (the vault's saves) and the reader (the CLI's read path): three
 * blocks, one record per secret in list order (name_key, id, the order of `secret list`),
 * records separated by U+001E, the same record index in every block.
 * - `rows`: the list's columns separated by U+001F (CATALOG_ROW_SQL): id, name, URL, Client ID,
 *   Identifier, its folded key, method (U+001D for none of these three), tags JSON, "1"/"0" for
 *   a client secret, created, updated.
 * - `search`: the searchable fields, folded, one per line (what the search scans; the tags
 *   come from `rows`).
 * - `secrets`: `[client secret, notes]` as JSON.
 * The contract refuses control characters in every value but the notes (and JSON escapes
 * those), so no value holds a separator; a vault that has one anyway gets no catalog.
 * SQLite builds the texts (secrets.repo.ts catalogTexts); this module loads no SQL, so the
 * CLI's read path bundles none.
 */

/** A value that stands for SQL NULL in a `rows` record (the contract refuses control characters in these fields). */
const NONE = '\u001d'

/**
 * A `rows` record's columns, in order, as SQL gives each (secrets.repo.ts catalogTexts joins
 * them with FIELD_END): the one definition of the layout `CatalogRows` reads.
 */
export const CATALOG_ROW_SQL = [
  'id',
  'name',
  'url',
  'client_id',
  'coalesce(identifier, char(29))',
  'coalesce(identifier_key, char(29))',
  'coalesce(method, char(29))',
  'tags',
  'client_secret IS NOT NULL',
  'created_at',
  'updated_at',
] as const
const COLUMNS = CATALOG_ROW_SQL.length
/** Fields of a `rows` record, by place in CATALOG_ROW_SQL. */
const ID = 0
const NAME = 1
const IDENTIFIER = 4
const IDENTIFIER_KEY = 5
/** The fields the list's table shows, by place in a record (CatalogRows.textAt); `none` marks SQL NULL. */
export const ROW_FIELD = { id: ID, name: NAME, url: 2, clientId: 3, identifier: IDENTIFIER, method: 6, tags: 7, updatedAt: 10, none: NONE } as const
/** Fields in a `rows` record. */
export const ROW_FIELDS = COLUMNS

/** A secret as the catalog lists it: its summary and its folded Identifier (how `resolve` finds it). */
export interface CatalogRow extends SecretSummary {
  identifierKey: string | null
}

/** The texts SQLite builds for the catalog (secrets.repo.ts catalogTexts). */
export interface CatalogTexts {
  count: number
  /** How many Identifiers, folded Identifiers and methods are NULL (each written as U+001D). */
  nulls: number
  rows: string
  fields: string
  /**
   * `[client secret, notes]` JSON per record, as UTF-8 bytes (never a string: a string of every
   * client secret could not be wiped; these bytes are, once sealed).
   */
  private: Uint8Array
}

/** The catalog's blocks from the texts SQLite built; null when a value holds a separator. */
export function catalogBlocks(texts: CatalogTexts): Array<{ name: CatalogBlockName; bytes: Buffer }> | null {
  // A value holding a separator adds one: the counts tell (the separators are never removed).
  // SECURITY: every client secret; the vault encrypts these bytes and wipes them (a view, no copy).
  const secrets = Buffer.from(texts.private.buffer, texts.private.byteOffset, texts.private.byteLength)
  const search = foldText(texts.fields)
  const records = Math.max(0, texts.count - 1)
  if (
    occurrences(texts.rows, RECORD_END) !== records ||
    occurrences(texts.rows, FIELD_END) !== texts.count * (COLUMNS - 1) ||
    occurrences(texts.rows, NONE) !== texts.nulls ||
    occurrences(search, RECORD_END) !== records ||
    // JSON escapes the separators, so the records line up; checked all the same (a shift would print another secret's value).
    byteOccurrences(secrets, 0x1e) !== records
  ) {
    secrets.fill(0)
    return null
  }
  return [
    { name: 'rows', bytes: Buffer.from(texts.rows, 'utf8') },
    { name: 'search', bytes: Buffer.from(search, 'utf8') },
    { name: 'secrets', bytes: secrets },
  ]
}

function byteOccurrences(bytes: Buffer, byte: number): number {
  let count = 0
  for (let at = bytes.indexOf(byte); at !== -1; at = bytes.indexOf(byte, at + 1)) count++
  return count
}

function occurrences(text: string, char: string): number {
  let count = 0
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) count++
  return count
}

const records = (block: Buffer): string[] => (block.length === 0 ? [] : block.toString('utf8').split(RECORD_END))

/**
 * The rows of a `rows` block, each parsed when asked for (and anew when asked again): all it
 * keeps is where each record starts, so a list of 100,000 (its widths measured on textAt,
 * then each row parsed for its line) leaves nothing alive for the collector to copy.
 */
export class CatalogRows {
  readonly count: number
  /** Where record r starts; starts[count] is one past the block's end. */
  private readonly starts: Int32Array
  private readonly tagSets = new Map<string, string[]>()

  constructor(private readonly block: Buffer) {
    const starts: number[] = []
    if (block.length > 0) {
      starts.push(0)
      for (let at = block.indexOf(0x1e); at !== -1; at = block.indexOf(0x1e, at + 1)) starts.push(at + 1)
    }
    starts.push(block.length + 1)
    this.starts = Int32Array.from(starts)
    this.count = starts.length - 1
  }

  /** Row `r`, in list order. */
  at(r: number): CatalogRow {
    const v = this.block.toString('utf8', this.starts[r]!, this.starts[r + 1]! - 1).split(FIELD_END)
    if (v.length !== COLUMNS) throw new Error('catalog rows are misaligned')
    const [id, name, url, clientId, identifier, identifierKey, method, tagsJson, hasSecret, createdAt, updatedAt] = v as [string, ...string[]] & string[]
    let tags = this.tagSets.get(tagsJson!)
    if (!tags) {
      tags = JSON.parse(tagsJson!) as string[]
      if (this.tagSets.size < 10_000) this.tagSets.set(tagsJson!, tags)
    }
    return {
      id: id as SecretId,
      name: name!,
      url: url!,
      clientId: clientId!,
      identifier: identifier === NONE ? null : identifier!,
      identifierKey: identifierKey === NONE ? null : identifierKey!,
      method: method === NONE ? null : (method as HttpMethod),
      // A copy per row: a caller may change one row's tags.
      tags: [...tags],
      hasClientSecret: hasSecret === '1',
      createdAt: createdAt!,
      updatedAt: updatedAt!,
    }
  }

  /**
   * Row `r`'s record as one text, and where each field starts in it (`starts`, ROW_FIELDS + 1
   * entries: field i is text.slice(starts[i], starts[i + 1] - 1)): the list's table measures its
   * columns on this (secrets.format.ts) without parsing every row twice.
   */
  textAt(r: number, starts: Int32Array): string {
    const text = this.block.toString('utf8', this.starts[r]!, this.starts[r + 1]! - 1)
    starts[0] = 0
    let at = -1
    for (let i = 1; i < COLUMNS; i++) {
      at = text.indexOf(FIELD_END, at + 1)
      if (at === -1) throw new Error('catalog rows are misaligned')
      starts[i] = at + 1
    }
    starts[COLUMNS] = text.length + 1
    return text
  }

  /** Row `r`'s id, a string of its own (a slice of its record would keep the record's text alive). */
  id(r: number): SecretId {
    const start = this.starts[r]!
    return this.block.toString('latin1', start, this.block.indexOf(0x1f, start)) as SecretId
  }

  /**
   * resolveRef's lookups (secrets.refs.ts) over the rows' bytes: each a search of the block for
   * the value as a whole field (Buffer.indexOf), and only the rows found are parsed. A value
   * holding a separator is in no field.
   */
  lookup(): SecretLookup {
    const handles = (rows: number[]): SecretHandle[] =>
      rows.map((r) => ({ id: this.id(r), identifier: this.at(r).identifier })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return {
      hasId: (id) => this.rowsWhere(ID, id, true).length > 0,
      idByIdentifierKey: (key) => {
        const [r] = this.rowsWhere(IDENTIFIER_KEY, key, true)
        return r === undefined ? undefined : this.id(r)
      },
      byName: (name) => handles(this.rowsWhere(NAME, name, true)),
      byIdPrefix: (prefix, limit) => handles(this.rowsWhere(ID, prefix, false)).slice(0, limit),
    }
  }

  /** The row of the secret with this id, or -1. */
  rowOf(id: SecretId): number {
    return this.rowsWhere(ID, id, true)[0] ?? -1
  }

  /** The rows (ascending) whose field `field` is `value` (or, not `whole`, starts with it). */
  private rowsWhere(field: number, value: string, whole: boolean): number[] {
    // eslint-disable-next-line no-control-regex
    if (value === '' || /[\u001d-\u001f]/.test(value)) return []
    const needle = Buffer.from(`${field === 0 ? '' : FIELD_END}${value}${whole ? FIELD_END : ''}`, 'utf8')
    const offset = field === 0 ? 0 : 1
    const found: number[] = []
    for (let at = this.block.indexOf(needle); at !== -1; at = this.block.indexOf(needle, at + 1)) {
      const r = this.rowAt(at)
      if (this.fieldStart(r, field) === at + offset) found.push(r)
    }
    return found
  }

  /** The row whose record holds byte `at`. */
  private rowAt(at: number): number {
    let lo = 0
    let hi = this.count - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.starts[mid]! <= at) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Where field `field` of row `r` starts in the block. */
  private fieldStart(r: number, field: number): number {
    let at = this.starts[r]!
    for (let k = 0; k < field; k++) at = this.block.indexOf(0x1f, at) + 1
    return at
  }

  /** Whether row `r` has no Identifier, read from its bytes (the fifth field is U+001D alone). */
  unidentified(r: number): boolean {
    const at = this.fieldStart(r, IDENTIFIER)
    return this.block[at] === 0x1d && this.block[at + 1] === 0x1f
  }
}

/** Every secret of a `rows` block, in list order. */
export function parseRows(block: Buffer): CatalogRow[] {
  const rows = new CatalogRows(block)
  return Array.from({ length: rows.count }, (_, r) => rows.at(r))
}

/**
 * The indexes (ascending) in `rows` of the secrets `secret list --search query --tag tag`
 * lists, by the search's one rule (recordMatches), from the `search` block.
 */
export function matchRows(search: Buffer, rows: readonly CatalogRow[], query: string | undefined, tag: string | undefined): number[] {
  const fields = records(search)
  if (fields.length !== rows.length) throw new Error('catalog blocks are misaligned')
  const prepared = prepareSearch(query ?? '', tag ?? null)
  const sets = new Map<string, TagSet>()
  const found: number[] = []
  for (let i = 0; i < rows.length; i++) {
    const json = JSON.stringify(rows[i]!.tags)
    let set = sets.get(json)
    if (!set) {
      set = tagSetOf(json)
      sets.set(json, set)
    }
    if (recordMatches(fields[i]!, 0, set, prepared)) found.push(i)
  }
  return found
}

/**
 * The client secret and notes of the secret at `index` of a `secrets` block. SECURITY: the
 * caller asked for exactly this secret's value; nothing else of the block becomes a string.
 */
export function privateFieldsAt(block: Buffer, index: number, count: number): { clientSecret: string | null; notes: string } {
  // As many records as rows, or another secret's value could be printed.
  if (byteOccurrences(block, 0x1e) !== count - 1) throw new Error('catalog secrets are misaligned')
  let start = 0
  for (let i = 0; i < index; i++) start = block.indexOf(0x1e, start) + 1
  const end = block.indexOf(0x1e, start)
  const [clientSecret, notes] = JSON.parse(block.toString('utf8', start, end === -1 ? block.length : end)) as [string | null, string]
  return { clientSecret, notes }
}
