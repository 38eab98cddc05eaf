import type { Permission, Role } from '../../../src-shared/types/app-keys'
import { t } from '../../i18n'

/** Each permission's message key (src-shared's PERMISSION_LABELS stay English for the CLI). */
const PERMISSION_KEYS: Record<Permission, string> = {
  'secrets:read': 'secretsRead',
  'secrets:write': 'secretsWrite',
  'apps:read': 'appsRead',
  'audit:read': 'auditRead',
}

/** A permission in words, in the app's language. */
export function permissionLabel(permission: Permission): string {
  return t(`appKeys.permissions.${PERMISSION_KEYS[permission]}`)
}

/** What a role allows, in words: "Read API secrets tagged prod or ops; Read the audit of key use". */
export function roleSummary(role: Pick<Role, 'permissions' | 'tags'>): string {
  return role.permissions
    .map((permission) =>
      permission === 'secrets:read' && role.tags.length > 0
        ? t('appKeys.roleSummary.tagged', { permission: permissionLabel(permission), tags: role.tags.join(t('appKeys.roleSummary.tagsOr')) })
        : permissionLabel(permission),
    )
    .join('; ')
}

/** The built-in roles' message keys, by id: their names are Keyhold's words, so they are translated; people's roles keep their names. */
const BUILTIN_ROLE_KEYS: Record<string, string> = {
  'secrets-reader': 'secretsReader',
  'secrets-editor': 'secretsEditor',
  'apps-reader': 'appsReader',
  'audit-reader': 'auditReader',
}

/** A role's name as the screen shows it: a built-in role's in the app's language, any other as it was named. */
export function roleName(role: { id: string; name: string }): string {
  const key = BUILTIN_ROLE_KEYS[role.id]
  return key ? t(`appKeys.builtinRoles.${key}`) : role.name
}

/** The built-in roles' names as the vault stores them (they cannot be renamed, and no other role may take them). */
const BUILTIN_ROLE_NAMES: Record<string, string> = {
  'API secrets reader': 'secrets-reader',
  'API secrets editor': 'secrets-editor',
  'Apps reader': 'apps-reader',
  'Audit reader': 'audit-reader',
}

/** A role name as recorded (the activity log keeps names): a built-in role's in the app's language. */
export function recordedRoleName(name: string): string {
  const id = BUILTIN_ROLE_NAMES[name]
  return id ? roleName({ id, name }) : name
}
