/**
 * The Noise Protocol Framework of the local access protocol (noise-core.ts) with noble's
 * primitives installed as the default, so it runs in main, the CLI, the browser extension and a
 * JS phone app alike with no Node or DOM dependency. A process with native primitives installs
 * them over these (useX25519, useSymmetric); the CLI's terminal session imports noise-core.ts
 * alone, without noble.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { useDefaultPrimitives, type NoiseSymmetric, type X25519 } from './noise-core'

export * from './noise-core'

const EMPTY = new Uint8Array(0)

/** noble's X25519 (its CSPRNG is `crypto.getRandomValues`). */
export const NOBLE_X25519: X25519 = {
  generateKeyPair: () => {
    const privateKey = x25519.utils.randomSecretKey()
    return { publicKey: x25519.getPublicKey(privateKey), privateKey }
  },
  getPublicKey: (privateKey) => x25519.getPublicKey(privateKey),
  getSharedSecret: (keyPair, publicKey) => x25519.getSharedSecret(keyPair.privateKey, publicKey),
}

export const NOBLE_SYMMETRIC: NoiseSymmetric = {
  seal: (key, nonce, ad, plaintext) => chacha20poly1305(key, nonce, ad).encrypt(plaintext),
  open: (key, nonce, ad, ciphertext) => chacha20poly1305(key, nonce, ad).decrypt(ciphertext),
  sha256: (data) => sha256(data),
  hkdf: (ikm, salt, length) => hkdf(sha256, ikm, salt, EMPTY, length),
}

useDefaultPrimitives({ curve: NOBLE_X25519, symmetric: NOBLE_SYMMETRIC })
