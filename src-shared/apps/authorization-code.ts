/**
 * The manually enterable form of a My apps authorization key.
 *
 * A code is 27 random symbols (27 x 5 = 135 bits) from Crockford's base32 alphabet, which
 * leaves out I, L, O and U so nothing looks like something else, plus one check symbol,
 * printed in groups of four: `ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234C`. People may type it in
 * lower case, with or without dashes or spaces, and with I/L for 1 and O for 0.
 *
 * The check symbol is a Damm-style check over GF(32) (x^5 + x^2 + 1, multiplier x): every
 * single wrong symbol and every swap of two different neighbouring symbols is caught.
 * Pure TypeScript with no Node or DOM dependency: main, the renderer and a companion app
 * share it.
 */

/** Crockford's base32 symbols, in value order. */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** Random symbols in a code (the key): 27 x 5 = 135 bits, above the 128-bit floor. */
export const CODE_DATA_LENGTH = 27
/** Symbols in a code with its check symbol, without separators. */
export const CODE_LENGTH = CODE_DATA_LENGTH + 1
export const CODE_GROUP_SIZE = 4
/** The printed length: 7 groups of 4 joined by dashes. */
export const CODE_DISPLAY_LENGTH = CODE_LENGTH + Math.ceil(CODE_LENGTH / CODE_GROUP_SIZE) - 1

/** What a parsed code yields: the canonical printed code and the key it carries. */
export interface ParsedCode {
  /** Upper case, grouped with dashes, check symbol last: the one form Keyhold prints. */
  code: string
  /** The 27 data symbols, upper case, no separators: what Keyhold hashes. */
  key: string
}

export type CodeProblem = 'empty' | 'character' | 'length' | 'check'

export type CodeParseResult = ({ ok: true } & ParsedCode) | { ok: false; problem: CodeProblem; message: string }

/** Multiplication by x in GF(2^5) modulo x^5 + x^2 + 1. */
function timesX(value: number): number {
  const shifted = value << 1
  return shifted & 0b100000 ? shifted ^ 0b100101 : shifted
}

/** The check value of a run of symbol values: 0 exactly when the run ends with its check symbol. */
function checkOf(values: readonly number[]): number {
  let interim = 0
  for (const value of values) interim = timesX(interim) ^ value
  return timesX(interim)
}

function group(compact: string): string {
  return compact.match(new RegExp(`.{1,${CODE_GROUP_SIZE}}`, 'g'))!.join('-')
}

/**
 * Encodes 27 symbol values (0..31) as a printed code with its check symbol. Callers with
 * random bytes use `codeFromRandomBytes`.
 */
export function encodeCode(values: ArrayLike<number>): string {
  const list = Array.from(values)
  if (list.length !== CODE_DATA_LENGTH || list.some((v) => !Number.isInteger(v) || v < 0 || v > 31))
    throw new RangeError(`A code needs exactly ${CODE_DATA_LENGTH} symbol values between 0 and 31.`)
  const check = checkOf(list)
  return group([...list, check].map((v) => CODE_ALPHABET[v]).join(''))
}

/**
 * A code from CSPRNG output: the low 5 bits of each of the first 27 bytes. SECURITY: 32
 * divides 256, so every symbol is uniform and the code carries the full 135 bits.
 */
export function codeFromRandomBytes(bytes: Uint8Array): string {
  if (bytes.length < CODE_DATA_LENGTH) throw new RangeError(`A code needs ${CODE_DATA_LENGTH} random bytes.`)
  return encodeCode(Array.from(bytes.subarray(0, CODE_DATA_LENGTH), (b) => b & 31))
}

/** Crockford's decoding: case-insensitive, I and L read as 1, O as 0, dashes and spaces ignored. */
function symbolValue(char: string): number {
  const upper = char.toUpperCase()
  const mapped = upper === 'I' || upper === 'L' ? '1' : upper === 'O' ? '0' : upper
  return CODE_ALPHABET.indexOf(mapped)
}

/**
 * Reads a code as a person typed it. The messages never quote the input, which is a secret.
 */
export function parseCode(input: string): CodeParseResult {
  const compact = input.replace(/[\s-]+/g, '')
  if (compact === '') return { ok: false, problem: 'empty', message: 'Enter the authorization code.' }
  if (compact.length > CODE_LENGTH * 2)
    return { ok: false, problem: 'length', message: `An authorization code has ${CODE_LENGTH} letters and digits; this one is much longer.` }
  const values = Array.from(compact, symbolValue)
  if (values.some((v) => v < 0))
    return {
      ok: false,
      problem: 'character',
      message: 'The code has a character that codes never use: only digits and letters other than I, L, O and U appear in them.',
    }
  if (values.length !== CODE_LENGTH)
    return { ok: false, problem: 'length', message: `An authorization code has ${CODE_LENGTH} letters and digits; this one has ${values.length}.` }
  if (checkOf(values) !== 0)
    return { ok: false, problem: 'check', message: 'The code has a typo: its last character does not match the others. Compare it with the screen again.' }
  const canonical = values.map((v) => CODE_ALPHABET[v]).join('')
  return { ok: true, code: group(canonical), key: canonical.slice(0, CODE_DATA_LENGTH) }
}

/** Whether `input` is a well-formed code (right alphabet, length and check symbol). */
export function isValidCode(input: string): boolean {
  return parseCode(input).ok
}
