import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Result } from '../../src-shared/errors'
import type { AppKeyId, AppKeySummary, GeneratedAppKey, Role, RoleId } from '../../src-shared/types/app-keys'
import { setClient } from '../../src-renderer/api/client'
import { useAppKeysStore } from '../../src-renderer/stores/app-keys.store'
import { useReauthStore } from '../../src-renderer/stores/reauth.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'
const TOKEN = 'tok_' + 'A'.repeat(39)

const summary = (key: string, over: Partial<AppKeySummary> = {}): AppKeySummary => ({
  key: key as AppKeyId,
  type: 'internal',
  label: key,
  account: null,
  status: 'active',
  roles: [],
  createdAt: '2026-01-01T12:00:00.000Z',
  lastUsedAt: null,
  hasPublicKey: false,
  ...over,
})
const READER: Role = { id: 'secrets-reader' as RoleId, name: 'API secrets reader', builtin: true, permissions: ['secrets:read'], tags: [], keyCount: 1 }
const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value })
const reauthRequired: Result<never> = {
  ok: false,
  error: { code: 'REAUTH_REQUIRED', message: 'Confirm your master password to manage keys (it is asked again after 5 minutes).' },
}

/** A fake main for app keys: a list, a confirmation window that can lapse, and a call log. */
class FakeKeys extends FakeVault {
  keys: AppKeySummary[] = [
    summary('keyhold-aaaaaa-mine1', { label: 'Backups', roles: [{ id: READER.id, name: READER.name }] }),
    summary('keyhold-aaaaaa-mine2', { label: 'No roles yet' }),
    summary('partner-1', { type: 'external', label: null, account: 'acme', roles: [{ id: READER.id, name: READER.name }] }),
  ]
  confirmed = true
  generated = 0

  keyApi() {
    const guard = <T>(value: () => T): Promise<Result<T>> => (this.confirmed ? ok(value()) : Promise.resolve(reauthRequired))
    return this.api({
      appKeysList: () => ok(this.keys),
      rolesList: () => ok([READER]),
      vaultConfirmPassword: async ({ password }) => {
        if (password !== PASSWORD) return { ok: false, error: { code: 'WRONG_PASSWORD', message: 'That master password is not correct.' } }
        this.confirmed = true
        return { ok: true, value: null }
      },
      appKeysGenerate: (input) =>
        guard<GeneratedAppKey>(() => {
          this.generated++
          const key = summary(`keyhold-aaaaaa-new${this.generated}`, { label: input.label || `keyhold-aaaaaa-new${this.generated}` })
          this.keys = [...this.keys, key]
          return { key, token: TOKEN, copyHandle: 'f'.repeat(32) }
        }),
      appKeysDeactivate: ({ key }) => guard(() => summary(key, { status: 'inactive' })),
    })
  }
}

