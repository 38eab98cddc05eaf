import { parse as parseCsv } from 'csv-parse/sync'
import { z } from 'zod'
import { KeyholdError } from '../../src-shared/errors'
import { secretInput, type SecretInput } from '../../src-shared/ipc/secrets.contract'
import { describeIssues } from '../ipc/handle'

/** The keys of an import row, as in `--json` output. */
export const IMPORT_KEYS = ['name', 'url', 'clientId', 'clientSecret', 'identifier', 'method', 'tags', 'notes'] as const
/** The keys every row must have, as the add form's fields marked with an asterisk. */
const REQUIRED_KEYS = ['name', 'url', 'clientId'] as const
/** Keys that `--json` output has and import accepts and ignores, so that output can be imported again. */
const OUTPUT_ONLY_KEYS = ['id', 'createdAt', 'updatedAt', 'hasClientSecret'] as const

export const IMPORT_MAX_ROWS = 100_000
export const IMPORT_MAX_BYTES = 64 * 1024 * 1024

export interface ImportRows {
  inputs: SecretInput[]
  /** "Row 3: " or, for CSV, "Row 3 (line 4): ": how messages name a row. */
  label: (index: number) => string
}

const invalid = (message: string) => new KeyholdError('INVALID_INPUT', message)

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

/** `json` for a .json name or text starting with "[", else `csv`. */
export function detectFormat(fileName: string, text: string): 'json' | 'csv' {
  if (/\.json$/i.test(fileName)) return 'json'
  if (/\.csv$/i.test(fileName)) return 'csv'
  return text.trimStart().startsWith('[') ? 'json' : 'csv'
}

function describeRowIssue(error: z.ZodError): string {
  const issue = error.issues[0]!
  const field = issue.path[0]
  const text = describeIssues(new z.ZodError([issue])).replace(/^Invalid input: /, '')
  return typeof field === 'string' ? `field ${field}: ${text.replace(new RegExp(`^${field}(\\.\\d+)? `), '')}` : text
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
  const columns = header.record.map((cell) => cell.trim())
  for (const column of columns)
    if (!(IMPORT_KEYS as readonly string[]).includes(column))
      throw invalid(`The CSV header has an unknown column "${column.slice(0, 40)}". The columns are ${IMPORT_KEYS.join(', ')}.`)
  if (new Set(columns).size !== columns.length) throw invalid('The CSV header names a column twice.')
  const absent = REQUIRED_KEYS.filter((key) => !columns.includes(key))
  if (absent.length > 0)
    throw invalid(`The CSV header has no ${absent.join(', ')} column. Every API secret needs ${REQUIRED_KEYS.join(', ')}; the other columns are optional.`)
  const label = (i: number) => `Row ${i + 1} (line ${body[i]?.info.lines ?? '?'}): `
  const rows = body.map(({ record }) => {
    const row: Record<string, unknown> = {}
    columns.forEach((column, c) => {
      const cell = record[c] ?? ''
      if (column === 'tags')
        row.tags = cell
          .split(';')
          .map((tag) => tag.trim())
          .filter(Boolean)
      else if (cell !== '' || (REQUIRED_KEYS as readonly string[]).includes(column)) row[column] = cell
    })
    return row
  })
  return { rows, label }
}
