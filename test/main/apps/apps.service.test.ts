import { toBase64Url } from '../../../src-shared/local-access/frames'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseCode } from '../../../src-shared/apps/authorization-code'
import { parsePairingUri } from '../../../src-shared/apps/pairing-uri'
import type { AppCreated, AppId, AppSummary } from '../../../src-shared/types/apps'
import type { Services } from '../../../src-main/core/services'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { FakeClock, PASSWORD, unlockedServices } from '../../support/vault'

const HOUR = 3_600_000
const at = (clock: FakeClock, ms: number) => new Date(clock.now() + ms).toISOString()

describe('AppsService', () => {
  let services: Services
  let dispatch: Dispatch
  let clock: FakeClock
  let cleanup: () => void

  beforeEach(async () => {
    clock = new FakeClock()
    ;({ services, cleanup } = await unlockedServices({ clock }))
    dispatch = createAppDispatch(services)
  })
  afterEach(() => cleanup())

  const create = async (input: Record<string, unknown>): Promise<AppCreated> => {
    const result = await dispatch('apps:create', input)
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
    return result.value as AppCreated
  }

  describe('create', () => {
    it('registers an application as pending and returns its key once as code, URI and QR', async () => {
      const created = await create({ name: '  My phone ', type: 'mobile', expiresAt: at(clock, 24 * HOUR) })
      expect(created.app).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'My phone',
        type: 'mobile',
        createdAt: '2026-01-01T12:00:00.000Z',
        updatedAt: '2026-01-01T12:00:00.000Z',
        expiresAt: '2026-01-02T12:00:00.000Z',
        lastUsedAt: null,
        revokedAt: null,
        status: 'pending',
      })
      expect(parseCode(created.code)).toMatchObject({ ok: true, code: created.code })
      expect(parsePairingUri(created.uri)).toEqual({
        ok: true,
        value: {
          version: 1,
          vaultId: services.vault.vault().id,
          appId: created.app.id,
          code: created.code,
          expiresAt: '2026-01-02T12:00:00.000Z',
          desktopKey: toBase64Url(services.pairings.desktopKey().publicKey),
        },
      })
      expect(created.qr).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/)
      expect(services.apps.list()).toEqual([created.app])
    })

    it('accepts no expiration: the key lasts until revoked', async () => {
      const created = await create({ name: 'Browser', type: 'extension' })
      expect(created.app).toMatchObject({ type: 'extension', expiresAt: null, status: 'pending' })
      expect(parsePairingUri(created.uri)).toMatchObject({ ok: true, value: { expiresAt: null } })
      clock.advance(10 * 365 * 24 * HOUR)
      expect(services.apps.get(created.app.id).status).toBe('pending')
    })

    it('generates a different key and id every time', async () => {
      const keys = new Set<string>()
      const ids = new Set<string>()
      for (let i = 0; i < 5; i++) {
        const created = await create({ name: `App ${i}`, type: 'mobile' })
        keys.add(created.code)
        ids.add(created.app.id)
      }
      expect(keys.size).toBe(5)
      expect(ids.size).toBe(5)
    })

    it('stores the application durably: it is there after locking and unlocking', async () => {
      const created = await create({ name: 'Phone', type: 'mobile' })
      services.vault.lock()
      await services.vault.unlock({ password: PASSWORD })
      expect(services.apps.list()).toEqual([created.app])
    })

    it.each([
      [{ type: 'mobile' }, /name has the wrong type/],
      [{ name: '   ', type: 'mobile' }, /The name is mandatory/],
      [{ name: 'x'.repeat(101), type: 'mobile' }, /at most 100 characters/],
      [{ name: 'Phone\nsecond line', type: 'mobile' }, /single line without control characters/],
      [{ name: 'Phone\u2028second line', type: 'mobile' }, /single line without control characters/],
      [{ name: 'Ph\u0007one', type: 'mobile' }, /single line without control characters/],
      [{ name: 'Phone' }, /type has the wrong type|application type is mandatory/],
      [{ name: 'Phone', type: 'desktop' }, /The application type is mandatory: choose Mobile app/],
      [{ name: 'Phone', type: 'mobile', expiresAt: 'next week' }, /ISO-8601/],
      [{ name: 'Phone', type: 'mobile', expiresAt: '2027-01-01T00:00:00' }, /with a time zone/],
      [{ name: 'Phone', type: 'mobile', expiresAt: 'x'.repeat(41) }, /ISO-8601/],
      [{ name: 'Phone', type: 'mobile', code: 'MYOWN-KEY' }, /unexpected field "code"/],
    ])('refuses %j with INVALID_INPUT and stores nothing', async (input, message) => {
      const result = await dispatch('apps:create', input)
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(message) } })
      expect(services.apps.list('all')).toEqual([])
    })

    it('refuses an expiration in the past or right now, and accepts one a millisecond ahead', async () => {
      for (const expiresAt of [at(clock, -HOUR), at(clock, 0)]) {
        const result = await dispatch('apps:create', { name: 'Phone', type: 'mobile', expiresAt })
        expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/in the past/) } })
      }
      expect(services.apps.list('all')).toEqual([])
      expect((await create({ name: 'Phone', type: 'mobile', expiresAt: at(clock, 1) })).app.status).toBe('pending')
    })

    it('refuses to work on a locked vault', async () => {
      services.vault.lock()
      expect(await dispatch('apps:create', { name: 'Phone', type: 'mobile' })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
      expect(await dispatch('apps:list', {})).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
    })
  })

  describe('status follows the clock', () => {
    it('is pending until the instant before expiration and expired from that instant on', async () => {
      const { app } = await create({ name: 'Phone', type: 'mobile', expiresAt: at(clock, HOUR) })
      clock.advance(HOUR - 1)
      expect(services.apps.get(app.id).status).toBe('pending')
      clock.advance(1)
      expect(services.apps.get(app.id).status).toBe('expired')
    })

    it('is active once the key was used, and still expires on time', async () => {
      const created = await create({ name: 'Phone', type: 'mobile', expiresAt: at(clock, HOUR) })
      clock.advance(10 * 60_000)
      const used = await services.apps.recordUse(created.app.id, created.code)
      expect(used).toMatchObject({ status: 'active', lastUsedAt: '2026-01-01T12:10:00.000Z' })
      expect(services.apps.get(created.app.id)).toMatchObject({ status: 'active', lastUsedAt: '2026-01-01T12:10:00.000Z' })
      clock.advance(50 * 60_000 - 1)
      expect(services.apps.get(created.app.id).status).toBe('active')
      clock.advance(1)
      expect(services.apps.get(created.app.id).status).toBe('expired')
    })

    it('lists pending and active by default, expired and revoked under the inactive filter, all under all', async () => {
      const pending = (await create({ name: 'Pending', type: 'mobile' })).app
      clock.advance(1000)
      const active = await create({ name: 'Active', type: 'extension' })
      await services.apps.recordUse(active.app.id, active.code)
      clock.advance(1000)
      const expiring = (await create({ name: 'Expiring', type: 'mobile', expiresAt: at(clock, HOUR) })).app
      clock.advance(1000)
      const revoked = (await create({ name: 'Revoked', type: 'mobile' })).app
      await services.apps.revoke(revoked.id)
      clock.advance(HOUR)
      const names = (filter?: string) =>
        dispatch('apps:list', filter ? { filter } : {}).then((r) => (r.ok ? (r.value as AppSummary[]).map((a) => `${a.name}:${a.status}`) : r.error.code))
      expect(await names()).toEqual(['Active:active', 'Pending:pending'])
      expect(await names('current')).toEqual(['Active:active', 'Pending:pending'])
      expect(await names('inactive')).toEqual(['Revoked:revoked', 'Expiring:expired'])
      expect(await names('all')).toEqual(['Revoked:revoked', 'Expiring:expired', 'Active:active', 'Pending:pending'])
      expect(await names('everything')).toBe('INVALID_INPUT')
      expect([pending.status, expiring.status]).toEqual(['pending', 'pending'])
    })
  })

  describe('edit', () => {
    it('changes the name and the expiration only, and records when', async () => {
      const created = await create({ name: 'Phone', type: 'mobile' })
      clock.advance(60_000)
      const result = await dispatch('apps:edit', { id: created.app.id, name: 'Work phone', expiresAt: at(clock, HOUR) })
      expect(result).toMatchObject({
        ok: true,
        value: { name: 'Work phone', type: 'mobile', expiresAt: '2026-01-01T13:01:00.000Z', updatedAt: '2026-01-01T12:01:00.000Z', createdAt: '2026-01-01T12:00:00.000Z' },
      })
      expect(await dispatch('apps:edit', { id: created.app.id, type: 'extension' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
      const removed = await dispatch('apps:edit', { id: created.app.id, expiresAt: null })
      expect(removed).toMatchObject({ ok: true, value: { name: 'Work phone', expiresAt: null } })
      // The key is unchanged by edits.
      expect(await services.apps.recordUse(created.app.id, created.code)).toMatchObject({ status: 'active' })
    })

    it('refuses an expiration in the past, but keeps an already passed one when only the name changes', async () => {
      const { app } = await create({ name: 'Phone', type: 'mobile', expiresAt: at(clock, HOUR) })
      expect(await dispatch('apps:edit', { id: app.id, expiresAt: at(clock, -1) })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: expect.stringMatching(/in the past/) },
      })
      clock.advance(2 * HOUR)
      expect(await dispatch('apps:edit', { id: app.id, name: 'Old phone', expiresAt: app.expiresAt })).toMatchObject({
        ok: true,
        value: { name: 'Old phone', status: 'expired' },
      })
    })

    it('never makes an expired key valid again: a new expiration or none is refused in the screen\'s words, and nothing changes', async () => {
      const { app } = await create({ name: 'Phone', type: 'mobile', expiresAt: at(clock, HOUR) })
      clock.advance(2 * HOUR)
      for (const expiresAt of [at(clock, HOUR), null])
        expect(await dispatch('apps:edit', { id: app.id, name: 'Back', expiresAt })).toMatchObject({
          ok: false,
          error: { code: 'CONFLICT', message: '"Phone" has expired, which is final, so its expiration cannot be changed. Create a new key with + New key instead.' },
        })
      expect(services.apps.get(app.id)).toMatchObject({ name: 'Phone', expiresAt: app.expiresAt, updatedAt: app.updatedAt, status: 'expired' })
    })

    it('refuses an empty change, an unknown id and a malformed id', async () => {
      const { app } = await create({ name: 'Phone', type: 'mobile' })
      expect(await dispatch('apps:edit', { id: app.id })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/Nothing to change/) } })
      expect(await dispatch('apps:edit', { id: '00000000-0000-4000-8000-000000000000', name: 'X' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
      expect(await dispatch('apps:edit', { id: 'nope', name: 'X' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
      expect(services.apps.get(app.id).name).toBe('Phone')
    })
  })

  describe('revoke', () => {
    it('is final: records when, refuses a second revoke, edits and the key', async () => {
      const created = await create({ name: 'Phone', type: 'mobile' })
      clock.advance(5 * 60_000)
      const revoked = await dispatch('apps:revoke', { id: created.app.id })
      expect(revoked).toMatchObject({ ok: true, value: { status: 'revoked', revokedAt: '2026-01-01T12:05:00.000Z' } })
      clock.advance(60_000)
      expect(await dispatch('apps:revoke', { id: created.app.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
      expect(await dispatch('apps:edit', { id: created.app.id, name: 'Back' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
      expect(await dispatch('apps:edit', { id: created.app.id, expiresAt: null })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
      await expect(services.apps.recordUse(created.app.id, created.code)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/revoked/) })
      expect(services.apps.get(created.app.id)).toMatchObject({ status: 'revoked', revokedAt: '2026-01-01T12:05:00.000Z', name: 'Phone', lastUsedAt: null })
    })

    it('refuses an unknown id with NOT_FOUND', async () => {
      expect(await dispatch('apps:revoke', { id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    })
  })

  describe('recordUse (for device pairing)', () => {
    it('accepts the key as typed by a person, and refuses a wrong key, another app\'s key or an unknown app alike', async () => {
      const phone = await create({ name: 'Phone', type: 'mobile' })
      const browser = await create({ name: 'Browser', type: 'extension' })
      const typed = phone.code.toLowerCase().replace(/-/g, ' ')
      expect(await services.apps.recordUse(phone.app.id, typed)).toMatchObject({ status: 'active' })
      const refusals = await Promise.all(
        [
          services.apps.recordUse(phone.app.id, browser.code),
          services.apps.recordUse(browser.app.id, phone.code),
          services.apps.recordUse('00000000-0000-4000-8000-000000000000', phone.code),
          services.apps.recordUse(phone.app.id, 'not a code'),
        ].map((p) => p.then(() => null, (e: { code: string; message: string }) => `${e.code}: ${e.message}`)),
      )
      expect(new Set(refusals).size).toBe(1)
      expect(refusals[0]).toMatch(/^FORBIDDEN: /)
      expect(services.apps.get(browser.app.id).status).toBe('pending')
    })

    it('refuses an expired key and leaves last used alone', async () => {
      const created = await create({ name: 'Phone', type: 'mobile', expiresAt: at(clock, HOUR) })
      clock.advance(HOUR)
      await expect(services.apps.recordUse(created.app.id, created.code)).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/expired/) })
      expect(services.apps.get(created.app.id)).toMatchObject({ status: 'expired', lastUsedAt: null })
    })
  })

  it('counts applications for keyhold info', async () => {
    await create({ name: 'A', type: 'mobile' })
    const { app } = await create({ name: 'B', type: 'extension' })
    await services.apps.revoke(app.id as AppId)
    expect(services.apps.count()).toBe(2)
  })
})
