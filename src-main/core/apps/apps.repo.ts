import { all, one, run, type Database } from '../vault/database'
import type { AppId, AppType } from '../../../src-shared/types/apps'

/** A row of the `apps` table. SECURITY: `key_hash` never leaves this module and the service. */
export interface AppRow {
  id: AppId
  name: string
  type: AppType
  key_hash: Uint8Array
  created_at: string
  updated_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
}

/** The columns a summary is made of: everything but the key hash. */
export type AppRecord = Omit<AppRow, 'key_hash'>

const PUBLIC_COLUMNS = 'id, name, type, created_at, updated_at, expires_at, last_used_at, revoked_at'

export function listApps(db: Database): AppRecord[] {
  return all<AppRecord>(db, `SELECT ${PUBLIC_COLUMNS} FROM apps ORDER BY created_at DESC, name`)
}

export function getApp(db: Database, id: string): AppRecord | undefined {
  return one<AppRecord>(db, `SELECT ${PUBLIC_COLUMNS} FROM apps WHERE id = ?`, [id])
}

export function getKeyHash(db: Database, id: string): Uint8Array | undefined {
  return one<{ key_hash: Uint8Array }>(db, 'SELECT key_hash FROM apps WHERE id = ?', [id])?.key_hash
}

/** SECURITY: `pair_psk` is the pairing PSK (docs/pairing-protocol.md §3.4), kept only until the key is redeemed. */
export function insertApp(db: Database, row: AppRow & { pair_psk: Uint8Array }): void {
  run(
    db,
    `INSERT INTO apps (id, name, type, key_hash, pair_psk, created_at, updated_at, expires_at, last_used_at, revoked_at)
     VALUES (:id, :name, :type, :key_hash, :pair_psk, :created_at, :updated_at, :expires_at, :last_used_at, :revoked_at)`,
    {
      ':pair_psk': row.pair_psk,
      ':id': row.id,
      ':name': row.name,
      ':type': row.type,
      ':key_hash': row.key_hash,
      ':created_at': row.created_at,
      ':updated_at': row.updated_at,
      ':expires_at': row.expires_at,
      ':last_used_at': row.last_used_at,
      ':revoked_at': row.revoked_at,
    },
  )
}

export function updateApp(db: Database, id: string, change: { name: string; expires_at: string | null; updated_at: string }): void {
  run(db, 'UPDATE apps SET name = ?, expires_at = ?, updated_at = ? WHERE id = ?', [change.name, change.expires_at, change.updated_at, id])
}

/** Revoking erases the pairing PSK too, so the key can never be redeemed. */
export function setRevoked(db: Database, id: string, at: string): void {
  run(db, "UPDATE apps SET revoked_at = ?, updated_at = ?, pair_psk = NULL, revoke_reason = 'revoked' WHERE id = ? AND revoked_at IS NULL", [at, at, id])
}

export function setLastUsed(db: Database, id: string, at: string): void {
  run(db, 'UPDATE apps SET last_used_at = ? WHERE id = ?', [at, id])
}

export function countApps(db: Database): number {
  return one<{ n: number }>(db, 'SELECT count(*) AS n FROM apps')?.n ?? 0
}

/** The HMAC key for one-time codes and tokens (migration 1). */
export { vaultHashKey as hashKey } from '../vault/meta'

/**
 * Keys whose expiration is at or before `now`, not revoked before it, with no `app.expired`
 * entry in the activity log, and that expired after the newest entry retention removed (an
 * older one was recorded and removed, or came before the log). Oldest first.
 */
export function expiredUnrecorded(db: Database, now: string): Array<Pick<AppRecord, 'id' | 'name' | 'expires_at'>> {
  return all(
    db,
    `SELECT id, name, expires_at FROM apps
     WHERE expires_at IS NOT NULL AND expires_at <= ?
       AND (revoked_at IS NULL OR revoked_at > expires_at)
       AND expires_at > coalesce((SELECT value FROM meta WHERE key = 'activity_pruned_at'), '')
       AND NOT EXISTS (SELECT 1 FROM activity WHERE event = 'app.expired' AND target_id = apps.id)
     ORDER BY expires_at`,
    [now],
  )
}

/** The next expiration after `now` of a key not revoked, or null. */
export function nextExpiry(db: Database, now: string): string | null {
  return one<{ at: string | null }>(db, 'SELECT min(expires_at) AS at FROM apps WHERE expires_at > ? AND revoked_at IS NULL', [now])?.at ?? null
}
