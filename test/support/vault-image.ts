import { readFileSync } from 'node:fs'
import { deriveKey, open } from '../../src-main/core/vault/crypto'
import { decodeVault } from '../../src-main/core/vault/format'

/**
 * Decrypts a vault file the long way (password -> KEK -> data key -> image), for tests that
 * inspect the plaintext sql.js image a save produced.
 */
export async function decryptImage(path: string, password: string): Promise<Buffer> {
  const parsed = decodeVault(readFileSync(path))
  const { header } = parsed
  const slot = header.slots.find((s) => s.type === 'password')!
  const kek = await deriveKey(password, header.salt, header.kdf)
  const dataKey = open(kek, slot.nonce, slot.wrapped, Buffer.from(`keyhold-slot:password:${header.vaultId}`))
  if (!dataKey) throw new Error('wrong password')
  const image = open(dataKey, header.payloadNonce, parsed.ciphertext, parsed.preamble)
  if (!image) throw new Error('payload does not decrypt')
  return image
}
