import { randomBytes } from 'node:crypto'
import { basename, dirname } from 'node:path'
import { KeyholdError, type ErrorCode } from '../../../src-shared/errors'
import type {
  AppKeyId,
  AppKeysExport,
  AppKeySummary,
  AppKeyType,
  AuthorizationDecision,
  GeneratedAppKey,
  Permission,
  ResourceDescriptor,
  Role,
  RoleId,
} from '../../../src-shared/types/app-keys'
import type { ClipboardCopy } from '../../../src-shared/types/settings'
import type { ActivityService } from '../activity/activity.service'
import type { ClipboardGuard } from '../clipboard-guard'
import type { Clock, SaveFileDialog } from '../ports'
import type { Database } from '../vault/database'
import { fileSystemError } from '../vault/fs-errors'
import type { VaultService } from '../vault/vault.service'
import * as repo from './app-keys.repo'
import { auditCsv } from './app-keys.csv'
import { hashToken, newInternalKeyId, newToken } from './app-keys.tokens'
import { authorize, type KeyPresentation } from './authorize'
import * as roles from './roles.repo'
import { TokenCopies } from '../copy-handles'

/** A successful check updates "Last used" at most this often, so a busy key does not rewrite the vault per request. */
export const LAST_USED_RESOLUTION_MS = 60_000

export interface AppKeysServiceOptions {
  vault: VaultService
  clock: Clock
  /** The process's one guard over copies: a copied token is taken back after the person's delay. */
  clipboardGuard: ClipboardGuard
  /** The app's save dialog; absent in the CLI, which writes to --out or standard output. */
  saveFileDialog?: SaveFileDialog
  /** The activity log: keys generated, added, their roles and status changed, exported. */
  activity?: ActivityService
}

/** An error in the screen's words, with the reason the CLI says in its own (src-main/cli/helpers.ts cliWords). */
const refused = (code: ErrorCode, message: string, id: string, subject: string) => new KeyholdError(code, message, undefined, { id, subject })

const notFound = (key: string) =>
  refused('NOT_FOUND', `There is no application key "${key}" in this vault. Check the key on the Application Keys or My Keys page.`, 'appkey.not-found', key)

/** How each status is said in "is already …". */
const STATUS_WORDS = { inactive: 'deactivated', removed: 'removed' } as const

/**
 * Application keys and roles: internal keys generated here (key + token shown once),
 * external keys added by their key, the roles that give either any permission, activation,
 * removal, the audit CSV, and the authorization check the local API and pairing will use.
 *
 * What must stay true:
 * - SECURITY: a token exists only in the generate answer and, for a few minutes, in memory for
 *   the token screen's copy button; the vault stores HMAC-SHA-256(meta.hash_key, token).
 * - Every change to keys or roles needs the master password confirmed within the last
 *   5 minutes (the individual's "Save User" permission); reading and checking do not.
 * - Random ids and tokens are drawn before `mutate`, whose function must be re-runnable.
 */
export class AppKeysService {
  private readonly copies: TokenCopies

  constructor(private readonly options: AppKeysServiceOptions) {
    this.copies = new TokenCopies(options.clock)
    options.vault.onLock(() => this.copies.clear())
  }

  private get vault() {
    return this.options.vault.vault()
  }

  private now(): string {
    return new Date(this.options.clock.now()).toISOString()
  }

  /** Throws VAULT_LOCKED, then REAUTH_REQUIRED, before any change. */
  private confirmed(): void {
    this.options.vault.requireRecentConfirmation()
  }

  list(filter: { type?: AppKeyType; withRoles?: boolean } = {}): AppKeySummary[] {
    return this.vault.read((db) => repo.listKeys(db, filter))
  }

  get(key: string): AppKeySummary {
    return this.vault.read((db) => repo.getSummary(db, key)) ?? throwError(notFound(key))
  }

  count(): number {
    return this.vault.read(repo.countKeys)
  }

