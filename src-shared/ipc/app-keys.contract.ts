import { z } from 'zod'
import { lineText } from '../text'
import {
  PERMISSIONS,
  type AppKeyId,
  type AppKeysExport,
  type AppKeySummary,
  type GeneratedAppKey,
  type Role,
  type RoleId,
} from '../types/app-keys'
import type { ClipboardCopy } from '../types/settings'
import { readEd25519PublicKey } from '../local-access/public-key'
import { channel } from './define'

export const LABEL_MAX = 200
export const ACCOUNT_MAX = 200
export const KEY_MAX = 200
export const ROLE_NAME_MAX = 60
export const TAG_MAX = 50
export const TAGS_MAX = 20
export const ROLES_PER_KEY_MAX = 50

const singleLine = (what: string, max: number) => lineText(what, max, { trim: true, empty: `The ${what} cannot be empty.` })

/** A key as typed by a person or a script: printable ASCII without spaces, starting with a letter or digit. */
export const appKeyId = z
  .string()
  .trim()
  .min(1, 'Enter the key.')
  .max(KEY_MAX, `A key can have at most ${KEY_MAX} characters.`)
  .regex(/^[A-Za-z0-9][\x21-\x7e]*$/, 'The key must start with a letter or digit and contain no spaces or other special characters.')
  .transform((s) => s as AppKeyId)

export const roleId = z
  .string()
  .min(1, 'Choose a role.')
  .max(100, 'That role id is too long.')
  .transform((s) => s as RoleId)

const roleIds = z.array(roleId).max(ROLES_PER_KEY_MAX, `A key can have at most ${ROLES_PER_KEY_MAX} roles.`)

/**
 * Optional, set once: empty or blank means "use the key". One line, like every name in a list;
 * not trimmed, so what is typed is what is kept. Checked on input only: labels stored before
 * this rule, with a tab or a line break, are still listed and exported.
 */
export const appKeyLabel = lineText('label', LABEL_MAX)

export const appKeyAccount = lineText('account', ACCOUNT_MAX, { trim: true })

export const permission = z.enum(PERMISSIONS, { message: `The permission must be one of ${PERMISSIONS.join(', ')}.` })

/** A tag a role's reads are limited to: as an API secret's tag is written, so it can match one. */
export const roleTag = singleLine('tag', TAG_MAX).refine((s) => !s.includes(';'), 'A tag cannot contain ";": no API secret\'s tag can, so it would match none.')

export const generateAppKeyInput = z.strictObject({ label: appKeyLabel.optional(), roleIds })
/** A third-party key's Ed25519 public key from its issuer: base64url (43 characters) or an OpenSSH `ssh-ed25519` line. */
export const appKeyPublicKey = z
  .string()
  .max(1_000, 'The public key is too long: give the 43-character Ed25519 key, or one ssh-ed25519 line.')
  .transform((value, ctx) => {
    const key = readEd25519PublicKey(value)
    if (key === null) {
      ctx.addIssue({ code: 'custom', message: 'The public key must be an Ed25519 key: 43 base64url characters, or an OpenSSH line "ssh-ed25519 AAAA…".' })
      return z.NEVER
    }
    return key
  })

export const addExternalAppKeyInput = z.strictObject({ key: appKeyId, account: appKeyAccount.optional(), roleIds, publicKey: appKeyPublicKey.optional() })
export const createRoleInput = z
  .strictObject({
    name: singleLine('role name', ROLE_NAME_MAX),
    permissions: z
      .array(permission)
      .min(1, 'Choose at least one permission.')
      .max(PERMISSIONS.length, 'Each permission can be chosen once.'),
    tags: z.array(roleTag).max(TAGS_MAX, `A role can be limited to at most ${TAGS_MAX} tags.`).optional(),
  })
  .refine((role) => !role.tags?.length || role.permissions.includes('secrets:read'), {
    message: 'The tags only limit reading API secrets: add the secrets:read permission, or remove the tags.',
    path: ['tags'],
  })

const copyHandle = z.string().regex(/^[0-9a-f]{32}$/, 'That copy handle is not valid.')
const byKey = z.strictObject({ key: appKeyId })

export const appKeysChannels = {
  /** Every key (or one type), oldest first. Rows never carry a token or a hash. */
  appKeysList: channel<AppKeySummary[]>()(
    'app-keys:list',
    z.strictObject({ type: z.enum(['internal', 'external']).optional() }),
  ),
  /** Generates an internal key; the answer carries its token this one time. Needs a recent password confirmation. */
  appKeysGenerate: channel<GeneratedAppKey>()('app-keys:generate', generateAppKeyInput),
  /** Copies a just-generated token (by the handle of the generate answer); main clears the clipboard after the person's delay. */
  appKeysCopyToken: channel<ClipboardCopy>()('app-keys:copy-token', z.strictObject({ handle: copyHandle })),
  /** The token screen closed: the token can no longer be copied. */
  appKeysForgetToken: channel<null>()('app-keys:forget-token', z.strictObject({ handle: copyHandle })),
  /** Adds a third-party key, or brings a removed one back. Needs a recent password confirmation. */
  appKeysAddExternal: channel<AppKeySummary>()('app-keys:add-external', addExternalAppKeyInput),
  /** Replaces a key's roles (the Edit dialog's Save). Needs a recent password confirmation. */
  appKeysSetRoles: channel<AppKeySummary>()('app-keys:set-roles', z.strictObject({ key: appKeyId, roleIds })),
  appKeysActivate: channel<AppKeySummary>()('app-keys:activate', byKey),
  appKeysDeactivate: channel<AppKeySummary>()('app-keys:deactivate', byKey),
  appKeysRemove: channel<AppKeySummary>()('app-keys:remove', byKey),
  /** Asks where to save, then writes the audit CSV of keys with roles there. */
  appKeysExportCsv: channel<AppKeysExport>()('app-keys:export-csv', z.strictObject({})),
  rolesList: channel<Role[]>()('roles:list', z.strictObject({})),
  rolesCreate: channel<Role>()('roles:create', createRoleInput),
  rolesDelete: channel<null>()('roles:delete', z.strictObject({ id: roleId })),
} as const
