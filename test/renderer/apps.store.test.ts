import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setClient } from '../../src-renderer/api/client'
import { readExpiration, TIMES, toLocalParts } from '../../src-renderer/components/apps/expiration'
import { applyLocale } from '../../src-renderer/i18n'
import { useAppsStore } from '../../src-renderer/stores/apps.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { AppCreated, AppId, AppSummary } from '../../src-shared/types/apps'
import { FakeVault } from './fake-api'

const PASSWORD = 'correct horse battery staple'
const NOW = Date.parse('2026-05-01T10:00:00Z')

const summary = (over: Partial<AppSummary>): AppSummary => ({
  id: 'a' as AppId,
  name: 'Phone',
  type: 'mobile',
  createdAt: '2026-05-01T09:00:00.000Z',
  updatedAt: '2026-05-01T09:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  status: 'pending',
  ...over,
})

describe('useAppsStore', () => {
  let fake: FakeVault
  let apps: AppSummary[]

  beforeEach(async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] })
    apps = [
      summary({ id: 'p' as AppId, name: 'Phone', expiresAt: '2026-05-01T10:30:00.000Z' }),
      summary({ id: 'b' as AppId, name: 'Browser', type: 'extension', status: 'active', lastUsedAt: '2026-05-01T09:30:00.000Z', createdAt: '2026-05-01T08:00:00.000Z' }),
      summary({ id: 'r' as AppId, name: 'Old', status: 'revoked', revokedAt: '2026-04-01T00:00:00.000Z', createdAt: '2026-03-01T00:00:00.000Z' }),
    ]
    fake = new FakeVault().existing(PASSWORD)
    const created: AppCreated = {
      app: summary({ id: 'n' as AppId, name: 'New', createdAt: '2026-05-01T10:00:00.000Z' }),
      code: '0000-0000-0000-0000-0000-0000-0000',
      uri: 'keyhold://pair?v=1',
      qr: 'data:image/png;base64,AAAA',
    }
    setClient(
      fake.api({
        appsList: async () => ({ ok: true, value: apps }),
        appsCreate: async () => ({ ok: true, value: created }),
        appsRevoke: async ({ id }) => ({ ok: true, value: { ...apps.find((a) => a.id === id)!, status: 'revoked', revokedAt: '2026-05-01T10:00:00.000Z' } }),
      }),
    )
    setActivePinia(createPinia())
    await useVaultStore().unlock({ password: PASSWORD })
  })
  afterEach(() => vi.useRealTimers())

  it('lists current apps by default and keeps expired and revoked ones under their filter', async () => {
    const store = useAppsStore()
    await store.load()
    expect(store.filtered('current').map((a) => a.name)).toEqual(['Phone', 'Browser'])
    expect(store.filtered('inactive').map((a) => a.name)).toEqual(['Old'])
    expect(store.counts).toEqual({ current: 2, inactive: 1, all: 3 })
  })

  it('moves an app to expired when its expiration passes on an open page, without asking main', async () => {
    const store = useAppsStore()
    await store.load()
    const calls = fake.calls.length
    vi.setSystemTime(NOW + 30 * 60_000 - 1)
    store.tick()
    expect(store.filtered('current').map((a) => `${a.name}:${a.status}`)).toEqual(['Phone:pending', 'Browser:active'])
    vi.setSystemTime(NOW + 30 * 60_000)
    store.tick()
    expect(store.filtered('inactive').map((a) => `${a.name}:${a.status}`)).toEqual(['Phone:expired', 'Old:revoked'])
    expect(fake.calls.length).toBe(calls)
  })

  it('keeps the summary of a created app but never its key, URI or QR', async () => {
    const store = useAppsStore()
    await store.load()
    const result = await store.create({ name: 'New', type: 'mobile', expiresAt: null })
    expect(result.ok && result.value.code).toBe('0000-0000-0000-0000-0000-0000-0000')
    expect(store.apps[0]).toMatchObject({ name: 'New' })
    expect(JSON.stringify(store.$state)).not.toMatch(/0000-0000|keyhold:\/\/|data:image/)
  })

  it('shows a revoked app under the inactive filter at once', async () => {
    const store = useAppsStore()
    await store.load()
    await store.revoke('b' as AppId)
    expect(store.filtered('inactive').map((a) => a.name)).toEqual(['Browser', 'Old'])
  })

  it('forgets everything when the vault locks', async () => {
    const store = useAppsStore()
    await store.load()
    await useVaultStore().lock()
    expect(store.apps).toEqual([])
    expect(store.loaded).toBe(false)
  })
})

describe('expiration fields', () => {
  beforeEach(() => applyLocale('en'))

  it('offer every half hour of the day', () => {
    expect(TIMES).toHaveLength(48)
    expect(TIMES[0]).toBe('00:00')
    expect(TIMES[19]).toBe('09:30')
    expect(TIMES.at(-1)).toBe('23:30')
  })

  it('read both empty as no expiration, one of them as incomplete, both as a local instant', () => {
    expect(readExpiration('', '')).toEqual({ kind: 'none' })
    expect(readExpiration('2026-06-01', '')).toMatchObject({ kind: 'incomplete', message: 'Choose a time for the expiration date.' })
    expect(readExpiration('', '10:00')).toMatchObject({ kind: 'incomplete' })
    const at = readExpiration('2026-06-01', '10:30')
    expect(at).toMatchObject({ kind: 'at', iso: new Date(2026, 5, 1, 10, 30).toISOString() })
    expect(toLocalParts(at.kind === 'at' ? at.iso : null)).toEqual({ date: '2026-06-01', time: '10:30' })
    expect(toLocalParts(null)).toEqual({ date: '', time: '' })
  })

  it('say what is missing in the language in use when read, not when loaded', () => {
    applyLocale('pt-BR')
    try {
      expect(readExpiration('2026-06-01', '')).toMatchObject({ kind: 'incomplete', message: 'Escolha uma hora para a data de expiração.' })
    } finally {
      applyLocale('en')
    }
    expect(readExpiration('2026-06-01', '')).toMatchObject({ message: 'Choose a time for the expiration date.' })
  })
})
