import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import type { AppKeyId, Permission, SecretResource } from '../../../src-shared/types/app-keys'
import { createServices, itemCounts } from '../../../src-main/core/services'
import { one } from '../../../src-main/core/vault/database'
import { REAUTH_WINDOW_MS } from '../../../src-main/core/vault/vault.service'
import { LAST_USED_RESOLUTION_MS } from '../../../src-main/core/app-keys/app-keys.service'
import { FakeClock, PASSWORD, unlockedServices } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'
import { MemoryKeyStore } from '../../fakes/memory.key-store'

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    if (error instanceof KeyholdError) return error.code
    throw error
  }
  return 'OK'
}

const ALL: Permission[] = ['secrets:read', 'secrets:write', 'apps:read', 'audit:read']
const secret = (tags: string[], id = 'secret-1'): SecretResource => ({ type: 'secret', id, tags })
const ext = (key: string) => key as AppKeyId

describe('AppKeysService', () => {
  let ctx: Awaited<ReturnType<typeof unlockedServices>>
  let clock: FakeClock
  let appKeys: (typeof ctx)['services']['appKeys']

  beforeEach(async () => {
    clock = new FakeClock()
    ctx = await unlockedServices({ clock })
    appKeys = ctx.services.appKeys
  })
  afterEach(() => ctx.cleanup())

  const fileBytes = () => readFileSync(ctx.path)

  describe('generating internal keys', () => {
    it('makes a readable key id from the vault id and a 256-bit token', async () => {
      const vaultId = ctx.services.vault.vault().id
      const { key, token } = await appKeys.generate({ roleIds: [] })
      expect(key.key).toMatch(new RegExp(`^keyhold-${vaultId.slice(0, 6)}-[a-hj-km-np-z2-9]{12}$`))
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32)
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(key).toMatchObject({ type: 'internal', status: 'active', account: null, roles: [], lastUsedAt: null })
    })

    it('never makes the same key or token twice', async () => {
      const made = await Promise.all(Array.from({ length: 8 }, () => appKeys.generate({ roleIds: [] })))
      expect(new Set(made.map((m) => m.key.key)).size).toBe(8)
      expect(new Set(made.map((m) => m.token)).size).toBe(8)
    })

    it('stores only HMAC-SHA-256(meta.hash_key, token), never the token', async () => {
      const { key, token } = await appKeys.generate({ label: 'deploy', roleIds: ['secrets-reader'] })
      const stored = ctx.services.vault.vault().read((db) => {
        const hashKey = one<{ value: string }>(db, "SELECT value FROM meta WHERE key = 'hash_key'")!.value
        const row = one<{ token_hash: Uint8Array }>(db, 'SELECT token_hash FROM app_key WHERE key = ?', [key.key])!
        return { hashKey: Buffer.from(hashKey, 'base64'), hash: Buffer.from(row.token_hash) }
      })
      expect(stored.hash.equals(createHmac('sha256', stored.hashKey).update(token).digest())).toBe(true)
      const image = await decryptImage(ctx.path, PASSWORD)
      expect(image.includes(Buffer.from(token))).toBe(false)
      expect(image.includes(stored.hash)).toBe(true)
    })

    it('keeps the token out of every list and summary', async () => {
      const { token } = await appKeys.generate({ roleIds: ['secrets-reader'] })
      const payloads = JSON.stringify([appKeys.list(), appKeys.list({ withRoles: true }), appKeys.listRoles(), appKeys.exportCsv()])
      expect(payloads).not.toContain(token)
      expect(payloads).not.toMatch(/token|hash/i)
    })

    it('defaults the label to the key when it is left blank', async () => {
      const none = await appKeys.generate({ roleIds: [] })
      const blank = await appKeys.generate({ label: '   ', roleIds: [] })
      expect(none.key.label).toBe(none.key.key)
      expect(blank.key.label).toBe(blank.key.key)
    })

    it('keeps the label exactly as typed', async () => {
      const label = ' Nightly "backup", part 1 of 2 '
      expect((await appKeys.generate({ label, roleIds: [] })).key.label).toBe(label)
    })

    it('never changes the label afterwards: no operation touches it and the schema refuses it', async () => {
      const { key } = await appKeys.generate({ label: 'first words', roleIds: ['secrets-reader'] })
      await appKeys.setRoles(key.key, ['apps-reader'])
      await appKeys.deactivate(key.key)
      await appKeys.activate(key.key)
      expect(appKeys.get(key.key).label).toBe('first words')
      const vault = ctx.services.vault.vault()
      await expect(vault.mutate((db) => db.run("UPDATE app_key SET label = 'other words'"))).rejects.toThrow(/never change/)
      await expect(vault.mutate((db) => db.run('UPDATE app_key SET token_hash = zeroblob(32)'))).rejects.toThrow(/never change/)
      expect(appKeys.get(key.key).label).toBe('first words')
    })

    it('starts with no permission: a role-less key may do nothing', async () => {
      const { key, token } = await appKeys.generate({ roleIds: [] })
      for (const permission of ALL) {
        const decision = appKeys.authorize({ key: key.key, token }, permission, secret([]))
        expect(decision).toMatchObject({ allowed: false, reason: 'NO_ROLES' })
      }
    })

    it('is not listed with the keys that have access until it has a role', async () => {
      const { key } = await appKeys.generate({ roleIds: [] })
      expect(appKeys.list({ withRoles: true })).toEqual([])
      await appKeys.setRoles(key.key, ['audit-reader'])
      expect(appKeys.list({ withRoles: true }).map((k) => k.key)).toEqual([key.key])
      expect(appKeys.list({ type: 'internal' }).map((k) => k.key)).toEqual([key.key])
      expect(appKeys.list({ type: 'external' })).toEqual([])
    })

    it('refuses an unknown role with NOT_FOUND and creates nothing', async () => {
      const before = fileBytes()
      expect(await codeOf(appKeys.generate({ roleIds: ['secrets-reader', 'Root'] }))).toBe('NOT_FOUND')
      expect(appKeys.list()).toEqual([])
      expect(fileBytes().equals(before)).toBe(true)
    })

    it('accepts roles by id or by name, case-insensitively, once each', async () => {
      const { key } = await appKeys.generate({ roleIds: ['api SECRETS reader', 'secrets-reader', 'Apps reader'] })
      expect(key.roles.map((r) => r.id)).toEqual(['secrets-reader', 'apps-reader'])
    })
  })

  describe('authorizing', () => {
    it('allows an active internal key with its token and a granting role', async () => {
      const { key, token } = await appKeys.generate({ roleIds: ['secrets-editor'] })
      expect(appKeys.authorize({ key: key.key, token }, 'secrets:write')).toEqual({
        allowed: true,
        key: key.key,
        permission: 'secrets:write',
        grantedBy: [{ id: 'secrets-editor', name: 'API secrets editor' }],
      })
      expect(appKeys.authorize({ key: key.key, token }, 'apps:read')).toMatchObject({ allowed: false, reason: 'NOT_GRANTED' })
    })

    it('denies an internal key without its token, with a wrong, short, empty or other key\'s token', async () => {
      const a = await appKeys.generate({ roleIds: ['secrets-reader'] })
      const b = await appKeys.generate({ roleIds: ['secrets-reader'] })
      const cases: Array<[string | undefined, string]> = [
        [undefined, 'TOKEN_REQUIRED'],
        ['', 'TOKEN_REQUIRED'],
        ['x', 'TOKEN_INVALID'],
        [a.token.slice(0, -1), 'TOKEN_INVALID'],
        [`${a.token}A`, 'TOKEN_INVALID'],
        [a.token.toUpperCase(), 'TOKEN_INVALID'],
        [b.token, 'TOKEN_INVALID'],
      ]
      for (const [token, reason] of cases)
        expect(appKeys.authorize({ key: a.key.key, token }, 'secrets:read')).toMatchObject({ allowed: false, reason })
    })

    it('denies an unknown key', async () => {
      expect(appKeys.authorize({ key: 'keyhold-000000-nothere', token: 'x' }, 'secrets:read')).toMatchObject({
        allowed: false,
        reason: 'UNKNOWN_KEY',
      })
    })

    it('denies an inactive key, even with the right token, until it is activated again', async () => {
      const { key, token } = await appKeys.generate({ roleIds: ['secrets-reader'] })
      expect((await appKeys.deactivate(key.key)).status).toBe('inactive')
      expect(appKeys.authorize({ key: key.key, token }, 'secrets:read')).toMatchObject({ allowed: false, reason: 'INACTIVE' })
      expect((await appKeys.activate(key.key)).status).toBe('active')
      expect(appKeys.authorize({ key: key.key, token }, 'secrets:read').allowed).toBe(true)
    })

    it('says TOKEN_INVALID rather than INACTIVE to a caller without the token', async () => {
      const { key } = await appKeys.generate({ roleIds: ['secrets-reader'] })
      await appKeys.deactivate(key.key)
      expect(appKeys.authorize({ key: key.key, token: 'guess' }, 'secrets:read')).toMatchObject({ reason: 'TOKEN_INVALID' })
    })

    describe('tag-scoped reads', () => {
      let key: AppKeyId
      let token: string
      beforeEach(async () => {
        await appKeys.createRole({ name: 'Prod reader', permissions: ['secrets:read'], tags: ['prod', 'Shared'] })
        ;({ key: { key }, token } = await appKeys.generate({ roleIds: ['Prod reader'] }))
      })

      it('allows reading a secret with one of the role\'s tags, ignoring case', () => {
        expect(appKeys.authorize({ key, token }, 'secrets:read', secret(['PROD']))).toMatchObject({
          allowed: true,
          grantedBy: [{ name: 'Prod reader' }],
        })
        expect(appKeys.authorize({ key, token }, 'secrets:read', secret(['dev', 'shared'])).allowed).toBe(true)
      })

      it('denies a secret without any of the tags, or without tags', () => {
        expect(appKeys.authorize({ key, token }, 'secrets:read', secret(['dev']))).toMatchObject({ allowed: false, reason: 'OUT_OF_SCOPE' })
        expect(appKeys.authorize({ key, token }, 'secrets:read', secret([]))).toMatchObject({ allowed: false, reason: 'OUT_OF_SCOPE' })
      })

      it('needs the secret to decide', () => {
        expect(appKeys.authorize({ key, token }, 'secrets:read')).toMatchObject({ allowed: false, reason: 'RESOURCE_REQUIRED' })
      })

      it('grants nothing beyond reading', () => {
        expect(appKeys.authorize({ key, token }, 'secrets:write', secret(['prod']))).toMatchObject({ allowed: false, reason: 'NOT_GRANTED' })
      })

      it('is widened by an unscoped reading role on the same key', async () => {
        await appKeys.changeRoles(key, { add: ['secrets-reader'] })
        expect(appKeys.authorize({ key, token }, 'secrets:read', secret(['dev']))).toMatchObject({
          allowed: true,
          grantedBy: [{ id: 'secrets-reader' }],
        })
        expect(appKeys.authorize({ key, token }, 'secrets:read').allowed).toBe(true)
      })

      it('limits reads only: a scoped role that also writes may write any secret', async () => {
        await appKeys.createRole({ name: 'Prod editor', permissions: ['secrets:read', 'secrets:write'], tags: ['prod'] })
        await appKeys.setRoles(key, ['Prod editor'])
        expect(appKeys.authorize({ key, token }, 'secrets:write', secret(['dev'])).allowed).toBe(true)
        expect(appKeys.authorize({ key, token }, 'secrets:read', secret(['dev'])).allowed).toBe(false)
      })
    })

    it('records "Last used" on an allowed check, at most once a minute', async () => {
      const { key, token } = await appKeys.generate({ roleIds: ['apps-reader'] })
      await appKeys.check({ key: key.key, token: 'wrong' }, 'apps:read')
      expect(appKeys.get(key.key).lastUsedAt).toBeNull()
      await appKeys.check({ key: key.key, token }, 'apps:read')
      const first = new Date(clock.now()).toISOString()
      expect(appKeys.get(key.key).lastUsedAt).toBe(first)
      clock.advance(LAST_USED_RESOLUTION_MS - 1)
      await appKeys.check({ key: key.key, token }, 'apps:read')
      expect(appKeys.get(key.key).lastUsedAt).toBe(first)
      clock.advance(1)
      await appKeys.check({ key: key.key, token }, 'apps:read')
      expect(appKeys.get(key.key).lastUsedAt).toBe(new Date(clock.now()).toISOString())
    })

    it('still works after the vault is locked and opened again from disk', async () => {
      const { key, token } = await appKeys.generate({ roleIds: ['secrets-reader'] })
      ctx.services.vault.lock()
      const again = createServices({ vaultPath: ctx.path, keyStore: new MemoryKeyStore(), clock })
      await again.vault.unlock({ password: PASSWORD })
      expect(again.appKeys.authorize({ key: key.key, token }, 'secrets:read').allowed).toBe(true)
      expect(again.appKeys.authorize({ key: key.key, token: 'x' }, 'secrets:read').allowed).toBe(false)
      expect(itemCounts(again).appKeys).toBe(1)
      again.vault.lock()
    })
  })

  describe('external keys', () => {
    it('are added by key with an account and roles, and authorized without a token', async () => {
      const added = await appKeys.addExternal({ key: ext('vtexappkey-acme-ABC'), account: ' acme ', roleIds: ['apps-reader'] })
      expect(added).toMatchObject({ key: 'vtexappkey-acme-ABC', type: 'external', label: null, account: 'acme', status: 'active' })
      expect(appKeys.authorize({ key: 'vtexappkey-acme-ABC' }, 'apps:read').allowed).toBe(true)
      expect(appKeys.authorize({ key: 'vtexappkey-acme-ABC' }, 'secrets:read')).toMatchObject({ allowed: false, reason: 'NOT_GRANTED' })
    })

    it('are removed rather than deactivated, and a removed key is denied', async () => {
      await appKeys.addExternal({ key: ext('partner-1'), roleIds: ['apps-reader'] })
      expect(await codeOf(appKeys.deactivate(ext('partner-1')))).toBe('INVALID_INPUT')
      expect(await codeOf(appKeys.activate(ext('partner-1')))).toBe('INVALID_INPUT')
      const removed = await appKeys.remove(ext('partner-1'))
      expect(removed).toMatchObject({ status: 'removed', roles: [] })
      expect(appKeys.authorize({ key: 'partner-1' }, 'apps:read')).toMatchObject({ allowed: false, reason: 'REMOVED' })
      expect(appKeys.list({ withRoles: true })).toEqual([])
      expect(await codeOf(appKeys.setRoles(ext('partner-1'), ['apps-reader']))).toBe('CONFLICT')
    })

    it('come back when added again, with the new roles, keeping their creation date', async () => {
      const first = await appKeys.addExternal({ key: ext('partner-1'), account: 'Partner', roleIds: ['apps-reader'] })
      await appKeys.remove(ext('partner-1'))
      clock.advance(60_000)
      const back = await appKeys.addExternal({ key: ext('partner-1'), roleIds: ['audit-reader'] })
      expect(back).toMatchObject({ status: 'active', account: 'Partner', createdAt: first.createdAt, roles: [{ id: 'audit-reader' }] })
      expect(appKeys.authorize({ key: 'partner-1' }, 'audit:read').allowed).toBe(true)
      expect(appKeys.authorize({ key: 'partner-1' }, 'apps:read').allowed).toBe(false)
      expect((await appKeys.remove(ext('partner-1'))).status).toBe('removed')
      expect((await appKeys.addExternal({ key: ext('partner-1'), account: 'Partner 2', roleIds: [] })).account).toBe('Partner 2')
    })

    it('cannot be added twice, nor over an internal key', async () => {
      await appKeys.addExternal({ key: ext('partner-1'), roleIds: ['apps-reader'] })
      expect(await codeOf(appKeys.addExternal({ key: ext('partner-1'), roleIds: [] }))).toBe('CONFLICT')
      const { key } = await appKeys.generate({ roleIds: [] })
      expect(await codeOf(appKeys.addExternal({ key: key.key, roleIds: ['apps-reader'] }))).toBe('CONFLICT')
      expect(appKeys.get(key.key).type).toBe('internal')
    })

    it('a key already in the state asked for is a CONFLICT that saves nothing, as revoking an application twice', async () => {
      const { key } = await appKeys.generate({ roleIds: ['apps-reader'] })
      await appKeys.addExternal({ key: ext('partner-1'), roleIds: ['apps-reader'] })
      await appKeys.deactivate(key.key)
      await appKeys.remove(ext('partner-1'))
      const before = fileBytes()
      for (const [change, message] of [
        [() => appKeys.deactivate(key.key), `${key.key} is already deactivated. Nothing changed.`],
        [() => appKeys.remove(ext('partner-1')), 'partner-1 is already removed. Nothing changed.'],
      ] as const)
        await expect(change()).rejects.toMatchObject({ code: 'CONFLICT', message, reason: { subject: expect.any(String) } })
      expect(fileBytes().equals(before)).toBe(true)
      expect(appKeys.get(key.key).status).toBe('inactive')
    })

    it('internal keys are deactivated, not removed', async () => {
      const { key } = await appKeys.generate({ roleIds: ['apps-reader'] })
      expect(await codeOf(appKeys.remove(key.key))).toBe('INVALID_INPUT')
      expect(appKeys.get(key.key).status).toBe('active')
    })

    it('an unknown key is NOT_FOUND for every change', async () => {
      const nobody = ext('nobody')
      for (const change of [
        () => appKeys.activate(nobody),
        () => appKeys.deactivate(nobody),
        () => appKeys.remove(nobody),
        () => appKeys.setRoles(nobody, []),
      ])
        expect(await codeOf(change)).toBe('NOT_FOUND')
    })
  })

  describe('roles', () => {
    it('come built in for the common cases', () => {
      expect(appKeys.listRoles().map((r) => [r.name, r.permissions, r.builtin])).toEqual([
        ['API secrets editor', ['secrets:read', 'secrets:write'], true],
        ['API secrets reader', ['secrets:read'], true],
        ['Apps reader', ['apps:read'], true],
        ['Audit reader', ['audit:read'], true],
      ])
    })

    it('are added and removed per key, from the edit (set) and the CLI (add/remove) paths', async () => {
      const { key } = await appKeys.generate({ roleIds: ['secrets-reader'] })
      expect((await appKeys.changeRoles(key.key, { add: ['Audit reader'], remove: ['secrets-reader'] })).roles.map((r) => r.id)).toEqual([
        'audit-reader',
      ])
      expect((await appKeys.setRoles(key.key, ['apps-reader', 'secrets-editor'])).roles.map((r) => r.name)).toEqual([
        'API secrets editor',
        'Apps reader',
      ])
      expect((await appKeys.setRoles(key.key, [])).roles).toEqual([])
    })

    it('custom roles have a unique name (ignoring case), deduplicated permissions and tags', async () => {
      const role = await appKeys.createRole({ name: ' Team reader ', permissions: ['secrets:read', 'secrets:read'], tags: ['team', 'TEAM', 'ops'] })
      expect(role).toMatchObject({ name: 'Team reader', builtin: false, permissions: ['secrets:read'], tags: ['ops', 'team'], keyCount: 0 })
      expect(role.id).toMatch(/^role-[0-9a-f]{12}$/)
      expect(await codeOf(appKeys.createRole({ name: 'team READER', permissions: ['apps:read'] }))).toBe('CONFLICT')
      expect(await codeOf(appKeys.createRole({ name: 'Apps reader', permissions: ['apps:read'] }))).toBe('CONFLICT')
    })

    it('refuses tags on a role that cannot read secrets', async () => {
      expect(await codeOf(appKeys.createRole({ name: 'Odd', permissions: ['apps:read'], tags: ['prod'] }))).toBe('INVALID_INPUT')
    })

    it('deletes a custom role no key holds; refuses built-in roles and roles in use', async () => {
      const role = await appKeys.createRole({ name: 'Temp', permissions: ['audit:read'] })
      const { key } = await appKeys.generate({ roleIds: [role.id] })
      expect(await codeOf(appKeys.deleteRole('Temp'))).toBe('CONFLICT')
      expect(await codeOf(appKeys.deleteRole('secrets-reader'))).toBe('INVALID_INPUT')
      expect(await codeOf(appKeys.deleteRole('nope'))).toBe('NOT_FOUND')
      await appKeys.setRoles(key.key, [])
      await appKeys.deleteRole(role.id)
      expect(appKeys.listRoles().some((r) => r.name === 'Temp')).toBe(false)
    })
  })

  describe('re-confirmation of the master password', () => {
    const changes: Array<[string, (s: AppKeysServiceUnderTest, key: AppKeyId) => Promise<unknown>]> = [
      ['generate', (s) => s.generate({ roleIds: [] })],
      ['add-external', (s) => s.addExternal({ key: ext('partner-2'), roleIds: [] })],
      ['set roles', (s, key) => s.setRoles(key, ['apps-reader'])],
      ['change roles', (s, key) => s.changeRoles(key, { add: ['apps-reader'] })],
      ['activate', (s, key) => s.activate(key)],
      ['deactivate', (s, key) => s.deactivate(key)],
      ['remove', (s) => s.remove(ext('partner-1'))],
      ['create a role', (s) => s.createRole({ name: 'Late', permissions: ['apps:read'] })],
      ['delete a role', (s) => s.deleteRole('Spare')],
    ]

    for (const [name, change] of changes) {
      it(`is needed within 5 minutes to ${name}; nothing changes without it`, async () => {
        const { key } = await appKeys.generate({ roleIds: [] })
        await appKeys.addExternal({ key: ext('partner-1'), roleIds: ['apps-reader'] })
        await appKeys.createRole({ name: 'Spare', permissions: ['audit:read'] })
        clock.advance(REAUTH_WINDOW_MS + 1)
        const before = fileBytes()
        const listed = JSON.stringify([appKeys.list(), appKeys.listRoles()])
        expect(await codeOf(change(appKeys, key.key))).toBe('REAUTH_REQUIRED')
        expect(fileBytes().equals(before)).toBe(true)
        expect(JSON.stringify([appKeys.list(), appKeys.listRoles()])).toBe(listed)
        await ctx.services.vault.confirmPassword(PASSWORD)
        expect(await codeOf(change(appKeys, key.key))).toBe('OK')
      })
    }

    it('counts the unlock as a confirmation, up to exactly 5 minutes', async () => {
      clock.advance(REAUTH_WINDOW_MS)
      expect(await codeOf(appKeys.generate({ roleIds: [] }))).toBe('OK')
      clock.advance(1)
      expect(await codeOf(appKeys.generate({ roleIds: [] }))).toBe('REAUTH_REQUIRED')
    })

    it('is not needed to list, export or check keys', async () => {
      const { key, token } = await appKeys.generate({ roleIds: ['apps-reader'] })
      clock.advance(REAUTH_WINDOW_MS + 1)
      expect(appKeys.list()).toHaveLength(1)
      expect(appKeys.exportCsv().count).toBe(1)
      expect((await appKeys.check({ key: key.key, token }, 'apps:read')).allowed).toBe(true)
    })

    it('does not accept a wrong password as a confirmation', async () => {
      clock.advance(REAUTH_WINDOW_MS + 1)
      expect(await codeOf(ctx.services.vault.confirmPassword('not the password'))).toBe('WRONG_PASSWORD')
      expect(await codeOf(appKeys.generate({ roleIds: [] }))).toBe('REAUTH_REQUIRED')
    })
  })

  it('says VAULT_LOCKED for everything once the vault is locked', async () => {
    ctx.services.vault.lock()
    expect(await codeOf(() => appKeys.list())).toBe('VAULT_LOCKED')
    expect(await codeOf(appKeys.generate({ roleIds: [] }))).toBe('VAULT_LOCKED')
    expect(await codeOf(() => appKeys.authorize({ key: 'k' }, 'apps:read'))).toBe('VAULT_LOCKED')
  })
})

type AppKeysServiceUnderTest = Awaited<ReturnType<typeof unlockedServices>>['services']['appKeys']
