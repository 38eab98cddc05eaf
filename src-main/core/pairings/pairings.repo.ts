import type { AppId, AppType } from '../../../src-shared/types/apps'
import type { PairingEndReason, PairingId } from '../../../src-shared/types/pairings'
import { all, one, run, type Database } from '../vault/database'

/** A pairing with its application's public columns, as the agent and the screens need it. */
export interface PairingRecord {
  id: PairingId
  appId: AppId
  appName: string
  appType: AppType
  companionPk: Uint8Array
  deviceName: string
  platform: string
  software: string
  kind: 'mobile' | 'extension' | 'cli'
  scopeAll: boolean
  tags: string[]
  reveal: 'ask' | 'allow'
  createdAt: string
  lastUsedAt: string | null
  endedAt: string | null
  endReason: PairingEndReason | null
  appExpiresAt: string | null
  appRevokedAt: string | null
}

interface Row {
  id: string
  app_id: string
  app_name: string
  app_type: AppType
  companion_pk: Uint8Array
  device_name: string
  platform: string
  software: string
  kind: PairingRecord['kind']
  scope_all: number
  reveal_policy: PairingRecord['reveal']
  created_at: string
  last_used_at: string | null
  ended_at: string | null
  end_reason: PairingEndReason | null
  expires_at: string | null
  revoked_at: string | null
}

const SELECT = `SELECT p.id, p.app_id, a.name AS app_name, a.type AS app_type, p.companion_pk, p.device_name, p.platform, p.software,
  p.kind, p.scope_all, p.reveal_policy, p.created_at, p.last_used_at, p.ended_at, p.end_reason, a.expires_at, a.revoked_at
  FROM pairing p JOIN apps a ON a.id = p.app_id`

function toRecords(db: Database, rows: Row[]): PairingRecord[] {
  const tags = new Map<string, string[]>()
  if (rows.length > 0)
    for (const t of all<{ pairing_id: string; tag: string }>(db, 'SELECT pairing_id, tag FROM pairing_tag ORDER BY rowid'))
      tags.set(t.pairing_id, [...(tags.get(t.pairing_id) ?? []), t.tag])
  return rows.map((r) => ({
    id: r.id as PairingId,
    appId: r.app_id as AppId,
    appName: r.app_name,
    appType: r.app_type,
    companionPk: r.companion_pk,
    deviceName: r.device_name,
    platform: r.platform,
    software: r.software,
    kind: r.kind,
    scopeAll: r.scope_all === 1,
    tags: tags.get(r.id) ?? [],
    reveal: r.reveal_policy,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    appExpiresAt: r.expires_at,
    appRevokedAt: r.revoked_at,
  }))
}

export function listPairings(db: Database): PairingRecord[] {
  return toRecords(db, all<Row>(db, `${SELECT} ORDER BY p.created_at DESC, p.id`))
}

export function getPairing(db: Database, id: string): PairingRecord | undefined {
  return toRecords(db, all<Row>(db, `${SELECT} WHERE p.id = ?`, [id]))[0]
}

export function pairingByCompanionKey(db: Database, pk: Uint8Array): PairingRecord | undefined {
  return toRecords(db, all<Row>(db, `${SELECT} WHERE p.companion_pk = ?`, [pk]))[0]
}

