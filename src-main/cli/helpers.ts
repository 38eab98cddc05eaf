/**
 * The small text helpers every command file shares, so the commands print alike: tables,
 * times and one-line text.
 */

/** Any run of whitespace, line breaks included, as one space: a cell of a table stays on its line. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ')

/** An ISO time to the minute, e.g. `2026-03-02 09:30 UTC`; `none` when there is no time. */
export const when = (iso: string | null, none = 'never'): string => (iso === null ? none : `${iso.slice(0, 16).replace('T', ' ')} UTC`)

/** Rows as columns two spaces apart, each as wide as its widest cell; the last column is not padded. */
export function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')
}
