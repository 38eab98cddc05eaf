import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM } from 'node:crypto'
import { hashRaw } from '@node-rs/argon2'
import { normalizePassword } from '../../../src-shared/password'
import type { KdfParams } from '../../../src-shared/types/vault'
import { bufferDied } from './cipher-garbage'
import { KEY_BYTES, NONCE_BYTES, TAG_BYTES } from './sizes'

export { KEY_BYTES, NONCE_BYTES, TAG_BYTES }

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolatedModules cannot import). */
const ARGON2ID = 2


/**
 * Argon2id over the master password. @node-rs/argon2 computes on libuv's thread pool,
 * so the event loop (and the window) stays responsive while it runs.
 * Callers must have bounded `params` first (see format.ts): this runs whatever it is given.
 */
export async function deriveKey(password: string, salt: Uint8Array, params: KdfParams): Promise<Buffer> {
  return hashRaw(normalizePassword(password), {
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

/** Plaintext per cipher step of a stepped seal: a few milliseconds of AES-GCM, so the event loop runs between steps. */
export const SEAL_STEP_BYTES = 1 << 20
/** AES-GCM runs fastest on cache-sized pieces, much faster than in one call over a large vault. */
const CIPHER_PIECE_BYTES = 1 << 18

/**
 * AES-256-GCM of `plaintext` one step at a time, leaving `plaintext` as it is: yields the
 * ciphertext of each piece (new buffers of at most 256 KiB) and finally the 16-byte tag, with
 * the event loop running between 1 MiB steps, so a 50 MB vault does not freeze its thread.
 * For a save straight from the database's live file (see Vault.save), which must not change
 * until the last piece is yielded.
 *
 * The cipher is keyed now, not when the first step is asked for: the caller may wipe `key`
 * (a vault locked mid-save) while the steps are still being written.
 */
export function sealCopy(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): AsyncGenerator<Uint8Array> {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  return sealSteps(cipher, plaintext)
}

/**
 * Like sealCopy, but each piece of ciphertext is written over its plaintext and yielded as a
 * view of `plaintext`: the save of an exported copy holds that copy and no second one. The
 * caller must wipe `plaintext` if it stops early (the part not yet yielded is still plaintext).
 */
export function sealInPlace(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): AsyncGenerator<Uint8Array> {
  return inPlace(plaintext, sealCopy(key, nonce, plaintext, aad))
}

async function* sealSteps(cipher: CipherGCM, plaintext: Uint8Array): AsyncGenerator<Uint8Array> {
  // Asked for the next piece, the writer may still be writing the last one it was given,
  // but is done with the one before: that one is dead.
  let given = 0
  for (let step = 0; step < plaintext.length; step += SEAL_STEP_BYTES) {
    if (step > 0) await new Promise<void>((resolve) => setImmediate(resolve))
    const stepEnd = Math.min(step + SEAL_STEP_BYTES, plaintext.length)
    for (let offset = step; offset < stepEnd; offset += CIPHER_PIECE_BYTES) {
      const part = cipher.update(plaintext.subarray(offset, Math.min(offset + CIPHER_PIECE_BYTES, stepEnd)))
      if (part.length === 0) continue
      yield part
      bufferDied(given)
      given = part.length
    }
  }
  const last = cipher.final()
  if (last.length > 0) yield last
  yield cipher.getAuthTag()
}

async function* inPlace(plaintext: Uint8Array, sealed: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  // GCM is a stream mode: update() never returns more than it was given, so the write position
  // never passes the read position and each piece lands where its plaintext was. The ciphertext
  // is as long as the plaintext: what comes once it is all written is the tag.
  let at = 0
  for await (const piece of sealed) {
    if (at === plaintext.length) {
      yield piece
      continue
    }
    plaintext.set(piece, at)
    yield plaintext.subarray(at, (at += piece.length))
  }
}

/** Returns null when authentication fails (wrong key or altered bytes); never throws for that. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  if (sealed.length < TAG_BYTES) return null
  const out = Buffer.allocUnsafe(sealed.length - TAG_BYTES)
  const length = decryptInto(key, nonce, sealed, aad, out)
  return length === null ? null : out.subarray(0, length)
}

/**
 * Like `open`, but decrypts into `sealed` itself and returns a view of it: opening a vault
 * holds the file as read and nothing more. On failure the bytes already decrypted are wiped
 * (the rest is still ciphertext) and null is returned.
 */
export function openInPlace(key: Uint8Array, nonce: Uint8Array, sealed: Buffer, aad: Uint8Array): Buffer | null {
  if (sealed.length < TAG_BYTES) return null
  const length = decryptInto(key, nonce, sealed, aad, sealed)
  return length === null ? null : sealed.subarray(0, length)
}

/**
 * Decrypts `sealed` (ciphertext, then tag) into `out`, in 256 KiB pieces: faster than one call
 * on a large vault (cache-sized work), and no further copy. `out` may be `sealed` itself: GCM
 * returns no more bytes than it was given, so writing never overtakes reading.
 */
function decryptInto(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): number | null {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  decipher.setAAD(aad)
  const bodyLength = sealed.length - TAG_BYTES
  decipher.setAuthTag(sealed.subarray(bodyLength))
  let at = 0
  try {
    for (let offset = 0; offset < bodyLength; offset += CIPHER_PIECE_BYTES) {
      const part = decipher.update(sealed.subarray(offset, Math.min(offset + CIPHER_PIECE_BYTES, bodyLength)))
      out.set(part, at)
      at += part.length
      part.fill(0) // SECURITY: no loose copies of the plaintext left for the GC.
      // Dead once copied (the collection keeps this one, still referenced, until the next).
      bufferDied(part.length)
    }
    const last = decipher.final()
    out.set(last, at)
    at += last.length
  } catch {
    // SECURITY: unauthenticated plaintext never leaves; wipe what was written.
    out.fill(0, 0, at)
    return null
  }
  return at
}
