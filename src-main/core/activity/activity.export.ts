import { stringify } from 'csv-stringify/sync'
import type { ActivityEntry, ActivityExportFormat } from '../../../src-shared/types/activity'
import { neutraliseCell } from '../csv-cell'
import type { Database } from '../vault/database'
import { readMeta } from '../vault/meta'
import { allEntries } from './activity.repo'

/** The activity CSV's header, in this order: scripts and spreadsheets depend on it. */
export const ACTIVITY_CSV_COLUMNS = ['Seq', 'Time', 'Event', 'Actor type', 'Actor id', 'Actor', 'Target type', 'Target id', 'Target', 'Outcome', 'Detail'] as const

/**
 * The entries as an RFC 4180 CSV (every field quoted, CRLF, a header row), oldest first.
 * SECURITY: entries hold no secret; every cell is neutralised against formula injection (a
 * secret's Name or a device's name may start with `=`).
 */
export function activityCsv(entries: readonly ActivityEntry[]): string {
  const rows = entries.map((e) =>
    [
      String(e.seq),
      e.at,
      e.event,
      e.actor.type,
      e.actor.id ?? '',
      e.actor.name ?? '',
      e.target?.type ?? '',
      e.target?.id ?? '',
      e.target?.name ?? '',
      e.outcome,
      JSON.stringify(e.detail),
    ].map(neutraliseCell),
  )
  return stringify(rows, { header: true, columns: [...ACTIVITY_CSV_COLUMNS], quoted: true, quoted_empty: true, record_delimiter: 'windows' })
}

/**
 * The entries as JSON, oldest first, with their MACs and where the chain starts, so `keyhold
 * audit verify --file` can check an export against the vault's key (which is never in it).
 */
export function activityJson(vaultId: string, base: { seq: number; mac: string | null }, entries: readonly ActivityEntry[]): string {
  return `${JSON.stringify({ format: 'keyhold-activity', version: 1, vault: vaultId, base, entries }, null, 2)}\n`
}

/** The whole log of `db` as an export in `format`, oldest first, and how many entries it holds. */
export function exportedLog(db: Database, vaultId: string, format: ActivityExportFormat): { text: string; count: number } {
  const stored = readMeta(db, 'activity_base')
  const start = stored === null ? { seq: 0, mac: null } : (JSON.parse(stored) as { seq: number; mac: string })
  const entries = [...allEntries(db)]
  return { text: format === 'csv' ? activityCsv(entries) : activityJson(vaultId, start, entries), count: entries.length }
}
