import { randomInt } from 'node:crypto'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { collect, type CliContext } from './context'
import { oneLine } from './helpers'

const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const DIGITS = '0123456789'
/** ASCII's 32 punctuation characters: every printable character that is not a letter, a digit or a space. */
const SYMBOLS = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'

/** The sets `--charset` knows by name. */
export const CHARSETS = {
  alnum: UPPER + LOWER + DIGITS,
  alpha: UPPER + LOWER,
  lower: LOWER,
  upper: UPPER,
  digits: DIGITS,
  hex: '0123456789abcdef',
  base64url: UPPER + LOWER + DIGITS + '-_',
  symbols: SYMBOLS,
  all: UPPER + LOWER + DIGITS + SYMBOLS,
} as const
export type CharsetName = keyof typeof CHARSETS

/**
 * 32 letters and digits: about 190 bits (32 × log2 62), well past the 128 a client secret
 * needs, and a value that needs no quoting in a shell, a URL, a .env, JSON or YAML, and that a
 * double click selects whole (a `-` or `_` would split it, a leading `-` reads as an option).
 */
export const GENERATE_DEFAULTS = { length: 32, charset: 'alnum' as CharsetName }
export const LENGTH_MIN = 8
export const LENGTH_MAX = 1024
/** How `--charset` gives characters literally: `chars:` and then the characters, taken as they are. */
export const LITERAL_PREFIX = 'chars:'
/** Characters a literal set may hold: printable ASCII but the space (`!` to `~`), which every config format and header carries as is. */
const LITERAL_ALLOWED = /^[!-~]$/

const NAMES = Object.keys(CHARSETS) as CharsetName[]
const ALLOWED = `one or more of ${NAMES.join(', ')} (comma-separated), or ${LITERAL_PREFIX} followed by the characters to use, e.g. --charset '${LITERAL_PREFIX}0123456789ABCDEF'`

/** A value as an error message shows it: one line, at most 40 characters. */
const shown = (value: string) => (value.length > 40 ? `${oneLine(value).slice(0, 40)}...` : oneLine(value))

/** `--length N`: a whole number from LENGTH_MIN to LENGTH_MAX, or INVALID_INPUT naming it. */
export function parseLength(value: string): number {
  const n = /^\d{1,7}$/.test(value) ? Number(value) : NaN
  if (!(n >= LENGTH_MIN && n <= LENGTH_MAX))
    throw new KeyholdError('INVALID_INPUT', `--length ${shown(value)} is not allowed: give a whole number from ${LENGTH_MIN} to ${LENGTH_MAX}.`)
  return n
}

/**
 * The characters of the `--charset` values together: each is NAME[,NAME...] or
 * `chars:CHARACTERS`, and several `--charset` add up. Each character is kept once, so a
 * character in two of the sets given (a digit in alnum and hex) is not drawn twice as often.
 */
export function parseCharset(specs: readonly string[]): string[] {
  const chars = new Set<string>()
  for (const spec of specs) {
    if (spec.startsWith(LITERAL_PREFIX)) {
      const literal = [...spec.slice(LITERAL_PREFIX.length)]
      if (literal.length === 0) throw new KeyholdError('INVALID_INPUT', `--charset ${LITERAL_PREFIX} has no characters after "${LITERAL_PREFIX}". Give ${ALLOWED}.`)
      const bad = literal.find((c) => !LITERAL_ALLOWED.test(c))
      if (bad !== undefined)
        throw new KeyholdError(
          'INVALID_INPUT',
          `--charset ${shown(spec)} has a character that cannot be used: ${codePoint(bad)}. A literal set takes printable ASCII characters other than the space (! to ~).`,
        )
      literal.forEach((c) => chars.add(c))
      continue
    }
    for (const name of spec.split(',')) {
      if (!(NAMES as string[]).includes(name))
        throw new KeyholdError('INVALID_INPUT', `--charset ${shown(spec)}: ${name === '' ? 'an empty name' : `"${shown(name)}"`} is not a set. Give ${ALLOWED}.`)
      for (const c of CHARSETS[name as CharsetName]) chars.add(c)
    }
  }
  if (chars.size < 2)
    throw new KeyholdError(
      'INVALID_INPUT',
      `${specs.map((spec) => `--charset ${shown(spec)}`).join(' ')} gives one distinct character, so every value would be the same. Give at least two.`,
    )
  return [...chars]
}

/** A character as a message names it: `"x" (U+0078)`, or only its code point when it would not show. */
function codePoint(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) ? `"${c}" (${code})` : code
}

/**
 * `length` characters drawn independently and uniformly from `chars`. SECURITY: the OS's
 * CSPRNG through crypto.randomInt, which rejects out-of-range draws instead of taking a
 * modulo, so no character is likelier than another.
 */
export function generateValue(length: number, chars: readonly string[]): string {
  let value = ''
  for (let i = 0; i < length; i++) value += chars[randomInt(chars.length)]
  return value
}

/** `keyhold generate`: a new random client secret or password; needs no vault. */
export function registerGenerateCommands(program: Command, ctx: CliContext): void {
  program
    .command('generate')
    .description(`print a new random value for a client secret or a password (default: ${GENERATE_DEFAULTS.length} letters and digits); needs no vault`)
    .option('--length <N>', `how many characters (${LENGTH_MIN} to ${LENGTH_MAX}; default ${GENERATE_DEFAULTS.length})`)
    .option(
      '--charset <SET>',
      `the characters to draw from: ${NAMES.join(', ')}, several joined by commas, or ${LITERAL_PREFIX} and the characters themselves (repeatable: the sets add up; default ${GENERATE_DEFAULTS.charset})`,
      collect,
    )
    .addHelpText(
      'after',
      `
Sets, with how many characters each has:
  ${NAMES.map((name) => `${name} ${CHARSETS[name].length}`).join(', ')}
symbols is ASCII's punctuation (! to ~ but letters and digits); all is alnum and symbols.
chars: takes the rest of the value as it is, commas too, e.g. 'chars:ABC,;'.

Examples:
  keyhold generate
  keyhold generate --length 64 --charset hex
  keyhold generate --charset alnum,symbols --length 24
  keyhold generate --charset lower,digits --charset '${LITERAL_PREFIX}-_.'
  keyhold --json generate --length 40
  printf '%s\\n%s\\n' "$MASTER" "$(keyhold generate)" | keyhold --password-stdin secret edit stripe-prod --client-secret-stdin`,
    )
    .action((opts: { length?: string; charset?: string[] }) => {
      const length = opts.length === undefined ? GENERATE_DEFAULTS.length : parseLength(opts.length)
      const chars = parseCharset(opts.charset ?? [GENERATE_DEFAULTS.charset])
      // SECURITY: the value goes to standard output only: never to a log or the activity log.
      const value = generateValue(length, chars)
      ctx.print({ value }, () => value)
    })
}
