import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { setClient } from '../../src-renderer/api/client'
import { PAGE_SIZE, useSecretsStore } from '../../src-renderer/stores/secrets.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import { FakeVault } from './fake-api'
import { FakeSecrets } from './secrets.fake'

const PASSWORD = 'correct horse battery staple'

describe('useSecretsStore', () => {
  let fake: FakeVault
  let secrets: FakeSecrets

  beforeEach(async () => {
    fake = new FakeVault().existing(PASSWORD)
    secrets = new FakeSecrets().add(120, (i) => ({
      name: `${['Stripe', 'GitHub', 'Slack'][i % 3]} ${String(i).padStart(3, '0')}`,
      tags: i % 10 === 0 ? ['prod'] : ['dev'],
    }))
    setClient(fake.api(secrets.api()))
    setActivePinia(createPinia())
    await useVaultStore().unlock({ password: PASSWORD })
  })

  it('loads one page of at most PAGE_SIZE rows, and pages through the total', async () => {
    const store = useSecretsStore()
    await store.refresh()
    expect(store.items).toHaveLength(PAGE_SIZE)
    expect(store.total).toBe(120)
    expect(store.pages).toBe(3)
    expect(secrets.listCalls.at(-1)).toMatchObject({ offset: 0, limit: PAGE_SIZE, sort: 'name', direction: 'asc' })
    await store.goToPage(3)
    expect(store.items).toHaveLength(20)
    expect(store.page).toBe(3)
    expect(store.tags).toEqual(expect.arrayContaining([{ tag: 'prod', count: 12 }, { tag: 'dev', count: 108 }]))
  })

  it('searches from the first page and keeps only the answer to the latest request', async () => {
    const store = useSecretsStore()
    await store.refresh()
    await store.goToPage(2)
    secrets.hold = true
    const slow = store.setSearch('s')
    const fast = store.setSearch('stripe')
    secrets.release()
    await Promise.all([slow, fast])
    expect(secrets.listCalls.at(-1)).toMatchObject({ search: 'stripe', offset: 0 })
    expect(store.total).toBe(40)
    expect(store.items.every((s) => s.name.startsWith('Stripe'))).toBe(true)
    expect(store.filtered).toBe(true)
  })

  it('filters by tag, combines it with the search, and sorts (the same column again reverses)', async () => {
    const store = useSecretsStore()
    await store.refresh()
    await store.setTag('prod')
    expect(store.total).toBe(12)
    expect(secrets.listCalls.at(-1)).toMatchObject({ tag: 'prod' })
    await store.setSearch('github')
    expect(store.items.map((s) => s.name)).toEqual(['GitHub 010', 'GitHub 040', 'GitHub 070', 'GitHub 100'])
    await store.sortBy('name')
    expect(store.direction).toBe('desc')
    expect(store.items[0]!.name).toBe('GitHub 100')
    await store.sortBy('updated')
    expect(secrets.listCalls.at(-1)).toMatchObject({ sort: 'updated', direction: 'desc', offset: 0 })
  })

  it('never keeps a client secret: list rows carry none, and reveal hands it to the caller only', async () => {
    const store = useSecretsStore()
    await store.refresh()
    expect(store.items[0]!.name).toBe('GitHub 001')
    expect(store.items[0]).not.toHaveProperty('clientSecret')
    const shown = await store.reveal(store.items[0]!.id)
    expect(shown).toEqual({ ok: true, value: { clientSecret: 'SECRET-1' } })
    expect(JSON.stringify(store.$state)).not.toContain('SECRET-')
  })

  it('forgets everything it loaded when the vault locks', async () => {
    const store = useSecretsStore()
    await store.refresh()
    await store.setSearch('slack')
    await store.setTag('dev')
    store.notice = { event: 'saved', tone: 'success' }
    await useVaultStore().lock()
    await flushPromises()
    expect(store.items).toEqual([])
    expect(store.total).toBe(0)
    expect(store.tags).toEqual([])
    expect(store.search).toBe('')
    expect(store.tag).toBe('')
    expect(store.loaded).toBe(false)
    expect(store.notice).toBeNull()
  })
})
