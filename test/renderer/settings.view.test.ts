import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import SettingsView from '../../src-renderer/views/SettingsView.vue'
import type { Settings } from '../../src-shared/types/settings'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'
const NEXT = 'a brand new long passphrase'

describe('SettingsView', () => {
  let fake: FakeVault
  let wrapper: VueWrapper
  let stored: Settings
  let updates: Settings[]

  beforeEach(async () => {
    fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    fake.autoLockMs = 10 * 60_000
    stored = { clipboardClearSeconds: 30 }
    updates = []
    const api = fake.api({
      settingsGet: async () => ({ ok: true, value: stored }),
      settingsUpdate: async (input) => {
        updates.push(input)
        stored = { ...input }
        return { ok: true, value: stored }
      },
    })
    ;({ wrapper } = await mountWith(api, { component: SettingsView, path: '/settings' }))
    await useVaultStore().refresh()
    await flushPromises()
  })
  afterEach(() => wrapper.unmount())

  const input = (name: string) => wrapper.get(`input[name="${name}"]`)
  async function change(current: string, next: string, confirm: string): Promise<void> {
    await input('current').setValue(current)
    await input('next').setValue(next)
    await input('confirm').setValue(confirm)
    await wrapper.get('form[aria-labelledby="settings-change"]').trigger('submit')
    await flushPromises()
  }

  it('shows the auto-lock minutes', () => {
    expect(wrapper.text()).toContain('Locks after 10 minutes without activity')
  })

  it('refuses a new password typed differently twice', async () => {
    await change(PASSWORD, NEXT, `${NEXT}!`)
    expect(wrapper.get('[role="alert"]').text()).toContain('do not match')
    expect(fake.count('vaultChangePassword')).toBe(0)
  })

  it('reports a wrong current password on that field', async () => {
    await change('not the current one', NEXT, NEXT)
    expect(wrapper.get('#settings-change-current-error').text()).toContain('That master password is not correct')
    expect(document.activeElement).toBe(input('current').element)
    expect(input('current').attributes('aria-invalid')).toBe('true')
    expect(input('current').attributes('aria-describedby')).toBe('settings-change-current-error')
    expect(fake.password).toBe(PASSWORD)
  })

  it('changes the password and clears the form', async () => {
    await change(PASSWORD, NEXT, NEXT)
    expect(fake.password).toBe(NEXT)
    expect(wrapper.get('[role="status"]').text()).toContain('Master password changed')
    expect((input('next').element as HTMLInputElement).value).toBe('')
  })

  describe('clipboard delay', () => {
    const seconds = () => wrapper.get('input[name="clipboardClearSeconds"]')
    async function save(value: string): Promise<void> {
      await seconds().setValue(value)
      await wrapper.get('form[aria-labelledby="settings-clipboard"]').trigger('submit')
      await flushPromises()
    }

    it("shows the vault's current delay", () => {
      expect((seconds().element as HTMLInputElement).value).toBe('30')
    })

    it.each(['4', '601', '12.5', ''])('refuses %j next to the field, focuses it and saves nothing', async (value) => {
      await save(value)
      expect(wrapper.get('#settings-clear-error').text()).toBe('Enter a whole number of seconds from 5 to 600 (10 minutes).')
      expect(seconds().attributes('aria-invalid')).toBe('true')
      expect(document.activeElement).toBe(seconds().element)
      expect(updates).toEqual([])
    })

    it('saves a new delay and says so', async () => {
      await save('120')
      expect(updates).toEqual([{ clipboardClearSeconds: 120 }])
      expect(wrapper.get('[role="status"]').text()).toBe('Settings saved. Copies are cleared from the clipboard after 2 minutes.')
      expect(wrapper.find('#settings-clear-error').exists()).toBe(false)
    })
  })
})
