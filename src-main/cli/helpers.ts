import type { z } from 'zod'
import { KeyholdError, type ErrorReason } from '../../src-shared/errors'

/**
 * The small helpers every command file shares, so the commands check and print alike: input
 * checked with the contract's schemas, tables, times and one-line text.
 */

/**
 * How a command names the fields of what it checks: each field's option (`type: '--type'`),
 * and `''` for a value checked alone (`'': 'KEY'`). The value given is quoted in the message
 * unless the option says `quote: false` (a URL can hold a password; notes run long);
 * `allowed` says a choice's values in words of its own (else they are listed).
 */
export type OptionNames = Record<string, string | { option: string; quote?: false; allowed?: string }>

/**
 * The CLI validates with the same contract schemas as IPC, so both refuse the same input; its
 * messages name the option and the value given (`--type must be mobile or extension, not
 * "Mobile".`), never a schema path.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, options: OptionNames = {}): z.output<S> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new KeyholdError('INVALID_INPUT', describeOptions(parsed.error, value, options))
  return parsed.data
}

/** The first three problems of `error`, each as the command line says it. */
function describeOptions(error: z.ZodError, value: unknown, options: OptionNames): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const named = options[issue.path.length > 0 ? String(issue.path[0]) : '']
      const option = typeof named === 'string' ? named : named?.option
      const given = valueAt(value, issue.path)
      const quote = typeof named === 'string' || named?.quote !== false
      const shown = quote && typeof given === 'string' && given !== '' ? ` ${quoted(given)}` : ''
      if (issue.code === 'invalid_value' && issue.values.length > 0 && option) {
        const allowed = (typeof named === 'object' && named.allowed) || alternatives(issue.values.map(String))
        return `${option} must be ${allowed}${shown && `, not${shown}`}.`
      }
      // SECURITY: zod's own messages can quote a value (the client secret's among them); only the schemas' are kept.
      const message = OWN_MESSAGES.has(issue.code) ? issue.message : undefined
      if (!option) return message ?? 'The value is not valid.'
      if (message === undefined) return `${option}${shown} is not valid.`
      if (issue.code === 'too_big' && typeof given === 'string') return `${option} (${[...given].length} characters): ${message}`
      return `${option}${shown}: ${message}`
    })
    .join(' ')
}

/** Messages the schemas write themselves; zod's generic ones are replaced. */
const OWN_MESSAGES = new Set(['too_small', 'too_big', 'custom', 'invalid_format', 'invalid_value'])

const valueAt = (value: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined), value)

/** A value as a message quotes it: JSON-escaped (no control character reaches the terminal), at most 60 characters. */
const quoted = (text: string): string => JSON.stringify([...text].length > 60 ? `${[...text].slice(0, 59).join('')}…` : text)

/** "a or b", "a, b or c". */
const alternatives = (values: readonly string[]): string =>
  values.length === 1 ? values[0]! : `${values.length > 2 ? 'one of ' : ''}${values.slice(0, -1).join(', ')} or ${values.at(-1)}`

/**
 * The CLI's words for what the core says in the screen's (an error's `reason`): the command
 * to run where the screen names a button or a page. Errors without one pass as they are.
 */
const CLI_WORDS: Record<string, (subject: string) => string> = {
  'appkey.not-found': (key) => `There is no application key "${key}" in this vault. List the keys with \`keyhold key list\`.`,
  'appkey.internal-not-external': (key) => `${key} is an internal key of this vault, not a third-party key. Change its roles with \`keyhold key roles ${key} --add ROLE\`.`,
  'appkey.already-added': (key) => `${key} is already added. Change its roles with \`keyhold key roles ${key} --add ROLE --remove ROLE\`.`,
  'appkey.removed': (key) => `${key} was removed. Add it again with its roles: \`keyhold key add-external ${key} --role ROLE\`.`,
  'appkey.external-not-deactivated': (key) => `${key} is a third-party key: third-party keys are removed, not deactivated. Remove it with \`keyhold key remove ${key}\`.`,
  'appkey.external-not-activated': (key) => `${key} is a third-party key: to restore a removed one, add it again with its roles (\`keyhold key add-external ${key} --role ROLE\`).`,
  'appkey.internal-not-removed': (key) => `${key} is an internal key: internal keys are deactivated, not removed. Deactivate it with \`keyhold key deactivate ${key}\`.`,
  'role.not-found': (role) => `There is no role "${role}". List the roles with \`keyhold role list\`.`,
  'app.expired': (name) => `"${name}" has expired, which is final, so its expiration cannot be changed. Create a new key with \`keyhold app new\` instead.`,
}

/** `error` in the CLI's words when the core gave it a reason the CLI words otherwise. */
export function cliWords(error: unknown): unknown {
  const reason: ErrorReason | undefined = error instanceof KeyholdError ? error.reason : undefined
  const words = reason && CLI_WORDS[reason.id]
  if (!words || !(error instanceof KeyholdError)) return error
  return new KeyholdError(error.code, words(reason.subject ?? ''), error.fields, reason)
}

/** A command's action whose errors are said in the CLI's words (cliWords). */
export const inCliWords =
  <A extends unknown[]>(action: (...args: A) => Promise<unknown>) =>
  async (...args: A): Promise<void> => {
    try {
      await action(...args)
    } catch (error) {
      throw cliWords(error)
    }
  }

/**
 * A whole number with commas between thousands ("100,000"), as toLocaleString('en-US') writes
 * it without loading ICU's number formatting (~20 ms on a cold start, for one option's help).
 */
