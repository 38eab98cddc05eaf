import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { secretEditInput } from '../../../src-shared/ipc/secrets.contract'
import type { SecretId } from '../../../src-shared/types/secrets'
import { createServices } from '../../../src-main/core/services'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { PASSWORD } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'
import { codeOf, errorOf, secretOf, secretsFixture } from './fixtures'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
const edit = (input: Record<string, unknown>) => secretEditInput.parse(input)

describe('SecretsService', () => {
  let ctx: Awaited<ReturnType<typeof secretsFixture>>
  let secrets: (typeof ctx)['services']['secrets']

  beforeEach(async () => {
    ctx = await secretsFixture()
    secrets = ctx.services.secrets
  })
  afterEach(() => {
    vi.useRealTimers()
    ctx.cleanup()
  })

  const names = async (query: Parameters<typeof secrets.list>[0] = {}) => (await secrets.list(query)).items.map((s) => s.name)

  describe('adding', () => {
    it('adds an API secret with every field and answers without its client secret', async () => {
      const added = await secrets.add(secretOf())
      expect(added).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Stripe payments',
        url: 'https://api.stripe.com/v1',
        clientId: 'ci_live_123',
        identifier: 'stripe-prod',
        method: 'POST',
        tags: ['prod', 'payments'],
        notes: 'Rotated every 90 days.',
        hasClientSecret: true,
        createdAt: '2026-01-01T12:00:00.000Z',
        updatedAt: '2026-01-01T12:00:00.000Z',
      })
      expect(JSON.stringify(added)).not.toContain('TOPSECRET')
      expect(secrets.get(added.id)).toEqual(added)
    })

    it('needs only Name, URL and Client ID', async () => {
      const added = await secrets.add(secretOf({ clientSecret: undefined, identifier: undefined, method: undefined, tags: undefined, notes: undefined }))
      expect(added).toMatchObject({ identifier: null, method: null, tags: [], notes: '', hasClientSecret: false })
      expect(secrets.reveal(added.id)).toEqual({ clientSecret: null })
    })

    it('keeps the client secret exactly as given, spaces included', async () => {
      const added = await secrets.add(secretOf({ clientSecret: '  s3cr3t with spaces ' }))
      expect(secrets.reveal(added.id)).toEqual({ clientSecret: '  s3cr3t with spaces ' })
    })

    it('trims the text fields and de-duplicates tags ignoring case, keeping the first spelling', async () => {
      const added = await secrets.add(
        secretOf({ name: '  Padded  ', clientId: ' id ', identifier: '  ident  ', tags: [' Prod ', 'prod', 'PROD', 'eu'], method: ' get ' }),
      )
      expect(added).toMatchObject({ name: 'Padded', clientId: 'id', identifier: 'ident', tags: ['Prod', 'eu'], method: 'GET' })
    })

    it('de-duplicates tags with the tag filter\'s own comparison, so every tag it keeps can be filtered on its own', async () => {
      // "ß" and "SS" meet in the filter (fold), so they must meet here too; NFC and NFD spellings of é as well.
      const added = await secrets.add(secretOf({ tags: ['Straße', 'STRASSE', 'caf\u00e9', 'cafe\u0301', 'cafe'] }))
      expect(added.tags).toEqual(['Straße', 'caf\u00e9', 'cafe'])
      expect((await secrets.list({ tag: 'strasse' })).items.map((s) => s.tags)).toEqual([['Straße', 'caf\u00e9', 'cafe']])
    })

    it('is saved in the vault file, so it is there after lock and unlock', async () => {
      const added = await secrets.add(secretOf())
      ctx.services.vault.lock()
      await ctx.services.vault.unlock({ password: PASSWORD })
      expect(secrets.get(added.id).name).toBe('Stripe payments')
      expect(secrets.reveal(added.id).clientSecret).toBe('sk_live_TOPSECRET_1')
    })

    it('counts API secrets for keyhold info', async () => {
      await secrets.add(secretOf({ identifier: 'a' }))
      await secrets.add(secretOf({ identifier: 'b' }))
      expect(secrets.count()).toBe(2)
    })
  })

  describe('the Identifier', () => {
    beforeEach(async () => {
      await secrets.add(secretOf({ identifier: 'stripe-prod' }))
    })

    for (const duplicate of ['stripe-prod', 'STRIPE-PROD', 'Stripe-Prod', '  stripe-prod  ', ' sTrIpE-pRoD']) {
      it(`refuses "${duplicate}" as a duplicate with CONFLICT naming the Identifier, and saves nothing`, async () => {
        const before = sha(ctx.path)
        const error = await errorOf(secrets.add(secretOf({ name: 'Other', identifier: duplicate })))
        expect(error.code).toBe('CONFLICT')
        expect(error.message).toMatch(/\bIdentifier\b/)
        expect(error.message).toMatch(/Nothing was saved/)
        expect(sha(ctx.path)).toBe(before)
        expect(await names()).toEqual(['Stripe payments'])
      })
    }

    it('compares with Unicode case folding (Straße is STRASSE)', async () => {
      await secrets.add(secretOf({ identifier: 'Straße' }))
      expect(await codeOf(secrets.add(secretOf({ identifier: 'STRASSE' })))).toBe('CONFLICT')
    })

    it('is optional, and any number of API secrets may have none', async () => {
      await secrets.add(secretOf({ identifier: null }))
      await secrets.add(secretOf({ identifier: '' }))
      await secrets.add(secretOf({ identifier: '   ' }))
      expect((await secrets.list()).total).toBe(4)
    })

    it('refuses an edit to another API secret\'s Identifier, and changes nothing', async () => {
      const other = await secrets.add(secretOf({ name: 'Other', identifier: 'other' }))
      const before = sha(ctx.path)
      const error = await errorOf(secrets.edit(edit({ id: other.id, name: 'Renamed', identifier: ' STRIPE-prod ' })))
      expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/\bIdentifier\b/) })
      expect(sha(ctx.path)).toBe(before)
      expect(secrets.get(other.id)).toMatchObject({ name: 'Other', identifier: 'other' })
    })

    it('lets an API secret keep its own Identifier, or change its case', async () => {
      const [own] = (await secrets.list()).items
      await secrets.edit(edit({ id: own!.id, identifier: 'STRIPE-PROD', notes: 'edited' }))
      expect(secrets.get(own!.id)).toMatchObject({ identifier: 'STRIPE-PROD', notes: 'edited' })
    })

    it('is free again once its API secret is deleted', async () => {
      const [own] = (await secrets.list()).items
      await secrets.remove(own!.id)
      expect((await secrets.add(secretOf({ identifier: 'Stripe-Prod' }))).identifier).toBe('Stripe-Prod')
    })

    it('finds an API secret by id or by Identifier (ignoring case and spaces)', async () => {
      const [own] = (await secrets.list()).items
      expect(secrets.resolve(own!.id).id).toBe(own!.id)
      expect(secrets.resolve(' STRIPE-PROD ').id).toBe(own!.id)
      expect(await codeOf(() => secrets.resolve('nope'))).toBe('NOT_FOUND')
    })

    it('refuses a batch with the same Identifier twice, naming both rows, and adds nothing', async () => {
      const error = await errorOf(
        secrets.addMany([secretOf({ identifier: 'a' }), secretOf({ identifier: 'b' }), secretOf({ identifier: ' A ' })]),
      )
      expect(error.code).toBe('CONFLICT')
      expect(error.message).toMatch(/^Row 3: The Identifier is the same as in row 1/)
      expect((await secrets.list()).total).toBe(1)
    })

    it('refuses a batch with an Identifier already in the vault, naming the row, and adds nothing', async () => {
      const before = sha(ctx.path)
      const error = await errorOf(secrets.addMany([secretOf({ identifier: 'new-1' }), secretOf({ identifier: 'STRIPE-PROD' })]))
      expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/^Row 2: The Identifier is already used/) })
      expect(sha(ctx.path)).toBe(before)
      expect((await secrets.list()).total).toBe(1)
    })

    it('is unique in the database itself, whatever writes the table', async () => {
      const insert = () =>
        ctx.services.vault.vault().mutate((db) =>
          db.run(
            `INSERT INTO secret (id, name, name_key, url, client_id, identifier, identifier_key, created_at, updated_at)
             VALUES ('x', 'n', 'n', 'https://x', 'c', 'Stripe-prod', 'stripe-prod', 'now', 'now')`,
          ),
        )
      await expect(insert()).rejects.toThrow(/UNIQUE constraint failed: secret.identifier_key/)
    })
  })

  describe('the report', () => {
    beforeEach(async () => {
      await secrets.addMany([
        secretOf({ name: 'beta billing', url: 'https://billing.example.com', clientId: 'bill-1', identifier: 'bill', method: 'GET', tags: ['prod', 'Finance'] }),
        secretOf({ name: 'Alpha auth', url: 'https://auth.example.com/oauth', clientId: 'auth-9', identifier: 'auth', method: 'POST', tags: ['staging'] }),
        secretOf({ name: 'gamma GitHub', url: 'https://api.github.com', clientId: 'gh-77', identifier: null, method: null, tags: ['PROD', 'ci'] }),
        secretOf({ name: 'Delta webhooks', url: 'http://hooks.internal:8080/in', clientId: 'dw', identifier: 'hooks', method: 'PUT', tags: [], notes: 'searchable-notes?' }),
      ])
    })

    it('is sorted by name, ignoring case, and pages with a total', async () => {
      expect(await names()).toEqual(['Alpha auth', 'beta billing', 'Delta webhooks', 'gamma GitHub'])
      const page = await secrets.list({ offset: 1, limit: 2 })
      expect(page).toMatchObject({ total: 4, offset: 1, limit: 2 })
      expect(page.items.map((s) => s.name)).toEqual(['beta billing', 'Delta webhooks'])
      expect(await names({ direction: 'desc' })).toEqual(['gamma GitHub', 'Delta webhooks', 'beta billing', 'Alpha auth'])
    })

    it('sorts by last update, newest first by default', async () => {
      const [alpha] = (await secrets.list()).items
      ctx.clock.advance(60_000)
      await secrets.edit(edit({ id: alpha!.id, notes: 'touched' }))
      expect((await names({ sort: 'updated' }))[0]).toBe('Alpha auth')
      expect((await names({ sort: 'updated', direction: 'asc' })).at(-1)).toBe('Alpha auth')
      expect((await names({ sort: 'updated', search: 'a' }))[0]).toBe('Alpha auth')
    })

    it('searches name, URL, Client ID, Identifier, method and tags, ignoring case', async () => {
      expect(await names({ search: 'BILLING' })).toEqual(['beta billing'])
      expect(await names({ search: 'github.com' })).toEqual(['gamma GitHub'])
      expect(await names({ search: 'auth-9' })).toEqual(['Alpha auth'])
      expect(await names({ search: 'hooks' })).toEqual(['Delta webhooks'])
      expect(await names({ search: 'put' })).toEqual(['Delta webhooks'])
      expect(await names({ search: 'finance' })).toEqual(['beta billing'])
      expect(await names({ search: 'ex' })).toEqual(['Alpha auth', 'beta billing'])
    })

    it('needs every word of the search to match, and finds nothing for a miss', async () => {
      expect(await names({ search: 'example  prod' })).toEqual(['beta billing'])
      expect(await names({ search: 'zzqx' })).toEqual([])
      expect((await secrets.list({ search: 'zzqx' })).total).toBe(0)
    })

    it('never searches the client secret or the notes', async () => {
      expect(await names({ search: 'TOPSECRET' })).toEqual([])
      expect(await names({ search: 'searchable-notes' })).toEqual([])
    })

    it('filters by tag ignoring case, alone or with a search', async () => {
      expect(await names({ tag: 'prod' })).toEqual(['beta billing', 'gamma GitHub'])
      expect(await names({ tag: 'Prod', search: 'git' })).toEqual(['gamma GitHub'])
      expect(await names({ tag: 'none-such' })).toEqual([])
    })

    it('lists the tags in use with their counts', async () => {
      expect(await secrets.tags()).toEqual([
        { tag: 'ci', count: 1 },
        { tag: 'Finance', count: 1 },
        { tag: 'prod', count: 2 },
        { tag: 'staging', count: 1 },
      ])
    })

    it('reflects adds, edits and deletes in search at once', async () => {
      expect(await names({ search: 'zeta' })).toEqual([])
      const zeta = await secrets.add(secretOf({ name: 'Zeta', identifier: 'zeta' }))
      expect(await names({ search: 'zeta' })).toEqual(['Zeta'])
      await secrets.edit(edit({ id: zeta.id, name: 'Omega' }))
      expect(await names({ search: 'zeta' })).toEqual(['Omega'])
      expect(await names({ search: 'omega' })).toEqual(['Omega'])
      expect(await names({ search: 'a' })).toEqual(['Alpha auth', 'beta billing', 'Delta webhooks', 'gamma GitHub', 'Omega'])
      await secrets.remove(zeta.id)
      expect(await names({ search: 'omega' })).toEqual([])
    })

    it('sees changes another Keyhold process saved, once this one saves on top of them', async () => {
      expect(await names({ search: 'example' })).toEqual(['Alpha auth', 'beta billing'])
      const other = createServices({ vaultPath: ctx.path, keyStore: new MemoryKeyStore() })
      await other.vault.unlock({ password: PASSWORD })
      await other.secrets.add(secretOf({ name: 'From elsewhere', url: 'https://elsewhere.example.com', identifier: 'elsewhere' }))
      other.vault.lock()
      await secrets.add(secretOf({ name: 'Local example', identifier: 'local' }))
      expect(await names({ search: 'example' })).toEqual(['Alpha auth', 'beta billing', 'From elsewhere', 'Local example'])
    })

    it('never carries a client secret in a page', async () => {
      const page = await secrets.list({ search: 'a' })
      expect(JSON.stringify(page)).not.toContain('TOPSECRET')
      expect(page.items.every((s) => !('clientSecret' in s))).toBe(true)
    })
  })

  describe('reveal and copy', () => {
    let id: SecretId

    beforeEach(async () => {
      id = (await secrets.add(secretOf())).id
    })

    it('reveals only the client secret of one API secret', () => {
      expect(secrets.reveal(id)).toEqual({ clientSecret: 'sk_live_TOPSECRET_1' })
    })

    it('says NOT_FOUND for an unknown id', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000' as SecretId
      expect(await codeOf(() => secrets.reveal(unknown))).toBe('NOT_FOUND')
      expect(await codeOf(() => secrets.copy(unknown, 'clientId'))).toBe('NOT_FOUND')
      expect(await codeOf(() => secrets.get(unknown))).toBe('NOT_FOUND')
    })

    it('copies the Client ID and the client secret, and clears the clipboard after 30 seconds', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      expect(await secrets.copy(id, 'clientId')).toEqual({ clearsAfterMs: 30_000 })
      expect(await ctx.clipboard.readText()).toBe('ci_live_123')
      await secrets.copy(id, 'clientSecret')
      expect(await ctx.clipboard.readText()).toBe('sk_live_TOPSECRET_1')
      await vi.advanceTimersByTimeAsync(29_999)
      expect(await ctx.clipboard.readText()).toBe('sk_live_TOPSECRET_1')
      await vi.advanceTimersByTimeAsync(1)
      expect(await ctx.clipboard.readText()).toBe('')
    })

    it('leaves the clipboard alone if it holds something else by then', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      await secrets.copy(id, 'clientSecret')
      await ctx.clipboard.writeText('something the person copied since')
      await vi.advanceTimersByTimeAsync(30_000)
      expect(await ctx.clipboard.readText()).toBe('something the person copied since')
    })

    it('restarts the delay on each copy', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      await secrets.copy(id, 'clientSecret')
      await vi.advanceTimersByTimeAsync(20_000)
      await secrets.copy(id, 'clientId')
      await vi.advanceTimersByTimeAsync(20_000)
      expect(await ctx.clipboard.readText()).toBe('ci_live_123')
      await vi.advanceTimersByTimeAsync(10_000)
      expect(await ctx.clipboard.readText()).toBe('')
    })

    it('takes the copy off the clipboard when the vault locks', async () => {
      await secrets.copy(id, 'clientSecret')
      ctx.services.vault.lock()
      await ctx.services.vault.locked()
      expect(await ctx.clipboard.readText()).toBe('')
    })

    it('refuses to copy a client secret that is not there', async () => {
      const bare = await secrets.add(secretOf({ identifier: 'bare', clientSecret: null }))
      const error = await errorOf(() => secrets.copy(bare.id, 'clientSecret'))
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no client secret/) })
      expect(await ctx.clipboard.readText()).toBe('')
    })

    it('waits as long as configured', async () => {
      const short = await secretsFixture({ clipboardClearMs: 5_000 })
      try {
        const added = await short.services.secrets.add(secretOf())
        vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
        expect(await short.services.secrets.copy(added.id, 'clientSecret')).toEqual({ clearsAfterMs: 5_000 })
        await vi.advanceTimersByTimeAsync(5_000)
        expect(await short.clipboard.readText()).toBe('')
      } finally {
        short.cleanup()
      }
    })
  })

  describe('editing', () => {
    it('changes the given fields, keeps the others, and stamps the update time', async () => {
      const added = await secrets.add(secretOf())
      ctx.clock.advance(5_000)
      const edited = await secrets.edit(edit({ id: added.id, name: 'Stripe (EU)', tags: ['eu'], method: 'get' }))
      expect(edited).toEqual({
        ...added,
        name: 'Stripe (EU)',
        tags: ['eu'],
        method: 'GET',
        updatedAt: '2026-01-01T12:00:05.000Z',
      })
      expect(secrets.get(added.id)).toEqual(edited)
      expect(secrets.reveal(added.id).clientSecret).toBe('sk_live_TOPSECRET_1')
    })

    it('clears optional fields given as null or empty', async () => {
      const added = await secrets.add(secretOf())
      const edited = await secrets.edit(edit({ id: added.id, identifier: '', method: null, clientSecret: null, tags: [], notes: '' }))
      expect(edited).toMatchObject({ identifier: null, method: null, hasClientSecret: false, tags: [], notes: '' })
      expect(secrets.reveal(added.id).clientSecret).toBeNull()
    })

    it('replaces the client secret', async () => {
      const added = await secrets.add(secretOf())
      await secrets.edit(edit({ id: added.id, clientSecret: 'rotated-2' }))
      expect(secrets.reveal(added.id).clientSecret).toBe('rotated-2')
    })

    it('says NOT_FOUND for an unknown id and saves nothing', async () => {
      const before = sha(ctx.path)
      expect(await codeOf(secrets.edit(edit({ id: '00000000-0000-4000-8000-000000000000', name: 'x' })))).toBe('NOT_FOUND')
      expect(sha(ctx.path)).toBe(before)
    })
  })

  describe('deleting', () => {
    it('removes the API secret, and a second delete says NOT_FOUND', async () => {
      const added = await secrets.add(secretOf())
      await secrets.remove(added.id)
      expect((await secrets.list()).total).toBe(0)
      expect(await codeOf(() => secrets.get(added.id))).toBe('NOT_FOUND')
      expect(await codeOf(secrets.remove(added.id))).toBe('NOT_FOUND')
    })

    it('leaves no trace of the deleted values in the saved image', async () => {
      const canary = 'CANARY-secret-9f2e71'
      const added = await secrets.add(secretOf({ name: 'Canary name 51d3', clientSecret: canary, notes: 'canary notes 7a1' }))
      await secrets.add(secretOf({ identifier: 'keep', notes: 'x'.repeat(3000) }))
      expect((await decryptImage(ctx.path, PASSWORD)).includes(canary)).toBe(true)
      await secrets.remove(added.id)
      const image = await decryptImage(ctx.path, PASSWORD)
      for (const value of [canary, 'Canary name 51d3', 'canary notes 7a1']) expect(image.includes(value)).toBe(false)
    })
  })

  describe('when locked', () => {
    it('says VAULT_LOCKED for everything and keeps no index', async () => {
      const added = await secrets.add(secretOf())
      await secrets.list({ search: 'stripe' })
      ctx.services.vault.lock()
      expect(await codeOf(secrets.list())).toBe('VAULT_LOCKED')
      expect(await codeOf(secrets.list({ search: 'stripe' }))).toBe('VAULT_LOCKED')
      expect(await codeOf(secrets.tags())).toBe('VAULT_LOCKED')
      expect(await codeOf(() => secrets.get(added.id))).toBe('VAULT_LOCKED')
      expect(await codeOf(() => secrets.reveal(added.id))).toBe('VAULT_LOCKED')
      expect(await codeOf(() => secrets.copy(added.id, 'clientId'))).toBe('VAULT_LOCKED')
      expect(await codeOf(secrets.add(secretOf({ identifier: 'later' })))).toBe('VAULT_LOCKED')
      expect(await codeOf(secrets.remove(added.id))).toBe('VAULT_LOCKED')
      expect((secrets as unknown as { index: { size: number } }).index.size).toBe(0)
    })
  })
})
