import type { AuthorizationDecision, DenyReason, Permission, ResourceDescriptor, RoleRef } from '../../../src-shared/types/app-keys'
import type { KeyRecord } from './app-keys.repo'
import { hashToken, tokenMatches } from './app-keys.tokens'

/** What an application presents: its key, and for internal keys the token shown at generation. */
export interface KeyPresentation {
  key: string
  token?: string
}

const normaliseTag = (tag: string) => tag.normalize('NFC').trim().toLowerCase()

/**
 * The one authorization rule of Keyhold, used by the CLI's `key check`, the local access API
 * and device pairing. Pure: given the stored record of the presented key (undefined when
 * unknown) and the vault's hash key, it answers whether `permission` on `resource` is allowed.
 *
 * What must stay true:
 * - an unknown, inactive, removed or role-less key may do nothing (a key starts with no permission);
 * - an internal key needs its token, checked in constant time before anything else is revealed;
 * - `secrets:read` through a tag-scoped role needs the secret (its tags) and at least one shared tag;
 *   scopes apply to reads only; a role without tags reads every secret.
 * SECURITY: reasons and messages are for the vault's owner (CLI, app); an API facing other
 * programs should answer them with a bare "forbidden", so that key existence does not leak.
 */
export function authorize(
  record: KeyRecord | undefined,
  hashKey: Buffer,
  presented: KeyPresentation,
  permission: Permission,
  resource?: ResourceDescriptor,
): AuthorizationDecision {
  const deny = (reason: DenyReason, message: string): AuthorizationDecision => ({
    allowed: false,
    key: presented.key,
    permission,
    reason,
    message,
  })

  if (!record) {
    // SECURITY: spend the same HMAC + comparison as for a known key, so timing does not say which keys exist.
    if (presented.token !== undefined) tokenMatches(hashKey, hashToken(hashKey, ''), presented.token)
    return deny('UNKNOWN_KEY', `There is no application key "${presented.key.slice(0, 200)}" in this vault.`)
  }
  if (record.type === 'internal') {
    if (presented.token === undefined || presented.token === '')
      return deny('TOKEN_REQUIRED', `Key ${record.key} is an internal key: present its token too.`)
    if (!record.tokenHash || !tokenMatches(hashKey, record.tokenHash, presented.token))
      return deny('TOKEN_INVALID', `The token does not match key ${record.key}. If it was lost, deactivate the key and generate a new one.`)
  }
  if (record.status === 'removed') return deny('REMOVED', `Key ${record.key} was removed. Add it again to restore its access.`)
  if (record.status === 'inactive') return deny('INACTIVE', `Key ${record.key} is deactivated. Activate it to restore its access.`)
  if (record.roles.length === 0) return deny('NO_ROLES', `Key ${record.key} has no roles, so it may do nothing. Add a role to it.`)

  const granting = record.roles.filter((role) => role.permissions.includes(permission))
  if (granting.length === 0)
    return deny('NOT_GRANTED', `None of the roles of key ${record.key} (${names(record.roles)}) grants ${permission}.`)

  if (resource && !permission.startsWith(`${resource.type}s:`))
    return deny('OUT_OF_SCOPE', `${permission} does not apply to a ${resource.type}.`)

  if (permission === 'secrets:read') {
    const unscoped = granting.filter((role) => role.tags.length === 0)
    if (unscoped.length > 0) return allow(record, permission, unscoped)
    if (!resource)
      return deny('RESOURCE_REQUIRED', `Key ${record.key} may read only secrets tagged ${tagList(granting)}: name the secret to check.`)
    const tags = new Set(resource.tags.map(normaliseTag))
    const scoped = granting.filter((role) => role.tags.some((tag) => tags.has(normaliseTag(tag))))
    if (scoped.length === 0)
      return deny('OUT_OF_SCOPE', `Key ${record.key} may read only secrets tagged ${tagList(granting)}; secret ${resource.id} is not.`)
    return allow(record, permission, scoped)
  }
  return allow(record, permission, granting)
}

function allow(record: KeyRecord, permission: Permission, roles: KeyRecord['roles']): AuthorizationDecision {
  const grantedBy: RoleRef[] = roles.map(({ id, name }) => ({ id, name }))
  return { allowed: true, key: record.key, permission, grantedBy }
}

const names = (roles: KeyRecord['roles']) => roles.map((r) => r.name).join(', ')
const tagList = (roles: KeyRecord['roles']) => [...new Set(roles.flatMap((r) => r.tags))].map((t) => `"${t}"`).join(' or ')