export const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/**
 * What a command prints: `value` as JSON (2-space indent) with --json, else the human text,
 * then a line break. Each is made only when printed. CliContext.print and the read path
 * (read-path.ts) both print through it.
 */
export const printed = (json: boolean, value: () => unknown, human: () => string): string => (json ? `${JSON.stringify(value(), null, 2)}\n` : `${human()}\n`)

/** Any run of whitespace, line breaks included, as one space: a cell of a table stays on its line. */
export const oneLine = (text: string): string => (NOT_ONE_LINE.test(text) ? text.replace(/\s+/g, ' ') : text)
/** What oneLine changes: two whitespace characters in a row, or one that is not a space (a test makes no string: most names have neither). */
const NOT_ONE_LINE = /\s\s|[^\S ]/

/** An ISO time to the minute, e.g. `2026-03-02 09:30 UTC`; `none` when there is no time. */
export const when = (iso: string | null, none = 'never'): string => (iso === null ? none : `${iso.slice(0, 16).replace('T', ' ')} UTC`)

/**
 * How a table fits a terminal: its width in characters (standard output's, only when that is
 * a terminal: a pipe or a file always gets every cell whole), and the columns that may be cut,
 * in the order they give way (the least telling first); the others (what a command refers
 * to, such as REF or ID, and times) are never cut.
 */
export interface Fit {
  width: number | undefined
  cut: readonly number[]
}

/** The width a table fits on `stdout` (Fit.width): its columns when it is a terminal, else undefined. */
export function terminalWidth(stdout: NodeJS.WritableStream): number | undefined {
  const { isTTY, columns } = stdout as { isTTY?: boolean; columns?: number }
  return isTTY && columns ? columns : undefined
}

/** A column is never cut narrower than this (its heading, if longer). */
const MIN_CUT_WIDTH = 6

/**
 * A table's rows given one at a time, as often as asked: `columns` reads each twice (for the
 * widths, unless the caller measured them, then for its line) and keeps none, so a list of
 * 100,000 secrets parsed on demand leaves nothing alive for the collector to copy (read-path.ts).
 */
export interface RowSource {
  count: number
  row(r: number): readonly string[]
}

/** Characters of output joined at a time: the lines made meanwhile die young. */
const CHUNK_CHARS = 1 << 18

/**
 * Rows as columns two spaces apart, each as wide as its widest cell; the last column is not
 * padded. With `fit` and a table wider than the terminal, the columns it names are narrowed in
 * its order, each down to its floor before the next, until the table fits; their longer cells
 * end in "…", as gh and kubectl print tables on a terminal.
 */
export function columns(table: readonly (readonly string[])[] | RowSource, fit?: Fit, measured?: readonly number[]): string {
  const source: RowSource = 'row' in table ? table : { count: table.length, row: (r) => table[r]! }
  // Loops, not map and spread: a list of 100,000 secrets is 700,000 cells.
  const headings = source.row(0)
  const count = headings.length
  // Each column's widest cell, unless the caller measured them (then each row is made once).
  const widths = measured ? [...measured] : new Array<number>(count).fill(0)
  for (let r = 0; r < source.count && !measured; r++) {
    const row = source.row(r)
    for (let i = 0; i < count; i++) widths[i] = Math.max(widths[i]!, row[i]!.length)
  }
  if (fit?.width !== undefined) narrow(widths, headings, fit.width, fit.cut)
  const chunks: string[] = []
  let lines: string[] = []
  let chars = 0
  for (let r = 0; r < source.count; r++) {
    const row = source.row(r)
    let line = ''
    for (let i = 0; i < count - 1; i++) {
      const cell = cut(row[i]!, widths[i]!)
      line += cell + spaces(widths[i]! - cell.length + 2)
    }
    line += cut(row[count - 1]!, widths[count - 1]!)
    lines.push(line)
    chars += line.length
    if (chars >= CHUNK_CHARS) {
      chunks.push(lines.join('\n'))
      lines = []
      chars = 0
    }
  }
  if (lines.length > 0) chunks.push(lines.join('\n'))
  return chunks.join('\n')
}

let blank = '    '
/** `n` spaces, cut from one string that grows as needed. */
function spaces(n: number): string {
  while (blank.length < n) blank += blank
  return blank.slice(0, n)
}

/** Narrows `widths` (in place) toward `width` in all, column by column in `order`. */
function narrow(widths: number[], headings: readonly string[], width: number, order: readonly number[]): void {
  let over = widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1) - width
  for (const i of order) {
    if (over <= 0) return
    const floor = Math.min(widths[i]!, Math.max(MIN_CUT_WIDTH, headings[i]!.length))
    const taken = Math.min(over, widths[i]! - floor)
    widths[i]! -= taken
    over -= taken
  }
}

/** `cell` within `width` characters: whole, or cut with "…" (never between the two halves of a surrogate pair). */
function cut(cell: string, width: number): string {
  if (cell.length <= width) return cell
  let end = width - 1
  const last = cell.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${cell.slice(0, end)}…`
}

/** Ends a command with this exit status and nothing printed (`keyhold run`: the command's own status). */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`)
  }
}

/** A KeyholdError that ends the command with another status than 1 (127: a command not found, as shells say it). */
export class StatusError extends KeyholdError {
  constructor(
    code: ConstructorParameters<typeof KeyholdError>[0],
    message: string,
    readonly exitStatus: number,
  ) {
    super(code, message)
  }
}
