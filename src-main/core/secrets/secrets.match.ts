import { fold, foldText } from '../../../src-shared/fold'
import type { SecretId, SecretSummary } from '../../../src-shared/types/secrets'
import { nameSortKey } from './secrets.sort-key'
import { searchableFields, searchableText, type SearchableField } from './secrets.searchable'

/**
 * What matches a search, in one place: the terms a search is cut into, the folded text a
 * secret is searched in (its searchable fields, then its folded tags, one per line), the tag
 * filter, and the text order. The index (secrets.index.ts) and the CLI's one-off scan apply
 * these same rules.
 */

export const RECORD_END = '\u001e'
/** Between the fields of one record (catalog rows, the CLI's scan). */
export const FIELD_END = '\u001f'

/** Splits a search into folded terms; every term must occur (as a substring) for a match. */
export function searchTerms(search: string): string[] {
  // eslint-disable-next-line no-control-regex
  return fold(search.replace(/[\u0000-\u001f\u007f]/g, ' ')).split(/\s+/).filter(Boolean)
}

/**
 * Code-point order, which is SQLite's BINARY order of the same text in UTF-8, so entries
 * inserted here land where the database's indexes (which the build reads) put them.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  let i = 0
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (i === n) return a.length < b.length ? -1 : 1
  return a.codePointAt(i)! < b.codePointAt(i)! ? -1 : 1
}

function tagKeysOf(foldedTags: string[]): string {
  return foldedTags.length ? `\n${foldedTags.join('\n')}\n` : ''
}

/** What a tag filter looks for in an entry's `tagKeys`. */
export const tagNeedleOf = (tag: string) => `\n${fold(tag)}\n`

/** One stored tags JSON, parsed: the tags, folded as a change folds them (see toEntry), and their search forms. */
export interface TagSet {
  tags: string[]
  foldedTags: string[]
  tagKeys: string
  /** What the tags add to the fields in an entry's hay (see searchableText). */
  tail: string
}

export function tagSetOf(json: string): TagSet {
  const tags = JSON.parse(json) as string[]
  const foldedTags = tags.map(fold)
  return { tags, foldedTags, tagKeys: tagKeysOf(foldedTags), tail: searchableText('', foldedTags) }
}

/**
 * One search without the index, for a process that searches once (the CLI): the rowids of
 * the secrets matching `search` and `tag`, in row order, from `text` (repo.searchText). The
 * rules are the index's exactly: the same folded hay per secret (its searchable fields, then
 * its folded tags, one per line), every term a substring of it, the tag one of its folded
 * tags. Null when the records do not line up (a separator inside a value): the caller then
 * asks the index, which copes with that.
 */
export function scanMatches(text: { count: number; core: string; tags: string }, search: string, tag: string | null): number[] | null {
  const found: number[] = []
  if (text.count === 0) return found
  const cores = foldText(text.core).split(RECORD_END)
  const tagJsons = text.tags.split(RECORD_END)
  if (cores.length !== text.count || tagJsons.length !== text.count) return null
  const query = prepareSearch(search, tag)
  const sets = new Map<string, TagSet>()
  for (let i = 0; i < text.count; i++) {
    const record = cores[i]!
    const cut = record.indexOf(FIELD_END)
    if (cut < 1) return null
    const json = tagJsons[i]!
    let set = sets.get(json)
    if (!set) {
      set = tagSetOf(json)
      sets.set(json, set)
    }
    if (!recordMatches(record, cut + 1, set, query)) continue
    const rowid = Number(record.slice(0, cut))
    if (!Number.isSafeInteger(rowid)) return null
    found.push(rowid)
  }
  return found
}

/** A search and a tag filter, prepared once for a scan of many records. */
export interface PreparedSearch {
  terms: string[]
  /** The term looked for first (the longest), null for none. */
  first: string | null
  needle: string | null
}

/** `search` cut into terms, and `tag` as a filter: a blank tag filters nothing (as the service's query defaults say). */
export function prepareSearch(search: string, tag: string | null): PreparedSearch {
  const terms = searchTerms(search)
  return { terms, first: terms.length ? longestTerm(terms) : null, needle: tag === null || tag.trim() === '' ? null : tagNeedleOf(tag) }
}

/**
 * Whether one secret matches, from its folded searchable fields (one per line: `record` from
 * `from` on) and its tags: every term in the fields or the folded tags, the tag among its
 * tags. The one rule of the CLI's scan (scanMatches) and of the catalog (secrets.catalog.ts);
 * the index applies the same to the same hay.
 */
export function recordMatches(record: string, from: number, set: TagSet, query: PreparedSearch): boolean {
  if (query.needle !== null && !set.tagKeys.includes(query.needle)) return false
  // Terms hold no line break, so a term is in the hay exactly when it is in the fields or in the tail.
  if (query.first !== null && record.indexOf(query.first, from) === -1 && !set.tail.includes(query.first)) return false
  return query.terms.length <= 1 || hasAll((from === 0 ? record : record.slice(from)) + set.tail, query.terms)
}

/** The term to scan for with indexOf (the longest: the fewest false starts); `terms` is not empty. */
export const longestTerm = (terms: readonly string[]) => terms.reduce((a, b) => (b.length > a.length ? b : a))

/** Whether `hay` holds every one of `terms` (search and scanMatches alike). */
export function hasAll(hay: string, terms: readonly string[]): boolean {
  for (const term of terms) if (!hay.includes(term)) return false
  return true
}

/** Do the `next` terms only narrow `previous` (each old term inside some new one)? Then its matches are a superset. */
export const refines = (previous: string[], next: string[]) => previous.every((old) => next.some((term) => term.includes(old)))

/** What the index keeps of one secret: sort keys and folded text. Never the client secret or notes. */
export interface Entry {
  id: SecretId
  nameKey: string
  updatedAt: string
  /** The tags as stored (shared between entries with the same tags). */
  tags: readonly string[]
  /** The folded tags, in the same order (shared too). */
  foldedTags: readonly string[]
  /** "\n" + folded tags joined by "\n" + "\n", or "" without tags: a tag filter is one includes(). */
  tagKeys: string
  /** Folded name, URL, Client ID, Identifier, method and tags, one per line. */
  hay: string
}

/** The searchable fields of one secret, as the service has them after a change. */
export type IndexSource = Pick<SecretSummary, 'id' | SearchableField | 'tags' | 'updatedAt'>

/** A secret as the index keeps it: its sort keys and the folded text it is searched in. */
export function toEntry(source: IndexSource): Entry {
  const foldedTags = source.tags.map(fold)
  return {
    id: source.id,
    nameKey: nameSortKey(source.name),
    updatedAt: source.updatedAt,
    tags: source.tags,
    foldedTags,
    tagKeys: tagKeysOf(foldedTags),
    // As indexBlock: U+001E (which the contract refuses anyway) becomes a space.
    hay: searchableText(fold(searchableFields(source)), foldedTags).replaceAll(RECORD_END, ' '),
  }
}
