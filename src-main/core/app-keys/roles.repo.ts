import type { Permission, Role, RoleId } from '../../../src-shared/types/app-keys'
import { compareNames } from '../../../src-shared/fold'
import { all, one, run, type Database } from '../vault/database'

interface RoleRow {
  id: string
  name: string
  builtin: number
  permissions: string | null
  tags: string | null
  key_count: number
}

/** Role names in natural order ("Reader 5" before "Reader 49"), as the API secrets report orders names (see nameSortKey). */
export const compareRoleNames = compareNames

// Permissions and tags are folded with a separator that cannot occur in either (control char).
const SEP = '\u001f'
const split = (folded: string | null) => (folded ? folded.split(SEP) : [])

const SELECT_ROLES = `
  SELECT r.id, r.name, r.builtin,
    (SELECT group_concat(permission, char(31)) FROM (SELECT permission FROM role_permission WHERE role_id = r.id ORDER BY permission)) AS permissions,
    (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM role_tag WHERE role_id = r.id ORDER BY tag COLLATE NOCASE)) AS tags,
    (SELECT count(*) FROM app_key_role WHERE role_id = r.id) AS key_count
  FROM role r`

const toRole = (row: RoleRow): Role => ({
  id: row.id as RoleId,
  name: row.name,
  builtin: row.builtin === 1,
  permissions: split(row.permissions) as Permission[],
  tags: split(row.tags),
  keyCount: row.key_count,
})

/** Every role, built-in ones first, then by name in natural order ("Role 5" before "Role 49"). */
export function listRoles(db: Database): Role[] {
  return all<RoleRow>(db, `${SELECT_ROLES} ORDER BY r.builtin DESC, r.id`)
    .map(toRole)
    .sort((a, b) => Number(b.builtin) - Number(a.builtin) || compareRoleNames(a.name, b.name) || (a.id < b.id ? -1 : 1))
}

/** A role by its id or (case-insensitively) its name: how people and scripts refer to roles. */
export function findRole(db: Database, idOrName: string): Role | undefined {
  const row = one<RoleRow>(db, `${SELECT_ROLES} WHERE r.id = ? OR r.name = ? COLLATE NOCASE ORDER BY r.id = ? DESC LIMIT 1`, [
    idOrName,
    idOrName,
    idOrName,
  ])
  return row && toRole(row)
}

export function insertRole(
  db: Database,
  role: { id: RoleId; name: string; permissions: readonly Permission[]; tags: readonly string[]; createdAt: string },
): void {
  run(db, 'INSERT INTO role (id, name, builtin, created_at) VALUES (?, ?, 0, ?)', [role.id, role.name, role.createdAt])
  for (const permission of role.permissions) run(db, 'INSERT INTO role_permission (role_id, permission) VALUES (?, ?)', [role.id, permission])
  for (const tag of role.tags) run(db, 'INSERT INTO role_tag (role_id, tag) VALUES (?, ?)', [role.id, tag])
}

export function deleteRole(db: Database, id: RoleId): number {
  return run(db, 'DELETE FROM role WHERE id = ? AND builtin = 0', [id])
}
