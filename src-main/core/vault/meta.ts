import { KeyholdError } from '../../../src-shared/errors'
import { one, run, type Database } from './database'

/**
 * The vault's key for keyed hashes (HMAC-SHA-256) of one-time codes and tokens.
 * SECURITY: it lives only inside the encrypted image (meta.hash_key, migration 1), so a
 * stolen file gives an attacker no way to test guesses against stored hashes.
 */
export function vaultHashKey(db: Database): Buffer {
  const value = readMeta(db, 'hash_key')
  if (value === null) throw new KeyholdError('VAULT_CORRUPT', 'The vault is missing its hashing key. Restore it from its .bak copy or a backup.')
  return Buffer.from(value, 'base64')
}

/** One value of the vault's `meta` table (inside the encrypted image), or null. */
export function readMeta(db: Database, key: string): string | null {
  return one<{ value: string }>(db, 'SELECT value FROM meta WHERE key = ?', [key])?.value ?? null
}

/** Sets one value of the vault's `meta` table. Call inside a mutation. */
export function writeMeta(db: Database, key: string, value: string): void {
  run(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value])
}

export function deleteMeta(db: Database, key: string): void {
  run(db, 'DELETE FROM meta WHERE key = ?', [key])
}
