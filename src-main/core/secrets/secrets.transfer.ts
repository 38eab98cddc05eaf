import { stringify } from 'csv-stringify/sync'
import { neutraliseCell } from '../csv-cell'
import type { SecretRecord } from './secrets.repo'

/**
 * The file of API secrets that `keyhold secret export` writes and `keyhold secret import`
 * reads: one definition of its keys and of its CSV cells, so that an export imports again
 * with every field as it was.
 */

/** The keys of a row, in this order: the JSON objects' keys and the CSV header. */
export const TRANSFER_KEYS = ['name', 'url', 'clientId', 'clientSecret', 'identifier', 'method', 'tags', 'notes'] as const

export const SECRETS_EXPORT_FORMATS = ['json', 'csv'] as const
export type SecretsExportFormat = (typeof SECRETS_EXPORT_FORMATS)[number]

/** Tags share one CSV cell, separated by this (a tag cannot contain it). */
export const TAG_SEPARATOR = ';'

/**
 * SECURITY: a cell a spreadsheet would run as a formula gets a leading `'` (neutraliseCell),
 * and so does a value that already starts with `'`, so that importCell can tell the mark from
 * the value and take it off: every value comes back as it was.
 */
export function exportCell(value: string): string {
  return value.startsWith("'") || neutraliseCell(value) !== value ? `'${value}` : value
}

/**
 * A CSV cell as import reads it: a leading `'` before what exportCell marks (a formula
 * character, or another `'`) is the mark, as in a spreadsheet, and is taken off; any other
 * leading `'` is part of the value.
 */
export function importCell(cell: string): string {
  if (!cell.startsWith("'")) return cell
  const rest = cell.slice(1)
  return rest.startsWith("'") || neutraliseCell(rest) !== rest ? rest : cell
}

type Row = Pick<SecretRecord, (typeof TRANSFER_KEYS)[number]>

const rowOf = (record: Row) => ({
  name: record.name,
  url: record.url,
  clientId: record.clientId,
  clientSecret: record.clientSecret,
  identifier: record.identifier,
  method: record.method,
  tags: record.tags,
  notes: record.notes,
})

/** A JSON array of rows (null for a field that is empty), as `--json` output and import read it. */
export function secretsJson(records: readonly Row[]): string {
  return `${JSON.stringify(records.map(rowOf), null, 2)}\n`
}

/** A CSV file with a header row: every cell quoted and passed through exportCell; null is an empty cell. */
export function secretsCsv(records: readonly Row[]): string {
  const rows = records.map((record) => {
    const row = rowOf(record)
    return TRANSFER_KEYS.map((key) => {
      const value = row[key]
      return exportCell(Array.isArray(value) ? value.join(TAG_SEPARATOR) : (value ?? ''))
    })
  })
  return stringify(rows, { header: true, columns: [...TRANSFER_KEYS], quoted: true, quoted_empty: true, record_delimiter: 'windows' })
}
