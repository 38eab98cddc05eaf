import type { z } from 'zod'
import { KeyholdError } from '../../src-shared/errors'
import { describeIssues } from '../../src-shared/validation'

/**
 * The small helpers every command file shares, so the commands check and print alike: input
 * checked with the contract's schemas, tables, times and one-line text.
 */

/** The CLI validates with the same contract schemas as IPC, so both refuse the same input. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new KeyholdError('INVALID_INPUT', describeIssues(parsed.error))
  return parsed.data
}

/** Any run of whitespace, line breaks included, as one space: a cell of a table stays on its line. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ')

/** An ISO time to the minute, e.g. `2026-03-02 09:30 UTC`; `none` when there is no time. */
export const when = (iso: string | null, none = 'never'): string => (iso === null ? none : `${iso.slice(0, 16).replace('T', ' ')} UTC`)

/** Rows as columns two spaces apart, each as wide as its widest cell; the last column is not padded. */
export function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')
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
