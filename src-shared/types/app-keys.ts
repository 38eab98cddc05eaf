/**
 * Application keys and roles: what main, the renderer and the CLI agree on.
 * No type here ever carries a token or a token hash, except `GeneratedAppKey`, which is
 * the one-time answer to "generate" and is never stored.
 */

/** A key id as presented by an application: `keyhold-<vault>-<random>` (internal) or the issuer's key (external). */
export type AppKeyId = string & { readonly __brand: 'AppKeyId' }
/** A role id: `secrets-reader`... for built-in roles, `role-<random>` for custom ones. */
export type RoleId = string & { readonly __brand: 'RoleId' }

/** Internal keys are generated here (key + token); external keys were issued elsewhere (key only). */
export type AppKeyType = 'internal' | 'external'

/** Internal keys are active or inactive; external keys are active or removed (re-adding restores them). */
export type AppKeyStatus = 'active' | 'inactive' | 'removed'

/**
 * What a role may grant, over this vault's resources. Append only: scripts and stored
 * roles use these strings.
 */
export const PERMISSIONS = ['secrets:read', 'secrets:write', 'apps:read', 'audit:read'] as const
export type Permission = (typeof PERMISSIONS)[number]

/** Words for people, in the order of PERMISSIONS. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  'secrets:read': 'Read API secrets',
  'secrets:write': 'Create, edit and delete API secrets',
  'apps:read': 'Read the list of applications (My apps)',
  'audit:read': 'Read the audit of key use',
}

/** A named set of permissions. `tags` limits `secrets:read` to secrets with at least one of them. */
export interface Role {
  id: RoleId
  name: string
  builtin: boolean
  permissions: Permission[]
  /** Empty: reads every API secret. Otherwise only secrets carrying one of these tags. */
  tags: string[]
  /** How many keys hold this role (a role in use cannot be deleted). */
  keyCount: number
}

/** A role as shown on a key. */
export interface RoleRef {
  id: RoleId
  name: string
}

/** A row of "Application Keys" / "My Keys" and of `keyhold key list`. Never a token or a hash. */
export interface AppKeySummary {
  key: AppKeyId
  type: AppKeyType
  /** Internal keys only; defaults to the key and never changes. Null for external keys. */
  label: string | null
  /** External keys only: the account or origin that issued the key. Null for internal keys. */
  account: string | null
  status: AppKeyStatus
  roles: RoleRef[]
  /** ISO 8601. */
  createdAt: string
  /** ISO 8601, or null when the key was never allowed a request. */
  lastUsedAt: string | null
  /** External keys: whether the issuer's public key was given, without which the key cannot connect (it is kept for audits). */
  hasPublicKey: boolean
}

/**
 * The answer to "generate": the key and, this one time only, its token. SECURITY: the
 * token is not stored anywhere (only its keyed hash is); `copyHandle` lets the token
 * screen ask main to copy it until the screen closes, the vault locks or a few minutes pass.
 */
export interface GeneratedAppKey {
  key: AppKeySummary
  token: string
  copyHandle: string
}

/** The result of the Export button: whether a file was saved (the person may cancel the dialog). */
export interface AppKeysExport {
  saved: boolean
  path: string | null
  count: number
}

/** What a permission is asked for. Only API secrets have tags; other resources need no descriptor. */
export interface SecretResource {
  type: 'secret'
  id: string
  tags: readonly string[]
}
export type ResourceDescriptor = SecretResource

/** Why a key was refused, for programs; the message says it for people. */
export type DenyReason =
  | 'UNKNOWN_KEY'
  | 'INACTIVE'
  | 'REMOVED'
  | 'TOKEN_REQUIRED'
  | 'TOKEN_INVALID'
  | 'NO_ROLES'
  | 'NOT_GRANTED'
  | 'RESOURCE_REQUIRED'
  | 'OUT_OF_SCOPE'

/** The answer of `authorize`: allowed with the roles that grant it, or denied with a reason. */
export type AuthorizationDecision =
  | { allowed: true; key: AppKeyId; permission: Permission; grantedBy: RoleRef[] }
  | { allowed: false; key: string; permission: Permission; reason: DenyReason; message: string }
