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
