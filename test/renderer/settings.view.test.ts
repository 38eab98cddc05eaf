import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import SettingsView from '../../src-renderer/views/SettingsView.vue'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'
const NEXT = 'a brand new long passphrase'

describe('SettingsView', () => {
  let fake: FakeVault
  let wrapper: VueWrapper

  beforeEach(async () => {
    fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    fake.autoLockMs = 10 * 60_000
    ;({ wrapper } = await mountWith(fake.api(), { component: SettingsView, path: '/settings' }))
    await useVaultStore().refresh()
  })
  afterEach(() => wrapper.unmount())

  const input = (name: string) => wrapper.get(`input[name="${name}"]`)
  async function change(current: string, next: string, confirm: string): Promise<void> {
    await input('current').setValue(current)
    await input('next').setValue(next)
    await input('confirm').setValue(confirm)
    await wrapper.get('form').trigger('submit')
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
    expect(wrapper.get('[role="alert"]').text()).toContain('That master password is not correct')
    expect(document.activeElement).toBe(input('current').element)
    expect(input('current').attributes('aria-invalid')).toBe('true')
    expect(fake.password).toBe(PASSWORD)
  })

  it('changes the password and clears the form', async () => {
    await change(PASSWORD, NEXT, NEXT)
    expect(fake.password).toBe(NEXT)
    expect(wrapper.get('[role="status"]').text()).toContain('Master password changed')
    expect((input('next').element as HTMLInputElement).value).toBe('')
  })
})
