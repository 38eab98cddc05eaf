import { constants, promises as fs } from 'node:fs'
import { basename, extname } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { KeyholdError } from '../../src-shared/errors'
import { secretInput, type SecretInput } from '../../src-shared/ipc/secrets.contract'
import { importCell, TAG_SEPARATOR, TRANSFER_KEYS } from '../core/secrets/secrets.transfer'
import { bitwardenEntries, isBitwardenExport, parseBitwardenJson } from './imports/bitwarden.import'
import { csvHeader, describeRowIssue, describeSkipped, toSecretInputs, type ForeignEntry, type Skipped } from './imports/entries'
import { isKeepassCsvHeader, keepassCsvEntries, keepassXmlEntries } from './imports/keepassxc.import'
import { isOnePasswordCsvHeader, onePasswordEntries } from './imports/onepassword.import'
import { decodeUtf8 } from './io'

/** The keys of an import row, as in `--json` output and `secret export`. */
export const IMPORT_KEYS = TRANSFER_KEYS
/** The keys every row must have, as the add form's fields marked with an asterisk. */
const REQUIRED_KEYS = ['name', 'url', 'clientId'] as const
/** Keys that `--json` output has and import accepts and ignores, so that output can be imported again. */
const OUTPUT_ONLY_KEYS = ['id', 'createdAt', 'updatedAt', 'hasClientSecret'] as const

/**
 * A CSV column's name as the header matches it: ignoring case, spaces, hyphens and
 * underscores, so the form's labels ("Client ID", "Client secret") name the same columns as
 * the keys (clientId, clientSecret).
 */
const columnName = (cell: string) => cell.toLowerCase().replace(/[\s_-]+/g, '')
const COLUMNS = new Map<string, (typeof IMPORT_KEYS)[number]>(IMPORT_KEYS.map((key) => [columnName(key), key]))
/** The key a CSV header cell names, or undefined. */
const columnKey = (cell: string) => COLUMNS.get(columnName(cell))

/** The files `secret import` reads, by their name's ending; a file without one is told by its content. */
const IMPORT_EXTENSIONS = ['.json', '.csv', '.xml'] as const

/**
 * INVALID_INPUT for a file whose name ends in another extension (a .txt, a .xlsx), before it
 * is read: saying which files are read is more use than a parser's complaint about the content.
 */
export function checkImportFileName(file: string): void {
  const extension = extname(file).toLowerCase()
  if (extension === '' || (IMPORT_EXTENSIONS as readonly string[]).includes(extension)) return
  throw invalid(
    `${basename(file)} is a ${extension} file. Keyhold imports .json files (Keyhold's own, or Bitwarden's export), .csv files (Keyhold's own, KeePassXC's or 1Password's) and .xml files (KeePassXC's). Save it in one of these formats, then import it.`,
  )
}

export const IMPORT_MAX_ROWS = 100_000
/** The largest import file, in bytes: room for IMPORT_MAX_ROWS rows of a few hundred bytes each. */
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024
const READ_BYTES = 1024 * 1024

export interface ImportRows {
  inputs: SecretInput[]
  /** "Row 3: " or, for CSV, "Row 3 (line 4): ": how messages name a row. */
  label: (index: number) => string
}

const invalid = (message: string) => new KeyholdError('INVALID_INPUT', message)

/**
 * The text of an import file, refused unless it is a file of at most IMPORT_MAX_BYTES of
 * UTF-8. The size is checked on the opened file before any of it is read, and the read stops
 * past the bound all the same (a file that grows meanwhile, or reports no size). Opening does
 * not wait for a writer, so a named pipe is refused as not a file. SECURITY: decoding is
 * strict: invalid bytes are refused, never imported as U+FFFD in place of the secret given.
 */
export async function readImportFile(file: string): Promise<string> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new KeyholdError('NOT_FOUND', `Cannot read ${file}: no such file. Check the path.`)
    if (code === 'EISDIR') throw invalid(`${file} is not a file.`)
    throw invalid(`Cannot read ${file} (${code ?? 'unknown error'}). Check that it is yours to read.`)
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw invalid(`${file} is not a file.`)
    const bytes = stat.size > IMPORT_MAX_BYTES ? undefined : await readAtMost(handle, IMPORT_MAX_BYTES)
    if (bytes === undefined)
      throw invalid(`${file} is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MiB, the most an import file can be. Split it into smaller files.`)
    const text = decodeUtf8(bytes, { stripBom: true })
    if (text === undefined)
      throw invalid(`${file} is not valid UTF-8 text (line ${firstInvalidLine(bytes)}). Save it as UTF-8 (in a spreadsheet: CSV UTF-8) and import it again.`)
    return text
  } finally {
    await handle.close()
  }
}