describe('useAppKeysStore and useReauthStore', () => {
  let fake: FakeKeys

  beforeEach(async () => {
    fake = new FakeKeys().existing(PASSWORD)
    fake.state = 'unlocked'
    setClient(fake.keyApi())
    setActivePinia(createPinia())
    await useVaultStore().refresh()
  })

  it('splits the keys into those with access (Application Keys) and the internal ones (My Keys)', async () => {
    const store = useAppKeysStore()
    await store.load()
    expect(store.withAccess.map((k) => k.key)).toEqual(['keyhold-aaaaaa-mine1', 'partner-1'])
    expect(store.myKeys.map((k) => k.key)).toEqual(['keyhold-aaaaaa-mine1', 'keyhold-aaaaaa-mine2'])
    expect(store.roles).toEqual([READER])
  })

  it('hands the generated token to the caller and never keeps it in the store', async () => {
    const store = useAppKeysStore()
    await store.load()
    const result = await store.generate({ label: 'CI', roleIds: [] })
    expect(result).toMatchObject({ ok: true, value: { token: TOKEN } })
    expect(store.myKeys.map((k) => k.label)).toContain('CI')
    expect(JSON.stringify(store.$state)).not.toContain(TOKEN)
  })

  it('on REAUTH_REQUIRED asks for the password, and retries once it is confirmed', async () => {
    const store = useAppKeysStore()
    const reauth = useReauthStore()
    fake.confirmed = false
    const pending = store.deactivate('keyhold-aaaaaa-mine1' as AppKeyId)
    await flushPromises()
    expect(reauth.pending).toMatch(/Confirm your master password/)
    expect(await reauth.confirm('wrong password')).toMatchObject({ ok: false, error: { code: 'WRONG_PASSWORD' } })
    expect(reauth.pending).not.toBeNull()
    expect(await reauth.confirm(PASSWORD)).toEqual({ ok: true, value: null })
    expect(await pending).toMatchObject({ ok: true, value: { status: 'inactive' } })
    expect(reauth.pending).toBeNull()
  })

  it('returns the REAUTH_REQUIRED answer unchanged when the person cancels', async () => {
    const store = useAppKeysStore()
    const reauth = useReauthStore()
    fake.confirmed = false
    const pending = store.generate({ label: '', roleIds: [] })
    await flushPromises()
    reauth.cancel()
    expect(await pending).toEqual(reauthRequired)
    expect(fake.generated).toBe(0)
  })

  it('forgets the keys and cancels a pending confirmation when the vault locks', async () => {
    const store = useAppKeysStore()
    const reauth = useReauthStore()
    await store.load()
    fake.confirmed = false
    const pending = store.generate({ label: '', roleIds: [] })
    await flushPromises()
    await useVaultStore().lock()
    expect(store.keys).toEqual([])
    expect(reauth.pending).toBeNull()
    expect((await pending).ok).toBe(false)
  })
})

describe('the Application Keys and My Keys pages', () => {
  let wrapper: VueWrapper
  afterEach(() => wrapper.unmount())

  async function open(path: string): Promise<void> {
    const fake = new FakeKeys().existing(PASSWORD)
    fake.state = 'unlocked'
    ;({ wrapper } = await mountWith(fake.keyApi(), { path }))
    await flushPromises()
  }
  const rows = () => wrapper.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()))

  it('Application Keys lists the keys with roles: Key, Account, Status, Roles', async () => {
    await open('/application-keys')
    expect(wrapper.get('h1').text()).toBe('Application Keys')
    expect(wrapper.findAll('thead th').map((th) => th.text())).toEqual(['Key', 'Account', 'Status', 'Roles', 'Actions'])
    expect(rows().map((r) => r.slice(0, 3))).toEqual([
      ['keyhold-aaaaaa-mine1', 'This vault Internal', 'Active'],
      ['partner-1', 'acme Third party No public key: kept for audits, cannot connect', 'Active'],
    ])
    const buttons = wrapper.findAll('button, a.btn').map((b) => b.text())
    expect(buttons).toEqual(expect.arrayContaining(['Manage My Keys', 'Export', 'Add 3rd Party Key']))
  })

  it('My Keys lists the internal keys: Label, Key, Status, with + Generate New', async () => {
    await open('/application-keys/mine')
    expect(wrapper.get('h1').text()).toBe('My Keys')
    expect(wrapper.findAll('thead th').map((th) => th.text()).slice(0, 3)).toEqual(['Label', 'Key', 'Status'])
    expect(rows().map((r) => r.slice(0, 3))).toEqual([
      ['Backups', 'keyhold-aaaaaa-mine1', 'Active'],
      ['No roles yet', 'keyhold-aaaaaa-mine2', 'Active'],
    ])
    expect(wrapper.findAll('button').some((b) => b.text() === 'Generate New')).toBe(true)
  })

  it('is in the user menu as Application Keys', async () => {
    await open('/')
    await wrapper.get('button[aria-haspopup="menu"].user-button').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[role="menuitem"]').map((item) => item.text())).toContain('Application Keys')
  })
})
