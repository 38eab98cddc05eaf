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

/** Returns null when authentication fails (wrong key or altered bytes); never throws for that. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer | null {
  if (sealed.length < TAG_BYTES) return null
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()])
  } catch {
    return null
  }
}