  /**
   * Generates an internal key with the given roles (none: no permission). A blank label
   * becomes the key. The token is in the answer and nowhere else.
   */
  async generate(input: { label?: string; roleIds: readonly string[] }): Promise<GeneratedAppKey> {
    this.confirmed()
    const vault = this.vault
    const key = newInternalKeyId(vault.id)
    const token = newToken()
    const now = this.now()
    const label = input.label !== undefined && input.label.trim() !== '' ? input.label : key
    const summary = await vault.mutate((db) => {
      if (repo.keyExists(db, key)) throw new KeyholdError('CONFLICT', 'A key with the same id already exists. Generate again.')
      const roleIds = resolveRoles(db, input.roleIds)
      repo.insertInternalKey(db, { key, label, tokenHash: hashToken(repo.hashKey(db), token), now })
      repo.setRoles(db, key, roleIds, now)
      return repo.getSummary(db, key)!
    })
    this.logKey('appkey.generated', summary)
    return { key: summary, token, copyHandle: this.copies.hold(token) }
  }

  /** The token screen's copy button: main copies, and clears the clipboard after the person's delay (30 s by default). */
  async copyToken(handle: string): Promise<ClipboardCopy> {
    this.options.vault.vault()
    return this.options.clipboardGuard.copy(this.copies.token(handle))
  }

  forgetToken(handle: string): void {
    this.copies.forget(handle)
  }

  /**
   * Adds a third-party key with roles. A removed external key is brought back (with these
   * roles, and this account if one is given); an active one or an internal key is a CONFLICT.
   */
  async addExternal(input: { key: AppKeyId; account?: string; roleIds: readonly string[]; publicKey?: string }): Promise<AppKeySummary> {
    this.confirmed()
    const now = this.now()
    const account = input.account?.trim() ? input.account.trim() : null
    const publicKey = input.publicKey === undefined ? null : new Uint8Array(Buffer.from(input.publicKey, 'base64url'))
    return this.vault.mutate((db) => {
      const roleIds = resolveRoles(db, input.roleIds)
      const existing = repo.getSummary(db, input.key)
      if (existing?.type === 'internal')
        throw refused('CONFLICT', `${input.key} is an internal key of this vault, not a third-party key. Edit it on the My Keys page.`, 'appkey.internal-not-external', input.key)
      if (existing?.status === 'active') throw refused('CONFLICT', `${input.key} is already added. Use Edit to change its roles.`, 'appkey.already-added', input.key)
      if (existing) {
        const stored = repo.getRecord(db, input.key)?.publicKey ?? null
        if (publicKey && stored && Buffer.compare(Buffer.from(stored), Buffer.from(publicKey)) !== 0)
          throw new KeyholdError('CONFLICT', `${input.key} already has another public key, which never changes. Add the key under a new name to use a new public key.`)
        repo.restoreExternalKey(db, { key: input.key, account, now })
        if (publicKey && !stored) repo.setPublicKey(db, input.key, publicKey)
      } else repo.insertExternalKey(db, { key: input.key, account, publicKey, now })
      repo.setRoles(db, input.key, roleIds, now)
      return repo.getSummary(db, input.key)!
    }).then((added) => this.logKey('appkey.added', added))
  }

  /** Replaces the key's roles (the Edit dialog's Save). */
  setRoles(key: AppKeyId, roleRefs: readonly string[]): Promise<AppKeySummary> {
    return this.editRoles(key, () => roleRefs)
  }

  /** Adds and removes roles by id or name (`keyhold key roles KEY --add R --remove R`). */
  changeRoles(key: AppKeyId, change: { add?: readonly string[]; remove?: readonly string[] }): Promise<AppKeySummary> {
    return this.editRoles(key, (db, current) => {
      const removed = new Set(resolveRoles(db, change.remove ?? []))
      return [...current.filter((id) => !removed.has(id)), ...resolveRoles(db, change.add ?? [])]
    })
  }

  private async editRoles(key: AppKeyId, next: (db: Database, current: RoleId[]) => readonly string[]): Promise<AppKeySummary> {
    this.confirmed()
    const now = this.now()
    return this.vault.mutate((db) => {
      const existing = repo.getSummary(db, key) ?? throwError(notFound(key))
      if (existing.status === 'removed')
        throw refused('CONFLICT', `${key} was removed. Add it again with + Add 3rd Party Key to give it roles.`, 'appkey.removed', key)
      repo.setRoles(db, key, resolveRoles(db, next(db, existing.roles.map((r) => r.id))), now)
      return repo.getSummary(db, key)!
    }).then((changed) => this.logKey('appkey.roles-changed', changed))
  }