/** The whole of `handle` if it has at most `max` bytes, else undefined as soon as it has more. */
async function readAtMost(handle: fs.FileHandle, max: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = []
  let size = 0
  for (;;) {
    const { bytesRead, buffer } = await handle.read({ buffer: Buffer.alloc(READ_BYTES) })
    if (bytesRead === 0) return Buffer.concat(parts, size)
    size += bytesRead
    if (size > max) return undefined
    parts.push(buffer.subarray(0, bytesRead))
  }
}

/** The number of the first line of `bytes` that is not UTF-8 (no UTF-8 sequence holds a line feed). */
function firstInvalidLine(bytes: Buffer): number {
  let start = 0
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start)
    if (decodeUtf8(bytes.subarray(start, end < 0 ? bytes.length : end)) === undefined || end < 0) return line
    start = end + 1
  }
}

/**
 * Reads a JSON array or a CSV file of API secrets and validates every row with the same
 * schema as the add form. The first bad row rejects the whole file, naming its row and
 * field. SECURITY: messages never quote a value (parser messages can, so they are replaced).
 */
export function parseImport(text: string, format: 'json' | 'csv'): ImportRows {
  const { rows, label } = format === 'json' ? jsonRows(text) : csvRows(text)
  if (rows.length === 0) throw invalid('The file has no API secrets to import.')
  if (rows.length > IMPORT_MAX_ROWS) throw invalid(`The file has more than ${IMPORT_MAX_ROWS} rows. Split it into smaller files.`)
  const inputs = rows.map((row, i) => {
    const parsed = secretInput.safeParse(row)
    if (!parsed.success) throw invalid(`${label(i)}${describeRowIssue(parsed.error)}`)
    return parsed.data
  })
  return { inputs, label }
}

/** The programs whose exports `secret import --from` reads: Keyhold's own file, and other password managers'. */
export const IMPORT_SOURCES = ['keyhold', 'keepassxc', 'bitwarden', '1password'] as const
export type ImportSource = (typeof IMPORT_SOURCES)[number]

/** How messages name each program. */
export const SOURCE_NAMES: Record<ImportSource, string> = { keyhold: 'Keyhold', keepassxc: 'KeePassXC', bitwarden: 'Bitwarden', '1password': '1Password' }

/** What an import will add, and, from another program's export, what it leaves out and why. */
export interface ImportPlan extends ImportRows {
  source: ImportSource
  skipped: Skipped[]
}

/** The most skipped entries an error message lists (the report after an import lists them all). */
const LISTED_SKIPPED = 10

/**
 * The API secrets of an import file from `from`, or from the program its content shows when
 * `from` is absent (detectSource). Keyhold's own file is all or nothing (parseImport); another
 * program's entries that cannot be API secrets are left out and reported (toSecretInputs), and
 * the rest are imported together. INVALID_INPUT when none is left.
 */
export function planImport(file: string, text: string, from?: ImportSource): ImportPlan {
  const json = from === 'bitwarden' || (from === undefined && text.trimStart().startsWith('{')) ? tryJson(text, from === 'bitwarden') : undefined
  const source = from ?? (json !== undefined && isBitwardenExport(json.data) ? 'bitwarden' : detectSource(file, text))
  if (source === 'keyhold') return { ...parseImport(text, detectFormat(file, text)), source, skipped: [] }
  const entries: ForeignEntry[] =
    source === 'bitwarden'
      ? bitwardenEntries(json!.data)
      : source === '1password'
        ? onePasswordEntries(text)
        : text.trimStart().startsWith('<')
          ? keepassXmlEntries(text)
          : keepassCsvEntries(text)
  if (entries.length === 0) throw invalid(`The file has no entries to import.`)
  if (entries.length > IMPORT_MAX_ROWS) throw invalid(`The file has more than ${IMPORT_MAX_ROWS} entries. Split it into smaller files.`)
  const { inputs, names, skipped } = toSecretInputs(entries)
  if (inputs.length === 0) {
    const listed = describeSkipped(skipped.slice(0, LISTED_SKIPPED)) + (skipped.length > LISTED_SKIPPED ? `; and ${skipped.length - LISTED_SKIPPED} more` : '')
    throw invalid(`None of the ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} of the file can be an API secret, so nothing was imported: ${listed}.`)
  }
  return { inputs, label: (i) => `Entry '${names[i]}': `, source, skipped }
}

/** JSON.parse of the file, or undefined when it is not JSON (then Keyhold's own reader says so), unless `required`. */
function tryJson(text: string, required: boolean): { data: unknown } | undefined {
  if (required) return { data: parseBitwardenJson(text) }
  try {
    return { data: JSON.parse(text) }
  } catch {
    return undefined
  }
}

