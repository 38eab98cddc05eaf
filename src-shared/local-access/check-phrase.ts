/**
 * The check phrase of a pairing (docs/pairing-protocol.md §3.5): four words both screens show, so
 * a person can see that the companion and the desktop ran the same handshake (no one in between).
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { EFF_SHORT_1 } from './eff-short-1'

const SALT = new TextEncoder().encode('keyhold/pairing/check-phrase/v1')
const EMPTY = new Uint8Array(0)
export const CHECK_PHRASE_WORDS = 4
const LIST_SIZE = BigInt(EFF_SHORT_1.length)

/**
 * The word indices for handshake hash `h`: b = HKDF-SHA256(IKM = h, salt =
 * "keyhold/pairing/check-phrase/v1", info = "", L = 8), x = b as a big-endian unsigned integer,
 * then index i = x mod 1296 and x = floor(x / 1296), four times. About 41 bits.
 */
export function phraseIndices(h: Uint8Array): number[] {
  // SECURITY: h is the 32-byte SHA-256 handshake hash; anything else is a caller's mistake.
  if (!(h instanceof Uint8Array) || h.length !== 32) throw new RangeError('A check phrase comes from a 32-byte handshake hash.')
  let x = new DataView(hkdf(sha256, h, SALT, EMPTY, 8).buffer).getBigUint64(0, false)
  const indices: number[] = []
  for (let i = 0; i < CHECK_PHRASE_WORDS; i++) {
    indices.push(Number(x % LIST_SIZE))
    x /= LIST_SIZE
  }
  return indices
}

/** The four words, lower case, joined by single spaces: "acid yo-yo zoom aged". */
export function checkPhrase(h: Uint8Array): string {
  return phraseIndices(h)
    .map((i) => EFF_SHORT_1[i])
    .join(' ')
}
