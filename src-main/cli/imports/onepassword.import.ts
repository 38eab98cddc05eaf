import { columnOf, invalid, readCsv, type ForeignEntry } from './entries'

/**
 * 1Password's CSV export (1Password 8: File > Export > CSV; "Title","Url","Username",
 * "Password","OTPAuth","Favorite","Archived","Tags","Notes"; older versions wrote "Website" or
 * "URL" for the address). Title → name, Url → URL, Username → Client ID, Password → client
 * secret, Notes → notes, Tags (separated by commas or semicolons) → tags. The one-time
 * password and the other columns are not imported; 1Password's CSV holds only logins' fields.
 */

const AGAIN = 'Export it again from 1Password with File > Export, format CSV'

const URL_COLUMNS = ['url', 'website', 'login url']

export function onePasswordEntries(text: string): ForeignEntry[] {
  const rows = readCsv(text, '1Password')
  const header = Object.keys(rows[0] ?? {})
  const url = columnOf(header, ...URL_COLUMNS)
  const missing = [...['title', 'username', 'password'].filter((name) => !header.includes(name)), ...(url ? [] : ['url'])]
  if (rows.length > 0 && missing.length > 0)
    throw invalid(`The CSV file has no ${missing.map((m) => `"${m}"`).join(', ')} column, so it is not 1Password's CSV export (Title, Url, Username, Password, ..., Tags, Notes). ${AGAIN}.`)
  return rows.map((row) => ({
    title: row.title!,
    url: row[url!]!,
    username: row.username!,
    password: row.password!,
    notes: row.notes ?? '',
    tags: (row.tags ?? '').split(/[,;]/),
  }))
}

/** Whether a CSV header (trimmed cells) is 1Password's: Title, Username, Password and an address, and no Group (KeePassXC's). */
export const isOnePasswordCsvHeader = (header: readonly string[]) => {
  const lower = header.map((h) => h.toLowerCase())
  return ['title', 'username', 'password'].every((name) => lower.includes(name)) && URL_COLUMNS.some((name) => lower.includes(name)) && !lower.includes('group')
}
