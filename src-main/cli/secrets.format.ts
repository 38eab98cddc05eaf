import { KeyholdError } from '../../src-shared/errors'
import type { SecretDetail, SecretSummary } from '../../src-shared/types/secrets'
import { columns, oneLine, printed, when } from './helpers'
import { ROW_FIELD, ROW_FIELDS } from '../core/secrets/secrets.catalog'

/**
 * How the CLI prints API secrets: the table of `secret list`, the view of `secret get`, the
 * JSON shapes and `--field`. One definition for the whole CLI (secrets.commands.ts) and the
 * read path (read-path.ts), whose output must be the same byte for byte. Free of commander,
 * zod and sql.js: the read path's bundle imports it.
 */

/** `secret get --field` names and where each value comes from. */
export const FIELDS = {
  id: (s: SecretDetail) => s.id,
  name: (s: SecretDetail) => s.name,
  url: (s: SecretDetail) => s.url,
  'client-id': (s: SecretDetail) => s.clientId,
  identifier: (s: SecretDetail) => s.identifier ?? '',
  method: (s: SecretDetail) => s.method ?? '',
  tags: (s: SecretDetail) => s.tags.join('\n'),
  notes: (s: SecretDetail) => s.notes,
  'created-at': (s: SecretDetail) => s.createdAt,
  'updated-at': (s: SecretDetail) => s.updatedAt,
} as const
export const FIELD_NAMES = [...Object.keys(FIELDS), 'client-secret']
export const camel = (field: string) => field.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

/** INVALID_INPUT for a `--field` of `secret get` that is none of FIELD_NAMES, before the master password is asked for. */
export function checkField(field: string | undefined): void {
  if (field !== undefined && !FIELD_NAMES.includes(field)) throw new KeyholdError('INVALID_INPUT', `The field must be one of ${FIELD_NAMES.join(', ')}.`)
}

/** Whether `secret get` with `field` (and --json or not) prints the client secret: it is then recorded as revealed. */
export const getReveals = (field: string | undefined, json: boolean): boolean => field === 'client-secret' || (field === undefined && json)

/** `--json` shape of one API secret: the import keys plus id and times. */
export function secretJson(detail: SecretDetail, clientSecret: string | null | undefined) {
  const { hasClientSecret: _has, ...rest } = detail
  return {
    id: rest.id,
    name: rest.name,
    url: rest.url,
    clientId: rest.clientId,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    identifier: rest.identifier,
    method: rest.method,
    tags: rest.tags,
    notes: rest.notes,
    createdAt: rest.createdAt,
    updatedAt: rest.updatedAt,
  }
}

/** `--json` shape of a list row: never the client secret or the notes. */
export function summaryJson(s: SecretSummary) {
  return {
    id: s.id,
    name: s.name,
    url: s.url,
    clientId: s.clientId,
    identifier: s.identifier,
    method: s.method,
    tags: s.tags,
    hasClientSecret: s.hasClientSecret,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }
}

/**
 * The list as a table. REF is what refers to the row in `get`, `edit`, `rm` and `copy`: its
 * Identifier, or else the start of its id, `idLength` characters (enough to tell it apart).
 */
export function secretTable(items: Summaries, total: number, idLength: number, width: number | undefined): string {
  if (total === 0) return 'No API secrets match. Add one with `keyhold secret add --name N --url U --client-id C`.'
  const { count, at } = summariesOf(items)
  const cells = (s: SecretSummary) => [oneLine(s.name), s.identifier ?? s.id.slice(0, idLength), s.method ?? '-', s.url, s.clientId, s.tags.join(', ') || '-', when(s.updatedAt)]
  const measured = !isArray(items) && items.textAt ? measuredWidths({ count, textAt: items.textAt }, idLength) : undefined
  return [
    columns({ count: count + 1, row: (r) => (r === 0 ? TABLE_HEADINGS : cells(at(r - 1))) }, { width, cut: [4, 5, 3, 0] }, measured),
    `${total} API secret${total === 1 ? '' : 's'}`,
  ].join('\n')
}

const TABLE_HEADINGS = ['NAME', 'REF', 'METHOD', 'URL', 'CLIENT ID', 'TAGS', 'UPDATED']

/**
 * The widths of secretTable's columns (its cells', above, and the headings'), measured on the
 * catalog's record texts without making the cells: a list of 100,000 then makes each row once,
 * for its line, instead of twice. Each rule follows its cell; a test holds the two to the same
 * table (test/main/secrets/secrets.catalog.test.ts).
 */