  /** Reactivates an internal key. Anyone holding its token regains access: callers warn first. */
  activate(key: AppKeyId): Promise<AppKeySummary> {
    return this.changeStatus(key, 'active')
  }

  /** Deactivates an internal key: it is refused until activated again. */
  deactivate(key: AppKeyId): Promise<AppKeySummary> {
    return this.changeStatus(key, 'inactive')
  }

  /** Removes an external key: its roles are dropped and it is refused until added again. */
  remove(key: AppKeyId): Promise<AppKeySummary> {
    return this.changeStatus(key, 'removed')
  }

  private async changeStatus(key: AppKeyId, status: 'active' | 'inactive' | 'removed'): Promise<AppKeySummary> {
    this.confirmed()
    const now = this.now()
    return this.vault.mutate((db) => {
      const existing = repo.getSummary(db, key) ?? throwError(notFound(key))
      if (existing.type === 'external' && status === 'inactive')
        throw refused('INVALID_INPUT', `${key} is a third-party key: third-party keys are removed, not deactivated. Use Remove.`, 'appkey.external-not-deactivated', key)
      if (existing.type === 'external' && status === 'active')
        throw refused('INVALID_INPUT', `${key} is a third-party key: to restore a removed one, add it again with its roles.`, 'appkey.external-not-activated', key)
      if (existing.type === 'internal' && status === 'removed')
        throw refused('INVALID_INPUT', `${key} is an internal key: internal keys are deactivated, not removed. Use Deactivate.`, 'appkey.internal-not-removed', key)
      // As revoking an application twice: said, and nothing is saved or recorded. (Activating an active key changes nothing either, quietly.)
      if (status !== 'active' && existing.status === status)
        throw refused('CONFLICT', `${key} is already ${STATUS_WORDS[status]}. Nothing changed.`, `appkey.already-${status}`, key)
      if (status === 'removed') repo.setRoles(db, key, [], now)
      if (existing.status !== status) repo.setStatus(db, key, status, now)
      return repo.getSummary(db, key)!
    }).then((changed) => this.logKey(status === 'active' ? 'appkey.activated' : status === 'inactive' ? 'appkey.deactivated' : 'appkey.removed', changed))
  }

  /** Records a change to a key (never its token): the key, its label or account, its roles. */
  private logKey(event: 'appkey.generated' | 'appkey.added' | 'appkey.roles-changed' | 'appkey.activated' | 'appkey.deactivated' | 'appkey.removed', key: AppKeySummary): AppKeySummary {
    this.options.activity?.record({
      event,
      target: { type: 'appkey', id: key.key, name: key.label ?? key.account ?? key.key },
      detail: { roles: key.roles.map((r) => r.name), status: key.status },
    })
    return key
  }

  /** The audit CSV of the keys with access (those with roles). Never a token or a hash. */
  exportCsv(): { csv: string; count: number } {
    const keys = this.list({ withRoles: true })
    return { csv: auditCsv(keys), count: keys.length }
  }

  /** Writes the audit CSV to `path` (0600, atomically). */
  async exportCsvTo(path: string): Promise<AppKeysExport> {
    const { csv, count } = this.exportCsv()
    // write-file-atomic loads here, on the one path that writes a file of its own.
    const { default: writeFileAtomic } = await import('write-file-atomic')
    await writeFileAtomic(path, csv, { mode: 0o600 }).catch((error: unknown) => {
      // A full disk, a read-only folder or no more files: said as such. A path that names no folder is the caller's to fix.
      const mapped = fileSystemError(error, { writing: path, folder: dirname(path) })
      if (mapped instanceof KeyholdError && ['DISK_FULL', 'FILE_ACCESS_DENIED', 'TOO_MANY_OPEN_FILES'].includes(mapped.code)) throw mapped
      throw new KeyholdError('INVALID_INPUT', `Keyhold could not write ${path}. Check that the folder exists and that you may write to it.`)
    })
    this.options.activity?.record({ event: 'appkey.exported', detail: { count, file: basename(path) } })
    return { saved: true, path, count }
  }

