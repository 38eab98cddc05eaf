import { PERMISSION_LABELS, type Role } from '../../../src-shared/types/app-keys'

/** What a role allows, in words: "Read API secrets tagged prod or ops; Read the audit of key use". */
export function roleSummary(role: Pick<Role, 'permissions' | 'tags'>): string {
  return role.permissions
    .map((permission) =>
      permission === 'secrets:read' && role.tags.length > 0
        ? `${PERMISSION_LABELS[permission]} tagged ${role.tags.join(' or ')}`
        : PERMISSION_LABELS[permission],
    )
    .join('; ')
}
