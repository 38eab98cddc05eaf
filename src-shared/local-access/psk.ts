/**
 * The pre-shared key of a pairing handshake (docs/pairing-protocol.md §3.4), derived from the key
 * of a My apps authorization code. Both sides compute it: the companion from the code a person
 * typed or scanned, the agent when it creates the code (it stores the PSK, never the key).
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { CODE_ALPHABET, CODE_DATA_LENGTH } from '../apps/authorization-code'

const ASCII = new TextEncoder()
const SALT = ASCII.encode('keyhold/pairing/psk/v1')
const INFO = ASCII.encode('keyhold pairing psk')
export const PSK_LENGTH = 32
const CANONICAL_KEY = new RegExp(`^[${CODE_ALPHABET}]{${CODE_DATA_LENGTH}}$`)

/**
 * HKDF-SHA256(IKM = the 27 key symbols as ASCII, salt = "keyhold/pairing/psk/v1",
 * info = "keyhold pairing psk", L = 32). `key` is `parseCode(input).key`: canonical upper case,
 * no separators, no check symbol. SECURITY: anything else is refused rather than normalised, so a
 * code that failed its check symbol can never reach the derivation (and never counts as a
 * failed proof). The error never quotes the key.
 */
export function pairingPsk(key: string): Uint8Array {
  if (!CANONICAL_KEY.test(key)) throw new RangeError(`A pairing key is the ${CODE_DATA_LENGTH} canonical symbols that parseCode() returns.`)
  return hkdf(sha256, ASCII.encode(key), SALT, INFO, PSK_LENGTH)
}
