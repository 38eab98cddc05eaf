import { flushPromises, type VueWrapper } from '@vue/test-utils'
import type { Router } from 'vue-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { client } from '../../src-renderer/api/client'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

describe('App', () => {
  let wrapper: VueWrapper
  let router: Router
  afterEach(() => {
    wrapper.unmount()
    vi.useRealTimers()
  })

  async function open(fake: FakeVault, path = '/'): Promise<void> {
    ;({ wrapper, router } = await mountWith(fake.api(), { path }))
  }
  const heading = () => wrapper.get('h1').text()
  const button = (text: string) => wrapper.findAll('button').find((b) => b.text() === text)

  it('opens on the create screen when there is no vault', async () => {
    await open(new FakeVault(), '/settings')
    expect(router.currentRoute.value.name).toBe('create')
    expect(heading()).toBe('Create your vault')
  })

  it('opens on the unlock screen when the vault is locked', async () => {
    await open(new FakeVault().existing(PASSWORD))
    expect(router.currentRoute.value.name).toBe('unlock')
  })

  it('goes home after creating the vault, with the menus built from the routes', async () => {
    await open(new FakeVault())
    const [password, confirm] = wrapper.findAll('input[type="password"]')
    await password!.setValue(PASSWORD)
    await confirm!.setValue(PASSWORD)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('home')
    expect(heading()).toBe('Welcome to Keyhold')
    const menu = wrapper.get('nav[aria-label="Main"]')
    const links = menu.findAll('a').map((a) => a.text())
    expect([links[0], links.at(-1)]).toEqual(['Home', 'Settings'])
    expect(menu.get('a[aria-current="page"]').text()).toBe('Home')
  })

  it('goes to the unlock screen when the Lock button is pressed', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    await open(fake)
    await button('Lock')!.trigger('click')
    await flushPromises()
    expect(fake.state).toBe('locked')
    expect(router.currentRoute.value.name).toBe('unlock')
  })

  it('returns to the same screen after a VAULT_LOCKED answer and an unlock', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    await open(fake, '/settings')
    fake.state = 'locked'
    await client.vaultChangePassword({ current: PASSWORD, next: 'another long passphrase' })
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/unlock?next=/settings')
    await wrapper.get('input[type="password"]').setValue(PASSWORD)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('settings')
  })

  it('asks main again when the window gets focus, and follows a lock made there', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    await open(fake)
    fake.state = 'locked'
    window.dispatchEvent(new Event('focus'))
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('unlock')
  })

  it('reports the person typing to main, throttled', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    await open(fake)
    vi.useFakeTimers({ toFake: ['Date'] })
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }))
    expect(fake.count('vaultActivity')).toBe(0)
    vi.setSystemTime(Date.now() + 60_000)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }))
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'b' }))
    expect(fake.count('vaultActivity')).toBe(1)
  })

  it('opens the user menu from the keyboard and locks from it', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    await open(fake)
    const trigger = wrapper.get('button[aria-haspopup="menu"]')
    expect(trigger.text()).toContain('My vault')
    await trigger.trigger('keydown', { key: 'ArrowDown' })
    await flushPromises()
    expect(trigger.attributes('aria-expanded')).toBe('true')
    const items = wrapper.findAll('[role="menuitem"]')
    expect(items.map((i) => i.text()).slice(-2)).toEqual(['Settings', 'Lock'])
    expect(document.activeElement).toBe(items[0]!.element)
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'End' })
    expect(document.activeElement).toBe(items.at(-1)!.element)
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement).toBe(items[0]!.element)
    await wrapper.get('[role="menu"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[role="menu"]').exists()).toBe(false)
    expect(document.activeElement).toBe(trigger.element)
    await trigger.trigger('click')
    await wrapper.findAll('[role="menuitem"]').find((i) => i.text() === 'Lock')!.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('unlock')
  })
})
