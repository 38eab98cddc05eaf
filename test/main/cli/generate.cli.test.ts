import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { version } from '../../../package.json'
import { CHARSETS, generateValue, parseCharset, type CharsetName } from '../../../src-main/cli/generate.commands'
import { keyhold } from '../../support/cli'
import { eachInTempDir } from '../../support/vault'

const BIN = resolve(__dirname, '../../../bin/keyhold.js')
const NAMES = Object.keys(CHARSETS) as CharsetName[]

/** Pearson's chi-square statistic of `counts` against equal odds for each. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0)
  const expected = total / counts.length
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0)
}

/**
 * The chi-square value that a fair draw exceeds with odds of about 1 in 10^9 (z = 6 in the
 * Wilson-Hilferty approximation): a test that fails only on a biased draw, not by bad luck.
 */
function chiSquareLimit(categories: number): number {
  const df = categories - 1
  const a = 2 / (9 * df)
  return df * (1 - a + 6 * Math.sqrt(a)) ** 3
}

function counts(text: string, chars: readonly string[]): number[] {
  const index = new Map(chars.map((c, i) => [c, i]))
  const result = new Array<number>(chars.length).fill(0)
  for (const c of text) result[index.get(c)!]!++
  return result
}

describe('keyhold generate', () => {
  let dir: string
  eachInTempDir((made) => void (dir = made))

  it('prints 32 letters and digits and a newline by default, different each time', () => {
    const first = keyhold(['generate'])
    expect(first).toMatchObject({ status: 0, stderr: '' })
    expect(first.stdout).toMatch(/^[A-Za-z0-9]{32}\n$/)
    expect(keyhold(['generate']).stdout).not.toBe(first.stdout)
  })

  it('gives the value alone to $(keyhold generate) in a shell', () => {
    const shell = spawnSync('bash', ['-c', 'value=$(node "$1" generate --length 40) && printf "%s|%s" "${#value}" "$value"', 'bash', BIN], { encoding: 'utf8' })
    expect(shell.status).toBe(0)
    expect(shell.stdout).toMatch(/^40\|[A-Za-z0-9]{40}$/)
  })

  it('prints {"value": ...} with --json', () => {
    const result = keyhold(['--json', 'generate', '--length', '20', '--charset', 'hex'])
    expect(result.status).toBe(0)
    const parsed = JSON.parse(result.stdout)
    expect(Object.keys(parsed)).toEqual(['value'])
    expect(parsed.value).toMatch(/^[0-9a-f]{20}$/)
  })

  it('draws only from each named set, at the length asked for', () => {
    for (const [name, length] of [...NAMES.map((n) => [n, 1024] as const), ['alnum', 8] as const]) {
      const set = new Set(CHARSETS[name])
      const { status, stdout } = keyhold(['generate', '--length', String(length), '--charset', name])
      expect(status, name).toBe(0)
      const value = stdout.slice(0, -1)
      expect(value.length, name).toBe(length)
      expect([...value].filter((c) => !set.has(c)), name).toEqual([])
    }
  })

  it('adds up sets given with commas, several --charset and chars: (commas in chars: are characters)', () => {
    const { status, stdout } = keyhold(['generate', '--length', '1024', '--charset', 'digits,upper', '--charset', 'chars:,;'])
    expect(status).toBe(0)
    expect(stdout).toMatch(/^[0-9A-Z,;]{1024}\n$/)
    // 38 characters, 1024 draws: each appears unless about 1 time in 10^10.
    expect(new Set(stdout.trim()).size).toBe(38)
  })

  it('needs no vault, password or standard input, and writes no file', () => {
    const env = { KEYHOLD_VAULT: join(dir, 'none.keyhold'), XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir }
    const result = spawnSync(process.execPath, [BIN, 'generate'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^[A-Za-z0-9]{32}\n$/)
    expect(readdirSync(dir)).toEqual([])
  })

  it.each([
    [['--length', '7'], '--length 7 is not allowed: give a whole number from 8 to 1024.'],
    [['--length', '1025'], '--length 1025 is not allowed: give a whole number from 8 to 1024.'],
    [['--length', '12.5'], '--length 12.5 is not allowed: give a whole number from 8 to 1024.'],
    [['--length', '-8'], '--length -8 is not allowed: give a whole number from 8 to 1024.'],
    [
      ['--charset', 'alnum,emoji'],
      `--charset alnum,emoji: "emoji" is not a set. Give one or more of ${NAMES.join(', ')} (comma-separated), or chars: followed by the characters to use, e.g. --charset 'chars:0123456789ABCDEF'.`,
    ],
    [['--charset', 'chars:'], `--charset chars: has no characters after "chars:".`],
    [['--charset', 'chars:ab cd'], '--charset chars:ab cd has a character that cannot be used: U+0020. A literal set takes printable ASCII characters other than the space (! to ~).'],
    [['--charset', 'chars:abé'], '--charset chars:abé has a character that cannot be used: "é" (U+00E9).'],
    [['--charset', 'chars:zzz'], '--charset chars:zzz gives one distinct character, so every value would be the same. Give at least two.'],
  ])('refuses %j with INVALID_INPUT naming the value and what is allowed', (args, message) => {
    const result = keyhold(['generate', ...args])
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^keyhold: INVALID_INPUT: .*\n$/)
    expect(result.stderr).toContain(message)
  })

  it('is a usage error (exit 2) when --length has no value', () => {
    const result = keyhold(['generate', '--length'])
    expect(result).toMatchObject({ status: 2, stdout: '' })
    expect(result.stderr).toMatch(/^keyhold: usage: option '--length <N>' argument missing/)
  })
})

describe('generateValue', () => {
  it('draws every character of a set, none more often than chance allows', () => {
    const chars = parseCharset(['alnum'])
    const drawn = generateValue(124_000, chars)
    const seen = counts(drawn, chars)
    expect(Math.min(...seen)).toBeGreaterThan(0)
    expect(chiSquare(seen)).toBeLessThan(chiSquareLimit(chars.length))
  })

  it('would catch the modulo bias of taking a random byte modulo the set size', () => {
    // The check above, on the draw it exists to refuse: 256 = 4 × 62 + 8, so the first 8
    // characters come 5 times in 256 and the others 4.
    const chars = parseCharset(['alnum'])
    const biased = [...randomBytes(124_000)].map((byte) => chars[byte % chars.length]).join('')
    expect(chiSquare(counts(biased, chars))).toBeGreaterThan(chiSquareLimit(chars.length))
  })

  it('draws each character once however many of the sets given hold it', () => {
    expect(parseCharset(['alnum,hex', 'chars:abc'])).toHaveLength(62)
    expect(new Set(parseCharset(['symbols', 'alnum']))).toEqual(new Set(parseCharset(['all'])))
    expect(parseCharset(['all'])).toHaveLength(94)
  })
})

describe('keyhold --version', () => {
  it.each([['--version'], ['-V']])('%s prints the version of package.json', (flag) => {
    expect(keyhold([flag])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' })
  })
})