  /** The Export button: asks where to save through the app's dialog, then writes there. */
  async exportCsvWithDialog(): Promise<AppKeysExport> {
    const dialog = this.options.saveFileDialog
    if (!dialog) throw new KeyholdError('INVALID_INPUT', 'There is no save dialog here. Use `keyhold key export-csv --out FILE`.')
    const count = this.list({ withRoles: true }).length
    const day = this.now().slice(0, 10)
    const path = await dialog.choosePath({
      title: 'Export application keys with access',
      defaultName: `keyhold-application-keys-${day}.csv`,
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    })
    if (!path) return { saved: false, path: null, count }
    return this.exportCsvTo(path)
  }

  /** The authorization rule over the stored key (see authorize.ts). Reads only. */
  authorize(presented: KeyPresentation, permission: Permission, resource?: ResourceDescriptor): AuthorizationDecision {
    return this.vault.read((db) => authorize(repo.getRecord(db, presented.key), repo.hashKey(db), presented, permission, resource))
  }

  /**
   * `authorize`, and on success records the use for "Last used" (at most once a minute per
   * key). What the CLI's `key check` and the local access API call for a real request.
   */
  async check(presented: KeyPresentation, permission: Permission, resource?: ResourceDescriptor): Promise<AuthorizationDecision> {
    const decision = this.authorize(presented, permission, resource)
    if (!decision.allowed) return decision
    const nowMs = this.options.clock.now()
    const now = new Date(nowMs).toISOString()
    const last = this.vault.read((db) => repo.getRecord(db, decision.key)?.lastUsedAt)
    if (!last || nowMs - Date.parse(last) >= LAST_USED_RESOLUTION_MS) await this.vault.mutate((db) => repo.touchLastUsed(db, decision.key, now))
    return decision
  }

  /**
   * The local access check at `auth` (docs/pairing-protocol.md §7): true when the key may
   * connect at all (known, token or signature right, active, with a role). SECURITY: one
   * answer for every refusal; an unknown key spends the same HMAC or one Ed25519 check.
   * `verify` checks a third-party key's signature against its stored public key.
   */
  authenticate(presented: KeyPresentation, verify?: (publicKey: Uint8Array) => boolean): boolean {
    return this.vault.read((db) => {
      const record = repo.getRecord(db, presented.key)
      const hashKey = repo.hashKey(db)
      if (verify) {
        const publicKey = record?.type === 'external' ? record.publicKey : null
        const signed = verify(publicKey ?? DUMMY_PUBLIC_KEY) && publicKey !== null
        if (!signed || !record) return false
        return canConnect(authorize(record, hashKey, { key: presented.key }, 'secrets:read'))
      }
      // A token for a third-party key: refused, after the same HMAC as any token check.
      if (record?.type === 'external') {
        authorize(undefined, hashKey, presented, 'secrets:read')
        return false
      }
      return canConnect(authorize(record, hashKey, presented, 'secrets:read'))
    })
  }

  /** Whether a connected key still may do anything: known, active, with a role (the agent's sweep). */
  stillAllowed(key: string): boolean {
    return this.vault.read((db) => {
      const record = repo.getRecord(db, key)
      return !!record && record.status === 'active' && record.roles.length > 0
    })
  }

  /**
   * Which API secrets the key may read: all, only those with one of `tags`, or FORBIDDEN
   * ("forbidden": other programs learn nothing more). Records the use like `check`.
   */
  async secretsScope(presented: KeyPresentation): Promise<'all' | string[]> {
    const decision = await this.check(presented, 'secrets:read')
    if (decision.allowed) return 'all'
    if (decision.reason !== 'RESOURCE_REQUIRED') throw new KeyholdError('FORBIDDEN', 'forbidden')
    const record = this.vault.read((db) => repo.getRecord(db, presented.key))
    const tags = (record?.roles ?? []).filter((role) => role.permissions.includes('secrets:read')).flatMap((role) => role.tags)
    if (tags.length === 0) throw new KeyholdError('FORBIDDEN', 'forbidden')
    await this.check(presented, 'secrets:read', { type: 'secret', id: '', tags: [tags[0]!] })
    return [...new Set(tags)]
  }

