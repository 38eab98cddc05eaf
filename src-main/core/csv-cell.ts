/**
 * SECURITY: a spreadsheet runs a cell that starts with = + - @ as a formula, also after leading
 * whitespace (line feed, space, no-break space...) and in the full-width forms ＝＋－＠, which
 * spreadsheets normalise (NFKC folds them, and the small forms, to = + - @). Such cells, and any
 * that start with a tab or a carriage return, get a leading `'`, which spreadsheets show as text.
 * The one rule for every CSV Keyhold writes (the application keys' and the activity log's).
 */
export function neutraliseCell(value: string): string {
  return /^(?:[\t\r]|\s*[=+\-@])/.test(value.normalize('NFKC')) ? `'${value}` : value
}
