import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto'
import type { NoiseSymmetric } from '../../../src-shared/local-access/noise-core'

const TAG = 16

/**
 * ChaCha20-Poly1305, SHA-256 and HKDF from Node's crypto (OpenSSL), for the CLI: the same
 * functions as noble's (RFC 8439, FIPS 180-4, RFC 5869), native from the first call, where
 * noble's pure JS warms up for tens of milliseconds of a short process. Both pass the same
 * Noise vectors (test/shared/local-access/noise.test.ts).
 */
export const NODE_SYMMETRIC: NoiseSymmetric = {
  seal(key, nonce, ad, plaintext) {
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG })
    cipher.setAAD(ad, { plaintextLength: plaintext.length })
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
    return new Uint8Array(body.buffer, body.byteOffset, body.length)
  },
  sealParts(key, nonce, ad, parts) {
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG })
    cipher.setAAD(ad, { plaintextLength: parts.reduce((sum, part) => sum + part.length, 0) })
    const pieces: Uint8Array[] = parts.map((part) => cipher.update(part))
    const last = cipher.final()
    if (last.length > 0) pieces.push(last)
    pieces.push(cipher.getAuthTag())
    return pieces
  },
  open(key, nonce, ad, ciphertext) {
    if (ciphertext.length < TAG) throw new Error('The message is shorter than its tag.')
    const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG })
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG))
    decipher.setAAD(ad, { plaintextLength: ciphertext.length - TAG })
    // final() throws when the tag does not verify: nothing decrypted is returned then.
    const body = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - TAG)), decipher.final()])
    return new Uint8Array(body.buffer, body.byteOffset, body.length)
  },
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  hkdf: (ikm, salt, length) => new Uint8Array(hkdfSync('sha256', ikm, salt, new Uint8Array(0), length)),
}
