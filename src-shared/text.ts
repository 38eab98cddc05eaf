import { z } from 'zod'

/**
 * The one rule for text that must be one line: no C0 or C1 control character (tab, line feed
 * and carriage return included), no DEL, and no Unicode line or paragraph separator. Every
 * one-line field of every form and command (names, labels, accounts, URLs, tags) uses it.
 */
// eslint-disable-next-line no-control-regex
const LINE_BREAKING_OR_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/** Multi-line text (notes) may hold tabs and line ends; no other control character. */
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/

/** True when `text` is a single line without control characters. */
export const isOneLine = (text: string): boolean => !LINE_BREAKING_OR_CONTROL.test(text)

/** True when `text` holds no control character other than tab, line feed and carriage return. */
export const isCleanMultiline = (text: string): boolean => !CONTROL_EXCEPT_WHITESPACE.test(text)

/** Keyhold's ids (API secrets, applications): a UUID as randomUUID writes it, lower-case hex. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The schema of a one-line field, the one definition every contract builds its names,
 * labels, accounts and tags from: at most `max` characters, one line (isOneLine), the
 * messages naming the field as the form labels it ("The client secret can have at most…").
 * `trim` trims first; `empty`, when given, is the message for a field left empty.
 */
export function lineText(label: string, max: number, options: { trim?: boolean; empty?: string } = {}) {
  let text = z.string()
  if (options.trim) text = text.trim()
  if (options.empty !== undefined) text = text.min(1, options.empty)
  return text
    .max(max, `The ${label} can have at most ${max} characters.`)
    .refine((s) => isOneLine(s), `The ${label} must be a single line without control characters.`)
}