/**
 * Which program wrote a file that is not a Bitwarden export, by its content: XML is KeePass's;
 * JSON (or a .json name) Keyhold's; a CSV file by its header: Keyhold's columns, KeePassXC's
 * ("Group","Title","Username",...), or 1Password's (Title, Url, Username, ...). INVALID_INPUT
 * asking for --from when the header is none of them.
 */
function detectSource(file: string, text: string): ImportSource {
  const start = text.trimStart()
  if (start.startsWith('<')) return 'keepassxc'
  if (start.startsWith('[') || start.startsWith('{') || /\.json$/i.test(file)) return 'keyhold'
  const header = csvHeader(text)
  if (header.length === 0) return 'keyhold'
  // The other programs' headers first: they share a URL and a notes column with Keyhold's.
  if (isKeepassCsvHeader(header)) return 'keepassxc'
  if (isOnePasswordCsvHeader(header)) return '1password'
  // Any of Keyhold's own columns (by key or by label): Keyhold's reader names what else is wrong.
  if (header.some((cell) => columnKey(cell) !== undefined)) return 'keyhold'
  throw invalid(`Keyhold cannot tell which program wrote ${file}. Name it with --from: ${IMPORT_SOURCES.join(', ')}.`)
}

/** `json` for a .json name or text starting with "[", else `csv`. */
export function detectFormat(fileName: string, text: string): 'json' | 'csv' {
  if (/\.json$/i.test(fileName)) return 'json'
  if (/\.csv$/i.test(fileName)) return 'csv'
  return text.trimStart().startsWith('[') ? 'json' : 'csv'
}

function jsonRows(text: string): { rows: unknown[]; label: (i: number) => string } {
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch {
    throw invalid('The file is not valid JSON. It must be an array of objects with the keys ' + IMPORT_KEYS.join(', ') + '.')
  }
  if (!Array.isArray(data)) throw invalid('The JSON file must be an array of objects with the keys ' + IMPORT_KEYS.join(', ') + '.')
  const label = (i: number) => `Row ${i + 1}: `
  const rows = data.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(`${label(i)}each row must be an object.`)
    const row: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(item)) if (!(OUTPUT_ONLY_KEYS as readonly string[]).includes(key)) row[key] = value
    // A required key left out is a required field left empty, and is refused as the form refuses it.
    for (const key of REQUIRED_KEYS) row[key] ??= ''
    return row
  })
  return { rows, label }
}

function csvRows(text: string): { rows: unknown[]; label: (i: number) => string } {
  let records: Array<{ record: string[]; info: { lines: number } }>
  try {
    records = parseCsv(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: false }) as never
  } catch (error) {
    const line = (error as { lines?: number }).lines
    throw invalid(`The CSV file is malformed${line ? ` near line ${line}` : ''} (check its quotes and that every row has as many cells as the header).`)
  }
  const [header, ...body] = records
  if (!header) return { rows: [], label: () => '' }
  const columns = header.record.map((cell) => {
    const key = columnKey(cell)
    if (key === undefined)
      throw invalid(
        `The CSV header has an unknown column "${cell.trim().slice(0, 40)}". The columns are ${IMPORT_KEYS.join(', ')} (or as the form labels them: Name, URL, Client ID, Client secret, Identifier, Method, Tags, Notes; case and spaces do not matter).`,
      )
    return key
  })
  const twice = columns.find((column, i) => columns.indexOf(column) !== i)
  if (twice !== undefined) throw invalid(`The CSV header names the ${twice} column twice.`)
  const absent = REQUIRED_KEYS.filter((key) => !columns.includes(key))
  if (absent.length > 0)
    throw invalid(`The CSV header has no ${absent.join(', ')} column. Every API secret needs ${REQUIRED_KEYS.join(', ')}; the other columns are optional.`)
  const label = (i: number) => `Row ${i + 1} (line ${body[i]?.info.lines ?? '?'}): `
  const rows = body.map(({ record }) => {
    const row: Record<string, unknown> = {}
    columns.forEach((column, c) => {
      // A leading ' that `secret export` added against spreadsheet formulas is taken off (importCell).
      const cell = importCell(record[c] ?? '')
      if (column === 'tags')
        row.tags = cell
          .split(TAG_SEPARATOR)
          .map((tag) => tag.trim())
          .filter(Boolean)
      else if (cell !== '' || (REQUIRED_KEYS as readonly string[]).includes(column)) row[column] = cell
    })
    return row
  })
  return { rows, label }
}
