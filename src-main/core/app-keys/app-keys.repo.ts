import type { AppKeyId, AppKeyStatus, AppKeySummary, AppKeyType, Permission, RoleId, RoleRef } from '../../../src-shared/types/app-keys'
import { all, one, run, type Database } from '../vault/database'
import { compareRoleNames } from './roles.repo'

interface KeyRow {
  key: string
  type: AppKeyType
  label: string | null
  account: string | null
  status: AppKeyStatus
  created_at: string
  last_used_at: string | null
  has_public_key: number
}

/** A key as the authorizer sees it: with its token hash and its roles' grants. Never leaves main. */
export interface KeyRecord {
  key: AppKeyId
  type: AppKeyType
  status: AppKeyStatus
  /** HMAC-SHA-256(meta.hash_key, token) for internal keys; null for external ones. */
  tokenHash: Uint8Array | null
  /** A third-party key's Ed25519 public key, given by its issuer (schema 5); null otherwise. */
  publicKey: Uint8Array | null
  lastUsedAt: string | null
  roles: Array<RoleRef & { permissions: Permission[]; tags: string[] }>
}

const SUMMARY_COLUMNS = 'k.key, k.type, k.label, k.account, k.status, k.created_at, k.last_used_at, k.public_key IS NOT NULL AS has_public_key'

function rolesByKey(db: Database, keys: readonly string[]): Map<string, RoleRef[]> {
  const byKey = new Map<string, RoleRef[]>()
  if (keys.length === 0) return byKey
  const rows = all<{ key: string; id: string; name: string }>(
    db,
    `SELECT kr.key, r.id, r.name FROM app_key_role kr JOIN role r ON r.id = kr.role_id ORDER BY r.id`,
  )
  // A key's roles by name in natural order, as the roles list has them.
  rows.sort((a, b) => compareRoleNames(a.name, b.name))
  for (const row of rows) {
    const list = byKey.get(row.key) ?? []
    list.push({ id: row.id as RoleId, name: row.name })
    byKey.set(row.key, list)
  }
  return byKey
}

function toSummaries(db: Database, rows: KeyRow[]): AppKeySummary[] {
  const roles = rolesByKey(db, rows.map((r) => r.key))
  return rows.map((row) => ({
    key: row.key as AppKeyId,
    type: row.type,
    label: row.label,
    account: row.account,
    status: row.status,
    roles: roles.get(row.key) ?? [],
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    hasPublicKey: row.has_public_key === 1,
  }))
}

