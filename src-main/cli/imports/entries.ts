import { parse as parseCsv } from 'csv-parse/sync'
import { z } from 'zod'
import { KeyholdError } from '../../../src-shared/errors'
import { secretInput, type SecretInput } from '../../../src-shared/ipc/secrets.contract'
import { describeIssues } from '../../../src-shared/validation'
import { oneLine } from '../helpers'

/**
 * An entry of another password manager's export in the terms of a login, before it is an API
 * secret: each reader (KeePassXC, Bitwarden, 1Password) turns its file into these, and
 * toSecretInputs maps them all by the same rules (README "API secrets", Import from other
 * password managers).
 */
export interface ForeignEntry {
  title: string
  url: string
  username: string
  password: string
  notes: string
  tags: string[]
  /** Why it cannot be an API secret whatever its fields ("is a card, not a login"). */
  notALogin?: string
}

/** An entry left out of an import, and why: said by its title, never by a value of it. */
export interface Skipped {
  name: string
  reason: string
}

export const invalid = (message: string) => new KeyholdError('INVALID_INPUT', message)

/** The first problem of a row the add form's schema refused, naming the field: "field url: The URL must be…". */
export function describeRowIssue(error: z.ZodError): string {
  const issue = error.issues[0]!
  const field = issue.path[0]
  const text = describeIssues(new z.ZodError([issue])).replace(/^Invalid input: /, '')
  return typeof field === 'string' ? `field ${field}: ${text.replace(new RegExp(`^${field}(\\.\\d+)? `), '')}` : text
}

/** A URL as written without a scheme ("example.com/api") is taken as https://. */
const withScheme = (url: string) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`)

/** The host of `url`, or '' when it has none. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return ''
  }
}

/**
 * Maps every entry to an API secret (title → name, or the URL's host when it has no title;
 * URL → URL; user name → Client ID; password → client secret, kept exactly; notes; tags),
 * or leaves it out with the reason: not a login, no URL, no user name or password, no user
 * name (the Client ID is required), or a field the add form refuses (named, never quoted).
 */
export function toSecretInputs(entries: readonly ForeignEntry[]): { inputs: SecretInput[]; names: string[]; skipped: Skipped[] } {
  const inputs: SecretInput[] = []
  const names: string[] = []
  const skipped: Skipped[] = []
  entries.forEach((entry, i) => {
    const url = entry.url.trim()
    const name = entry.title.trim() || hostOf(withScheme(url)) || `entry ${i + 1}`
    const skip = (reason: string) => void skipped.push({ name: shownName(name), reason })
    if (entry.notALogin) return skip(entry.notALogin)
    if (url === '') return skip('has no URL')
    if (entry.username.trim() === '' && entry.password === '') return skip('has no user name or password')
    if (entry.username.trim() === '') return skip('has no user name (it becomes the Client ID, which every API secret needs)')
    const parsed = secretInput.safeParse({
      name,
      url: withScheme(url),
      clientId: entry.username,
      // SECURITY: the password is kept exactly as exported (never trimmed) and never quoted.
      clientSecret: entry.password,
      tags: entry.tags.map((tag) => tag.trim()).filter(Boolean),
      notes: entry.notes,
    })
    if (!parsed.success) return skip(describeRowIssue(parsed.error))
    inputs.push(parsed.data)
    names.push(shownName(parsed.data.name))
  })
  return { inputs, names, skipped }
}

/** A title as the report quotes it: one line, at most 60 characters. */
const shownName = (name: string) => {
  const line = oneLine(name)
  return line.length > 60 ? `${line.slice(0, 59)}…` : line
}

/** "'Visa' is a card, not a login; 'Wi-Fi' has no URL": the report of what was left out. */
export const describeSkipped = (skipped: readonly Skipped[]): string =>
  skipped.map((s) => `'${s.name}' ${s.reason.startsWith('field ') ? `was refused: ${s.reason.replace(/\.$/, '')}` : s.reason}`).join('; ')

/**
 * A CSV export of another program: its header (trimmed, lower-cased, for finding columns by
 * name) and its rows as objects keyed by those names. SECURITY: csv-parse's messages can
 * quote the file; only the line is said.
 */
export function readCsv(text: string, program: string): Array<Record<string, string>> {
  let records: string[][]
  try {
    records = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][]
  } catch (error) {
    const line = (error as { lines?: number }).lines
    throw invalid(`The file is not a CSV file that Keyhold can read${line ? ` (near line ${line})` : ''}. Export it again from ${program} as CSV.`)
  }
  const [header, ...rows] = records
  if (!header) return []
  const keys = header.map((cell) => cell.trim().toLowerCase())
  return rows.map((row) => Object.fromEntries(keys.map((key, c) => [key, row[c] ?? ''])))
}

/** The first of `names` that `header` has, lower-cased as readCsv keys its rows. */
export const columnOf = (header: readonly string[], ...names: string[]): string | undefined => names.find((name) => header.includes(name))

/** The header of a CSV file, its cells trimmed, or [] when it has none (for telling programs apart). */
export function csvHeader(text: string): string[] {
  try {
    const [header] = parseCsv(text, { bom: true, skip_empty_lines: true, relax_column_count: true, to_line: 1 }) as string[][]
    return (header ?? []).map((cell) => cell.trim())
  } catch {
    return []
  }
}