export function insertPairing(
  db: Database,
  p: Omit<PairingRecord, 'appName' | 'appType' | 'lastUsedAt' | 'endedAt' | 'endReason' | 'appExpiresAt' | 'appRevokedAt'>,
): void {
  run(
    db,
    `INSERT INTO pairing (id, app_id, companion_pk, device_name, platform, software, kind, scope_all, reveal_policy, created_at, last_used_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [p.id, p.appId, p.companionPk, p.deviceName, p.platform, p.software, p.kind, p.scopeAll ? 1 : 0, p.reveal, p.createdAt, p.createdAt],
  )
  for (const tag of p.tags) run(db, 'INSERT INTO pairing_tag (pairing_id, tag) VALUES (?, ?)', [p.id, tag])
}

/**
 * Ends a pairing for good. Its application's key is spent with it, so the application is
 * revoked too (My apps then says so, rather than "active" for a key that can never connect).
 */
export function endPairing(db: Database, id: string, reason: PairingEndReason, at: string): number {
  run(db, 'UPDATE pairing SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL', [at, reason, id])
  const ended = db.getRowsModified()
  if (ended > 0)
    run(
      db,
      "UPDATE apps SET revoked_at = ?, updated_at = ?, revoke_reason = 'revoked', pair_psk = NULL WHERE id = (SELECT app_id FROM pairing WHERE id = ?) AND revoked_at IS NULL",
      [at, at, id],
    )
  return ended
}

export function touchPairing(db: Database, id: string, appId: string, at: string): void {
  run(db, 'UPDATE pairing SET last_used_at = ? WHERE id = ?', [at, id])
  run(db, 'UPDATE apps SET last_used_at = ? WHERE id = ?', [at, appId])
}

/** The pending keys that can still be redeemed: those with a PSK. */
export function redeemableApps(db: Database, appId?: string): Array<{ id: AppId; psk: Uint8Array; expires_at: string | null }> {
  const where = appId === undefined ? '' : 'AND id = ?'
  return all<{ id: AppId; psk: Uint8Array; expires_at: string | null }>(
    db,
    `SELECT id, pair_psk AS psk, expires_at FROM apps WHERE pair_psk IS NOT NULL AND revoked_at IS NULL AND last_used_at IS NULL ${where} ORDER BY created_at, id`,
    appId === undefined ? [] : [appId],
  )
}

export function appForPairing(
  db: Database,
  id: string,
): { id: AppId; name: string; type: AppType; expires_at: string | null; revoked_at: string | null; last_used_at: string | null; has_psk: number; failed_proofs: number } | undefined {
  return one(db, 'SELECT id, name, type, expires_at, revoked_at, last_used_at, pair_psk IS NOT NULL AS has_psk, failed_proofs FROM apps WHERE id = ?', [id])
}

export function clearPsk(db: Database, appId: string): void {
  run(db, 'UPDATE apps SET pair_psk = NULL WHERE id = ?', [appId])
}

export function countFailedProof(db: Database, appId: string): number {
  run(db, 'UPDATE apps SET failed_proofs = failed_proofs + 1 WHERE id = ?', [appId])
  return one<{ n: number }>(db, 'SELECT failed_proofs AS n FROM apps WHERE id = ?', [appId])?.n ?? 0
}

export function burnKey(db: Database, appId: string, reason: 'denied' | 'timeout' | 'cancelled' | 'failed-proofs', at: string): void {
  run(db, 'UPDATE apps SET pair_psk = NULL, revoked_at = ?, revoke_reason = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL', [
    at,
    reason,
    at,
    appId,
  ])
}

export function insertReveal(
  db: Database,
  r: { at: string; pairingId: string | null; appKey: string | null; secretId: string; allowedBy: 'asked' | 'grant' | 'policy' | 'role' },
): void {
  run(db, 'INSERT INTO reveal_record (at, pairing_id, app_key, secret_id, allowed_by) VALUES (?, ?, ?, ?, ?)', [
    r.at,
    r.pairingId,
    r.appKey,
    r.secretId,
    r.allowedBy,
  ])
}

export interface RevealRecord {
  at: string
  pairingId: string | null
  appKey: string | null
  secretId: string
  allowedBy: 'asked' | 'grant' | 'policy' | 'role'
}

export function listReveals(db: Database): RevealRecord[] {
  return all<RevealRecord>(db, 'SELECT at, pairing_id AS pairingId, app_key AS appKey, secret_id AS secretId, allowed_by AS allowedBy FROM reveal_record ORDER BY id')
}
