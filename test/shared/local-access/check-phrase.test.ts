import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { checkPhrase, phraseIndices } from '../../../src-shared/local-access/check-phrase'
import { EFF_SHORT_1 } from '../../../src-shared/local-access/eff-short-1'
import vectors from '../../vectors/local-access-v1.json'

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'))
const LIST_FILE = new URL('../../../src-shared/local-access/eff-short-1.txt', import.meta.url)
/** SHA-256 of eff_short_wordlist_1.txt as EFF publishes it (the same bytes in tylert/diceware-wordlists and braoult/Tools). */
const EFF_SHORT_1_SHA256 = '8f5ca830b8bffb6fe39c9736c024a00a6a6411adb3f83a9be8bfeeb6e067ae69'

describe('the vendored EFF short word list 1', () => {
  const raw = readFileSync(LIST_FILE)

  it('is byte for byte the file EFF publishes', () => {
    expect(createHash('sha256').update(raw).digest('hex')).toBe(EFF_SHORT_1_SHA256)
    expect(vectors.checkPhrase.wordList.sha256).toBe(EFF_SHORT_1_SHA256)
    expect(raw.length).toBe(vectors.checkPhrase.wordList.bytes)
  })

  it('is the generated module, word for word (run node scripts/wordlist.mjs if not)', () => {
    const fromFile = raw.toString('ascii').trimEnd().split('\n').map((line) => line.split('\t')[1])
    expect(EFF_SHORT_1).toEqual(fromFile)
    expect(EFF_SHORT_1).toHaveLength(1296)
    expect([EFF_SHORT_1[0], EFF_SHORT_1[1285], EFF_SHORT_1[1295]]).toEqual(['acid', 'yo-yo', 'zoom'])
    expect(Object.isFrozen(EFF_SHORT_1)).toBe(true)
  })
})

describe('checkPhrase', () => {
  const { vectors: list } = vectors.checkPhrase

  it('has vectors for the all-zero, the all-ones and three random handshake hashes', () => {
    expect(list.map((v) => v.h.slice(0, 4))).toEqual(['0000', 'ffff', '3c4c', '6876', '17de'])
  })

  it.each(list.map((v) => [v.phrase, v] as const))('gives "%s" for its handshake hash', (phrase, v) => {
    const h = bytes(v.h)
    const b = hkdf(sha256, h, new TextEncoder().encode('keyhold/pairing/check-phrase/v1'), new Uint8Array(0), 8)
    expect(Buffer.from(b).toString('hex')).toBe(v.b)
    expect(BigInt('0x' + v.b).toString()).toBe(v.x)
    expect(phraseIndices(h)).toEqual(v.indices)
    expect(v.indices.map((i) => EFF_SHORT_1[i])).toEqual(v.words)
    expect(checkPhrase(h)).toBe(phrase)
    expect(phrase).toBe(v.words.join(' '))
  })

  it('takes the indices least significant first, in base 1296', () => {
    const v = list[0]!
    let x = BigInt(v.x)
    for (const index of v.indices) {
      expect(BigInt(index)).toBe(x % 1296n)
      x /= 1296n
    }
  })

  it('is four lower-case words of the list, and changes with the hash', () => {
    const phrase = checkPhrase(bytes('01'.repeat(32)))
    expect(phrase.split(' ')).toHaveLength(4)
    expect(phrase.split(' ').every((w) => EFF_SHORT_1.includes(w) && w === w.toLowerCase())).toBe(true)
    expect(checkPhrase(bytes('02'.repeat(32)))).not.toBe(phrase)
  })

  it('refuses anything but a 32-byte handshake hash', () => {
    expect(() => checkPhrase(new Uint8Array(31))).toThrow(RangeError)
    expect(() => checkPhrase(new Uint8Array(64))).toThrow(RangeError)
  })
})