/** Keys for the pages, the CLI and the CSV, oldest first. SECURITY: never selects token_hash. */
export function listKeys(db: Database, filter: { type?: AppKeyType; withRoles?: boolean } = {}): AppKeySummary[] {
  const where: string[] = []
  const params: string[] = []
  if (filter.type) {
    where.push('k.type = ?')
    params.push(filter.type)
  }
  if (filter.withRoles) where.push('EXISTS (SELECT 1 FROM app_key_role kr WHERE kr.key = k.key)')
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM app_key k ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY k.created_at, k.key`
  return toSummaries(db, all<KeyRow>(db, sql, params))
}

export function getSummary(db: Database, key: string): AppKeySummary | undefined {
  const row = one<KeyRow>(db, `SELECT ${SUMMARY_COLUMNS} FROM app_key k WHERE k.key = ?`, [key])
  return row && toSummaries(db, [row])[0]
}

/** The key with its token hash and grants, for authorization only. */
export function getRecord(db: Database, key: string): KeyRecord | undefined {
  const row = one<{
    key: string
    type: AppKeyType
    status: AppKeyStatus
    token_hash: Uint8Array | null
    public_key: Uint8Array | null
    last_used_at: string | null
  }>(
    db,
    'SELECT key, type, status, token_hash, public_key, last_used_at FROM app_key WHERE key = ?',
    [key],
  )
  if (!row) return undefined
  const grants = all<{ id: string; name: string; permission: string | null; tag: string | null }>(
    db,
    `SELECT r.id, r.name, p.permission, NULL AS tag FROM app_key_role kr JOIN role r ON r.id = kr.role_id
       LEFT JOIN role_permission p ON p.role_id = r.id WHERE kr.key = ?
     UNION ALL
     SELECT r.id, r.name, NULL, t.tag FROM app_key_role kr JOIN role r ON r.id = kr.role_id
       JOIN role_tag t ON t.role_id = r.id WHERE kr.key = ?`,
    [key, key],
  )
  const roles = new Map<string, KeyRecord['roles'][number]>()
  for (const grant of grants) {
    const role = roles.get(grant.id) ?? { id: grant.id as RoleId, name: grant.name, permissions: [], tags: [] }
    if (grant.permission) role.permissions.push(grant.permission as Permission)
    if (grant.tag) role.tags.push(grant.tag)
    roles.set(grant.id, role)
  }
  return {
    key: row.key as AppKeyId,
    type: row.type,
    status: row.status,
    tokenHash: row.token_hash,
    publicKey: row.public_key,
    lastUsedAt: row.last_used_at,
    roles: [...roles.values()],
  }
}

export function insertInternalKey(
  db: Database,
  key: { key: AppKeyId; label: string; tokenHash: Uint8Array; now: string },
): void {
  run(
    db,
    `INSERT INTO app_key (key, type, label, account, token_hash, status, created_at, updated_at)
     VALUES (?, 'internal', ?, NULL, ?, 'active', ?, ?)`,
    [key.key, key.label, key.tokenHash, key.now, key.now],
  )
}

export function insertExternalKey(db: Database, key: { key: AppKeyId; account: string | null; publicKey: Uint8Array | null; now: string }): void {
  run(
    db,
    `INSERT INTO app_key (key, type, label, account, token_hash, public_key, status, created_at, updated_at)
     VALUES (?, 'external', NULL, ?, NULL, ?, 'active', ?, ?)`,
    [key.key, key.account, key.publicKey, key.now, key.now],
  )
}

/** Gives a third-party key its public key once (a key that has one keeps it: the trigger refuses a change). */
export function setPublicKey(db: Database, key: AppKeyId, publicKey: Uint8Array): void {
  run(db, 'UPDATE app_key SET public_key = ? WHERE key = ? AND public_key IS NULL', [publicKey, key])
}

/** Re-adding a removed external key brings it back; a new account replaces the old one. */
export function restoreExternalKey(db: Database, key: { key: AppKeyId; account: string | null; now: string }): void {
  run(db, `UPDATE app_key SET status = 'active', account = coalesce(?, account), updated_at = ? WHERE key = ? AND type = 'external'`, [
    key.account,
    key.now,
    key.key,
  ])
}

export function setStatus(db: Database, key: AppKeyId, status: AppKeyStatus, now: string): void {
  run(db, 'UPDATE app_key SET status = ?, updated_at = ? WHERE key = ?', [status, now, key])
}

/** Replaces the key's roles with exactly `roleIds`. */
export function setRoles(db: Database, key: AppKeyId, roleIds: readonly RoleId[], now: string): void {
  run(db, 'DELETE FROM app_key_role WHERE key = ?', [key])
  for (const roleId of roleIds) run(db, 'INSERT INTO app_key_role (key, role_id) VALUES (?, ?)', [key, roleId])
  run(db, 'UPDATE app_key SET updated_at = ? WHERE key = ?', [now, key])
}

export function touchLastUsed(db: Database, key: AppKeyId, now: string): void {
  run(db, 'UPDATE app_key SET last_used_at = ? WHERE key = ?', [now, key])
}

export function keyExists(db: Database, key: string): boolean {
  return !!one(db, 'SELECT 1 AS found FROM app_key WHERE key = ?', [key])
}

export function countKeys(db: Database): number {
  return one<{ n: number }>(db, 'SELECT count(*) AS n FROM app_key')?.n ?? 0
}

/** SECURITY: the vault's key for keyed hashes; it exists only inside the encrypted image. */
export { vaultHashKey as hashKey } from '../vault/meta'