  /** A permission without a resource (apps:read): FORBIDDEN "forbidden" unless granted. */
  async require(presented: KeyPresentation, permission: Permission): Promise<void> {
    if (!(await this.check(presented, permission)).allowed) throw new KeyholdError('FORBIDDEN', 'forbidden')
  }

  listRoles(): Role[] {
    return this.vault.read(roles.listRoles)
  }

  /** A role by id or name; NOT_FOUND names the role and where to see them. */
  role(ref: string): Role {
    return this.vault.read((db) => roles.findRole(db, ref)) ?? throwError(unknownRole(ref))
  }

  /** Creates a custom role. Tags (optional) limit its secrets:read to secrets with one of them. */
  async createRole(input: { name: string; permissions: readonly Permission[]; tags?: readonly string[] }): Promise<Role> {
    this.confirmed()
    const id = `role-${randomBytes(6).toString('hex')}` as RoleId
    const now = this.now()
    const name = input.name.trim()
    const permissions = [...new Set(input.permissions)]
    const tags = uniqueIgnoringCase((input.tags ?? []).map((t) => t.trim()))
    if (tags.length > 0 && !permissions.includes('secrets:read'))
      throw new KeyholdError('INVALID_INPUT', 'The tags only limit reading API secrets: add the secrets:read permission, or remove the tags.')
    return this.vault.mutate((db) => {
      if (roles.findRole(db, name)) throw new KeyholdError('CONFLICT', `A role named "${name}" already exists. Choose another name.`)
      roles.insertRole(db, { id, name, permissions, tags, createdAt: now })
      return roles.findRole(db, id)!
    })
  }

  /** Deletes a custom role that no key holds. */
  async deleteRole(ref: string): Promise<void> {
    this.confirmed()
    await this.vault.mutate((db) => {
      const role = roles.findRole(db, ref) ?? throwError(unknownRole(ref))
      if (role.builtin) throw new KeyholdError('INVALID_INPUT', `"${role.name}" is a built-in role and cannot be deleted.`)
      if (role.keyCount > 0)
        throw new KeyholdError(
          'CONFLICT',
          `"${role.name}" is held by ${role.keyCount} key${role.keyCount === 1 ? '' : 's'}. Remove it from ${role.keyCount === 1 ? 'that key' : 'those keys'} first.`,
        )
      roles.deleteRole(db, role.id)
    })
  }
}

const unknownRole = (ref: string) =>
  refused('NOT_FOUND', `There is no role "${ref.slice(0, 100)}". See the roles in the + Add Roles dialog.`, 'role.not-found', ref.slice(0, 100))

/** Role references (ids or names) to distinct role ids, in order; NOT_FOUND for any unknown one. */
function resolveRoles(db: Database, refs: readonly string[]): RoleId[] {
  const ids: RoleId[] = []
  for (const ref of refs) {
    const role = roles.findRole(db, ref) ?? throwError(unknownRole(ref))
    if (!ids.includes(role.id)) ids.push(role.id)
  }
  return ids
}

/** Verified against when a key has no public key, so the work is the same (RFC 8032's first test key). */
const DUMMY_PUBLIC_KEY = new Uint8Array(Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex'))

/** The key may connect: everything checked but the permission itself. */
function canConnect(decision: AuthorizationDecision): boolean {
  if (decision.allowed) return true
  return decision.reason === 'NOT_GRANTED' || decision.reason === 'RESOURCE_REQUIRED' || decision.reason === 'OUT_OF_SCOPE'
}

function uniqueIgnoringCase(values: string[]): string[] {
  const seen = new Set<string>()
  return values.filter((v) => {
    const k = v.toLowerCase()
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

function throwError(error: Error): never {
  throw error
}
