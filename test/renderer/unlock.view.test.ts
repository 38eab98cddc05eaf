import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import UnlockView from '../../src-renderer/views/UnlockView.vue'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

describe('UnlockView', () => {
  let wrapper: VueWrapper
  afterEach(() => wrapper.unmount())

  async function open(fake: FakeVault): Promise<void> {
    ;({ wrapper } = await mountWith(fake.api(), { component: UnlockView, path: '/unlock' }))
  }
  const passwordInput = () => wrapper.get('input[type="password"]')
  /** Clicks Unlock as a person would, so the focus moves to the button first. */
  async function clickUnlock(): Promise<void> {
    const submit = wrapper.get('button[type="submit"]')
    ;(submit.element as HTMLButtonElement).focus()
    await submit.trigger('click')
    await flushPromises()
  }
  const deviceButton = () => wrapper.findAll('button').find((b) => b.text().includes('Unlock with this device'))

  it('keeps the typed password and the focus when the password is wrong', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    await open(fake)
    await passwordInput().setValue('correct horse battery stapel')
    await clickUnlock()
    expect(wrapper.get('[role="alert"]').text()).toContain('That master password is not correct')
    expect((passwordInput().element as HTMLInputElement).value).toBe('correct horse battery stapel')
    expect(document.activeElement).toBe(passwordInput().element)
    expect(passwordInput().attributes('aria-invalid')).toBe('true')
    expect(useVaultStore().state).toBe('locked')
  })

  it('unlocks with the right password', async () => {
    const fake = new FakeVault().existing(PASSWORD)
    await open(fake)
    await passwordInput().setValue(PASSWORD)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(useVaultStore().state).toBe('unlocked')
    expect(fake.calls.at(-1)).toEqual({ method: 'vaultUnlock', input: { password: PASSWORD, rememberOnDevice: false } })
  })

  it('offers "Unlock with this device" only when the device is remembered', async () => {
    await open(new FakeVault().existing(PASSWORD))
    expect(deviceButton()).toBeUndefined()
    wrapper.unmount()
    const fake = new FakeVault().existing(PASSWORD, { remembered: true })
    await open(fake)
    await deviceButton()!.trigger('click')
    await flushPromises()
    expect(fake.count('vaultUnlockWithDevice')).toBe(1)
    expect(useVaultStore().state).toBe('unlocked')
  })

  it('falls back to the password form when the keychain is unavailable', async () => {
    const fake = new FakeVault().existing(PASSWORD, { remembered: true })
    fake.keychainBroken = true
    await open(fake)
    ;(deviceButton()!.element as HTMLButtonElement).focus()
    await deviceButton()!.trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toContain('The system keychain is not available')
    expect(deviceButton()).toBeUndefined()
    expect(document.activeElement).toBe(passwordInput().element)
    await passwordInput().setValue(PASSWORD)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(useVaultStore().state).toBe('unlocked')
  })
})
