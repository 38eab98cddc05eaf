import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { hashRaw } from '@node-rs/argon2'
import type { KdfParams } from '../../../src-shared/types/vault'

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolatedModules cannot import). */
const ARGON2ID = 2

export const KEY_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16

/**
 * Argon2id over the master password. @node-rs/argon2 computes on libuv's thread pool,
 * so the event loop (and the window) stays responsive while it runs.
 * Callers must have bounded `params` first (see format.ts): this runs whatever it is given.
 */
export async function deriveKey(password: string, salt: Uint8Array, params: KdfParams): Promise<Buffer> {
  return hashRaw(password.normalize('NFC'), {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.lanes,
    outputLen: KEY_BYTES,
    salt: Buffer.from(salt),
  })
}

export function randomKey(): Buffer {
  return randomBytes(KEY_BYTES)
}

/** AES-256-GCM with a fresh random nonce; the tag is appended to the ciphertext. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): { nonce: Buffer; sealed: Buffer } {
  const nonce = randomBytes(NONCE_BYTES)
  return { nonce, sealed: sealWithNonce(key, nonce, plaintext, aad) }
}

export function sealWithNonce(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

/** Plaintext per cipher step of `sealInSteps`: about 2-10 ms of AES-GCM each on a laptop. */
export const SEAL_STEP_BYTES = 1 << 20
/** AES-GCM runs fastest on cache-sized pieces: 64 MB in 256 KiB calls takes about 60% of one call. */
const CIPHER_PIECE_BYTES = 1 << 18

/**
 * `prefix` followed by AES-256-GCM of `plaintext` (tag appended), like `prefix + sealWithNonce`,
 * but encrypted 1 MiB at a time with the event loop running between steps: a 50 MB vault
 * takes a few hundred ms to encrypt, which must not freeze the window. The output is one
 * buffer allocated up front, so a save holds two copies of the image, not four.
 */
export async function sealInSteps(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, prefix: Uint8Array): Promise<Buffer> {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  const out = Buffer.allocUnsafe(prefix.length + plaintext.length + TAG_BYTES)
  out.set(prefix, 0)
  let at = prefix.length
  for (let offset = 0; offset < plaintext.length; offset += CIPHER_PIECE_BYTES) {
    if (offset > 0 && offset % SEAL_STEP_BYTES === 0) await new Promise<void>((resolve) => setImmediate(resolve))
    const part = cipher.update(plaintext.subarray(offset, offset + CIPHER_PIECE_BYTES))
    out.set(part, at)
    at += part.length
  }
  const last = cipher.final()
  out.set(last, at)
  at += last.length
  out.set(cipher.getAuthTag(), at)
  return out.subarray(0, at + TAG_BYTES)
}

/** Returns null when authentication fails (wrong key or altered bytes); never throws for that. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  if (sealed.length < TAG_BYTES) return null
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
  // Decrypted in 256 KiB pieces into one buffer: faster than one call on a large vault (cache-sized
  // work), and no second copy for the concatenation.
  const body = sealed.subarray(0, sealed.length - TAG_BYTES)
  const out = Buffer.allocUnsafe(body.length)
  let at = 0
  try {
    for (let offset = 0; offset < body.length; offset += CIPHER_PIECE_BYTES) {
      const part = decipher.update(body.subarray(offset, offset + CIPHER_PIECE_BYTES))
      out.set(part, at)
      at += part.length
    }
    const last = decipher.final()
    out.set(last, at)
    at += last.length
  } catch {
    // SECURITY: unauthenticated plaintext never leaves; wipe what was written.
    out.fill(0)
    return null
  }
  return out.subarray(0, at)
}
