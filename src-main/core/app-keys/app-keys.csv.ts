import { stringify } from 'csv-stringify/sync'
import type { AppKeySummary } from '../../../src-shared/types/app-keys'
import { neutraliseCell } from '../csv-cell'

/** The audit export's header, in this order: scripts and spreadsheets depend on it. */
export const CSV_COLUMNS = ['Key', 'Type', 'Label', 'Account', 'Status', 'Roles', 'Created', 'Last used'] as const

/** What the Account column says for keys generated in this vault. */
export const THIS_VAULT = 'This vault'

export { neutraliseCell }

/**
 * The keys with access (those with roles) as an RFC 4180 CSV: every field quoted, quotes
 * doubled, CRLF between records, a header row. SECURITY: built from summaries only, which
 * never carry a token or a hash; every cell is neutralised against formula injection.
 */
export function auditCsv(keys: readonly AppKeySummary[]): string {
  const rows = keys.map((key) =>
    [
      key.key,
      key.type,
      key.label ?? '',
      key.type === 'internal' ? THIS_VAULT : (key.account ?? ''),
      key.status,
      key.roles.map((role) => role.name).join('; '),
      key.createdAt,
      key.lastUsedAt ?? '',
    ].map(neutraliseCell),
  )
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    quoted: true,
    quoted_empty: true,
    record_delimiter: 'windows',
  })
}
