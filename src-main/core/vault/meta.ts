import { KeyholdError } from '../../../src-shared/errors'
import { one, type Database } from './database'

/**
 * The vault's key for keyed hashes (HMAC-SHA-256) of one-time codes and tokens.
 * SECURITY: it lives only inside the encrypted image (meta.hash_key, migration 1), so a
 * stolen file gives an attacker no way to test guesses against stored hashes.
 */
export function vaultHashKey(db: Database): Buffer {
  const row = one<{ value: string }>(db, "SELECT value FROM meta WHERE key = 'hash_key'")
  if (!row) throw new KeyholdError('VAULT_CORRUPT', 'The vault is missing its hashing key. Restore it from its .bak copy or a backup.')
  return Buffer.from(row.value, 'base64')
}
