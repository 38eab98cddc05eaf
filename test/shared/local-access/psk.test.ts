import { describe, expect, it } from 'vitest'
import { parseCode } from '../../../src-shared/apps/authorization-code'
import { pairingPsk } from '../../../src-shared/local-access/psk'
import vectors from '../../vectors/local-access-v1.json'

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('pairingPsk', () => {
  it('has vectors for four codes, one of them typed badly, and one code that fails its check', () => {
    expect(vectors.psk.valid).toHaveLength(4)
    expect(vectors.psk.valid.filter((v) => v.input !== v.code)).toHaveLength(1)
    expect(vectors.psk.invalid.map((v) => v.problem)).toEqual(['check'])
  })

  it.each(vectors.psk.valid.map((v) => [v.input, v] as const))('derives the PSK of %s from the canonical key', (input, v) => {
    const parsed = parseCode(input)
    expect(parsed).toEqual({ ok: true, code: v.code, key: v.key })
    expect(hexOf(pairingPsk(v.key))).toBe(v.psk)
  })

  it('reads a badly typed code (lower case, spaces, I, L and O) to the same PSK as the printed one', () => {
    const typed = vectors.psk.valid[3]!
    expect(typed.input).toMatch(/[a-z]/)
    expect(typed.input).toMatch(/ /)
    expect(typed.input).toMatch(/I/)
    expect(typed.input).toMatch(/l/)
    expect(typed.input).toMatch(/O/)
    const printed = parseCode(typed.code)
    expect(printed.ok && hexOf(pairingPsk(printed.key))).toBe(typed.psk)
  })

  it('never derives from a code that fails its check symbol: parseCode stops it first', () => {
    for (const v of vectors.psk.invalid) expect(parseCode(v.input)).toMatchObject({ ok: false, problem: v.problem })
  })

  it('refuses anything but the 27 canonical symbols, without quoting the input', () => {
    const key = vectors.psk.valid[3]!.key // has both 1 and 0
    for (const bad of [key.toLowerCase(), key.slice(0, 26), key + '4', `${key.slice(0, 4)}-${key.slice(4)}`, key.replace('1', 'I'), key.replace('0', 'O'), '']) {
      expect(() => pairingPsk(bad)).toThrow(RangeError)
      try {
        pairingPsk(bad)
      } catch (error) {
        expect((error as Error).message).not.toContain(key.slice(0, 8))
      }
    }
  })

  it('gives 32 bytes that differ from key to key', () => {
    const psks = vectors.psk.valid.map((v) => hexOf(pairingPsk(v.key)))
    expect(new Set(psks).size).toBe(4)
    expect(pairingPsk(vectors.psk.valid[0]!.key)).toHaveLength(32)
  })
})
