import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  CODE_ALPHABET,
  CODE_DATA_LENGTH,
  CODE_DISPLAY_LENGTH,
  CODE_LENGTH,
  codeFromRandomBytes,
  encodeCode,
  isValidCode,
  parseCode,
} from '../../../src-shared/apps/authorization-code'

const compact = (code: string) => code.replace(/-/g, '')
const sample = () => codeFromRandomBytes(randomBytes(CODE_DATA_LENGTH))

describe('authorization code', () => {
  it('uses Crockford base32 without the look-alikes I, L, O and U', () => {
    expect(CODE_ALPHABET).toHaveLength(32)
    expect(new Set(CODE_ALPHABET).size).toBe(32)
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/)
  })

  it('carries at least 128 bits of key in groups of four with a check symbol last', () => {
    expect(CODE_DATA_LENGTH * Math.log2(CODE_ALPHABET.length)).toBeGreaterThanOrEqual(128)
    const code = sample()
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$/)
    expect(code).toHaveLength(CODE_DISPLAY_LENGTH)
    expect(compact(code)).toHaveLength(CODE_LENGTH)
  })

  it('round-trips: parsing a code gives back the same code and its 27 data symbols as the key', () => {
    for (let i = 0; i < 200; i++) {
      const code = sample()
      const parsed = parseCode(code)
      expect(parsed).toEqual({ ok: true, code, key: compact(code).slice(0, CODE_DATA_LENGTH) })
    }
  })

  it('encodes symbol values in order, so the key is exactly the random symbols', () => {
    const values = Array.from({ length: CODE_DATA_LENGTH }, (_, i) => i % 32)
    const code = encodeCode(values)
    expect(compact(code).slice(0, CODE_DATA_LENGTH)).toBe(values.map((v) => CODE_ALPHABET[v]).join(''))
    expect(codeFromRandomBytes(Uint8Array.from(values, (v) => v + 32 * 5))).toBe(code)
  })

  it('reads what people type: lower case, no dashes, spaces, I or L for 1 and O for 0', () => {
    const code = encodeCode(Array.from({ length: CODE_DATA_LENGTH }, (_, i) => (i % 2 ? 1 : 0)))
    const typed = compact(code).toLowerCase().replace(/1/g, 'l').replace(/0/g, 'o')
    expect(parseCode(typed)).toMatchObject({ ok: true, code })
    expect(parseCode(compact(code).replace(/1/g, 'I').match(/.{1,7}/g)!.join('  '))).toMatchObject({ ok: true, code })
  })

  it('catches every single-character typo in every position', () => {
    for (let n = 0; n < 20; n++) {
      const chars = [...compact(sample())]
      for (let position = 0; position < chars.length; position++) {
        for (const replacement of CODE_ALPHABET) {
          if (replacement === chars[position]) continue
          const typo = [...chars]
          typo[position] = replacement
          const result = parseCode(typo.join(''))
          expect(result, `position ${position}`).toMatchObject({ ok: false, problem: 'check' })
        }
      }
    }
  })

  it('catches every swap of two different neighbouring characters', () => {
    for (let n = 0; n < 50; n++) {
      const chars = [...compact(sample())]
      for (let i = 0; i + 1 < chars.length; i++) {
        if (chars[i] === chars[i + 1]) continue
        const swapped = [...chars]
        ;[swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!]
        expect(isValidCode(swapped.join(''))).toBe(false)
      }
    }
  })

  it('refuses a missing or extra character, a foreign character and an empty code, without quoting the code', () => {
    const code = sample()
    const cases = [
      [compact(code).slice(1), 'length'],
      [`${compact(code)}0`, 'length'],
      [`${compact(code).slice(0, -1)}U`, 'character'],
      [`${compact(code).slice(0, -1)}!`, 'character'],
      ['  - ', 'empty'],
      ['0'.repeat(1000), 'length'],
    ] as const
    for (const [input, problem] of cases) {
      const result = parseCode(input)
      expect(result).toMatchObject({ ok: false, problem })
      if (!result.ok) expect(result.message).not.toContain(compact(code).slice(0, 8))
    }
  })

  it('refuses symbol values outside the alphabet and short random input', () => {
    expect(() => encodeCode([32, ...Array(CODE_DATA_LENGTH - 1).fill(0)])).toThrow(RangeError)
    expect(() => encodeCode([0])).toThrow(RangeError)
    expect(() => codeFromRandomBytes(new Uint8Array(CODE_DATA_LENGTH - 1))).toThrow(RangeError)
  })
})
