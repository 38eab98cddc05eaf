import crypto from 'node:crypto'
import type { AppKeyId } from '../../../src-shared/types/app-keys'

/** 256 bits: the token is a bearer secret for every permission its key's roles grant. */
export const TOKEN_BYTES = 32
/** Lower-case letters and digits without look-alikes (no 0/o, 1/l/i). */
const KEY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const KEY_RANDOM_CHARS = 12

/** A readable internal key id: `keyhold-<first 6 hex of the vault id>-<12 random chars>`. */
export function newInternalKeyId(vaultId: string): AppKeyId {
  let random = ''
  for (let i = 0; i < KEY_RANDOM_CHARS; i++) random += KEY_ALPHABET[crypto.randomInt(KEY_ALPHABET.length)]
  return `keyhold-${vaultId.slice(0, 6)}-${random}` as AppKeyId
}

/** SECURITY: a fresh token from the OS CSPRNG, 256 bits, base64url (43 characters). */
export function newToken(): string {
  return crypto.randomBytes(TOKEN_BYTES).toString('base64url')
}

/** SECURITY: only this keyed hash of a token is stored; without the vault's hash key it proves nothing. */
export function hashToken(hashKey: Buffer, token: string): Buffer {
  return crypto.createHmac('sha256', hashKey).update(token, 'utf8').digest()
}

/**
 * Whether `presented` is the token whose keyed hash is `stored`. SECURITY: both sides are
 * 32-byte HMAC digests, compared with timingSafeEqual, so neither the token's length nor the
 * position of the first wrong character changes the time taken. A stored value of another
 * length (never written by Keyhold) is compared against itself and reported as a mismatch,
 * still in constant time.
 */
export function tokenMatches(hashKey: Buffer, stored: Uint8Array, presented: string): boolean {
  const digest = hashToken(hashKey, presented)
  const expected = Buffer.from(stored)
  if (expected.length !== digest.length) {
    crypto.timingSafeEqual(digest, digest)
    return false
  }
  return crypto.timingSafeEqual(digest, expected)
}
