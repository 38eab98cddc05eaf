import { readFileSync } from 'node:fs'
import { deriveKey, open } from '../../src-main/core/vault/crypto'
import { decodeVault } from '../../src-main/core/vault/format'

/**
 * Decrypts a vault file the long way (password -> KEK -> data key -> image), for tests that
 * inspect the plaintext sql.js image a save produced.
 */
export async function decryptImage(path: string, password: string): Promise<Buffer> {
  const image = decryptWith(path, await dataKeyOf(path, password))
  if (!image) throw new Error('payload does not decrypt')
  return image
}

/** The data key a vault file's password slot wraps. */
export async function dataKeyOf(path: string, password: string): Promise<Buffer> {
  const { header } = decodeVault(readFileSync(path))
  const slot = header.slots.find((s) => s.type === 'password')!
  const kek = await deriveKey(password, header.salt, header.kdf)
  const dataKey = open(kek, slot.nonce, slot.wrapped, Buffer.from(`keyhold-slot:password:${header.vaultId}`))
  if (!dataKey) throw new Error('wrong password')
  return dataKey
}

/** The image of a vault file decrypted with `dataKey`, or null when that key does not open it. */
export function decryptWith(path: string, dataKey: Buffer): Buffer | null {
  const parsed = decodeVault(readFileSync(path))
  return open(dataKey, parsed.header.payloadNonce, parsed.ciphertext, parsed.preamble)
}