function measuredWidths(rows: { count: number; textAt(r: number, starts: Int32Array): string }, idLength: number): number[] {
  const widths = TABLE_HEADINGS.map((heading) => heading.length)
  const starts = new Int32Array(ROW_FIELDS + 1)
  const tagWidths = new Map<string, number>()
  const length = (field: number) => starts[field + 1]! - 1 - starts[field]!
  const isNone = (text: string, field: number) => length(field) === 1 && text[starts[field]!] === ROW_FIELD.none
  const field = (text: string, field: number) => text.slice(starts[field]!, starts[field + 1]! - 1)
  const row = new Array<number>(widths.length)
  for (let r = 0; r < rows.count; r++) {
    const text = rows.textAt(r, starts)
    row[0] = oneLine(field(text, ROW_FIELD.name)).length
    row[1] = isNone(text, ROW_FIELD.identifier) ? Math.min(idLength, length(ROW_FIELD.id)) : length(ROW_FIELD.identifier)
    row[2] = isNone(text, ROW_FIELD.method) ? 1 : length(ROW_FIELD.method)
    row[3] = length(ROW_FIELD.url)
    row[4] = length(ROW_FIELD.clientId)
    const tagsJson = field(text, ROW_FIELD.tags)
    let tags = tagWidths.get(tagsJson)
    if (tags === undefined) {
      tags = ((JSON.parse(tagsJson) as string[]).join(', ') || '-').length
      // Bounded, as CatalogRows' tag sets: a key keeps its record's text alive.
      if (tagWidths.size < 10_000) tagWidths.set(tagsJson, tags)
    }
    row[5] = tags
    // when(): the first 16 characters of the time, and " UTC".
    row[6] = Math.min(16, length(ROW_FIELD.updatedAt)) + 4
    for (let i = 0; i < row.length; i++) if (row[i]! > widths[i]!) widths[i] = row[i]!
  }
  return widths
}

/**
 * API secrets to list: an array, or `count` of them given one at a time, as often as asked
 * (the read path parses each from the catalog on demand rather than keep 100,000 alive).
 */
export type Summaries =
  | readonly SecretSummary[]
  | {
      count: number
      at(index: number): SecretSummary
      /** The catalog's record text of row `index` (CatalogRows.textAt): the table measures its columns on it. */
      textAt?(index: number, starts: Int32Array): string
    }

const isArray = (items: Summaries): items is readonly SecretSummary[] => Array.isArray(items)

const summariesOf = (items: Summaries): { count: number; at(index: number): SecretSummary } =>
  isArray(items) ? { count: items.length, at: (i) => items[i]! } : items

/** What `secret list` prints: the rows as JSON, or the table (`idLength` is called for the table only). */
export function listText(items: Summaries, total: number, json: boolean, idLength: () => number, width: number | undefined): string {
  const list = () => {
    const { count, at } = summariesOf(items)
    return Array.from({ length: count }, (_, i) => summaryJson(at(i)))
  }
  return printed(json, list, () => secretTable(items, total, idLength(), width))
}

export function describe(detail: SecretDetail): string {
  return columns([
    ['Name', detail.name],
    ['URL', detail.url],
    ['Client ID', detail.clientId],
    ['Client secret', detail.hasClientSecret ? '(hidden; --field client-secret prints it)' : '(none)'],
    ['Identifier', detail.identifier ?? '-'],
    ['Method', detail.method ?? '-'],
    ['Tags', detail.tags.join(', ') || '-'],
    ['Notes', detail.notes === '' ? '-' : detail.notes.replace(/\n/g, '\n               ')],
    ['Created', when(detail.createdAt)],
    ['Last updated', when(detail.updatedAt)],
    ['ID', detail.id],
  ])
}

/**
 * What `secret get` prints for `detail`: one field (checkField first), the view, or with
 * --json the whole secret. `clientSecret` is called only when the output carries it
 * (getReveals), and the caller records the reveal.
 * SECURITY: the client secret is printed only because this command asked for exactly it.
 */
export function getText(detail: SecretDetail, field: string | undefined, json: boolean, clientSecret: () => string | null): string {
  if (field === 'client-secret') {
    const value = clientSecret()
    return printed(json, () => ({ clientSecret: value }), () => value ?? '')
  }
  if (field !== undefined) {
    const jsonValue = field === 'tags' ? detail.tags : (secretJson(detail, undefined) as Record<string, unknown>)[camel(field)]
    return printed(json, () => ({ [camel(field)]: jsonValue }), () => FIELDS[field as keyof typeof FIELDS](detail))
  }
  if (!json) return `${describe(detail)}\n`
  // --json is for scripts and import: it carries the client secret, as `get` asked for this one item.
  return printed(true, () => secretJson(detail, clientSecret()), () => '')
}

