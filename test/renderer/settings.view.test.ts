import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import SettingsView from '../../src-renderer/views/SettingsView.vue'
import type { Result } from '../../src-shared/errors'
import type { KeyholdApi } from '../../src-shared/ipc/contract'
import type { Settings, SettingsInput } from '../../src-shared/types/settings'
import type { VaultStatus } from '../../src-shared/types/vault'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'
const NEXT = 'a brand new long passphrase'

describe('SettingsView', () => {
  let fake: FakeVault
  let wrapper: VueWrapper
  let stored: Settings
  let updates: SettingsInput[]
  let api: KeyholdApi
  /** When set, answers vault:rotate-key instead of the fake vault. */
  let rotateAnswer: KeyholdApi['vaultRotateKey'] | undefined

  beforeEach(async () => {
    rotateAnswer = undefined
    fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    fake.autoLockMs = 10 * 60_000
    stored = { clipboardClearSeconds: 30, autoLockMinutes: 10 }
    updates = []
    const vault = fake.api()
    api = fake.api({
      vaultRotateKey: (input) => (rotateAnswer ?? vault.vaultRotateKey)(input),
      settingsGet: async () => ({ ok: true, value: stored }),
      settingsUpdate: async (input) => {
        updates.push(input)
        stored = { ...stored, ...input }
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

  it('says what the asterisk means in the words every form uses', () => {
    const notes = wrapper.findAll('.required-note').map((note) => note.text())
    expect(notes.length).toBeGreaterThanOrEqual(2)
    for (const note of notes) expect(note).toBe('* The items with an asterisk are mandatory.')
  })

  it('shows the auto-lock minutes', () => {
    expect((input('autoLockMinutes').element as HTMLInputElement).value).toBe('10')
  })

  it('saves a new auto-lock delay and says so', async () => {
    await input('autoLockMinutes').setValue('15')
    await wrapper.get('form[aria-labelledby="settings-auto-lock-heading"]').trigger('submit')
    await flushPromises()
    expect(updates).toEqual([{ autoLockMinutes: 15 }])
    expect(wrapper.get('[role="status"]').text()).toBe('Saved. The vault locks after 15 minutes without activity.')
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

  describe('rotate encryption key', () => {
    const password = () => input('rotatePassword')
    const button = () => wrapper.get('form[aria-labelledby="settings-rotate"] button[type="submit"]')
    async function rotate(value: string): Promise<void> {
      await password().setValue(value)
      await wrapper.get('form[aria-labelledby="settings-rotate"]').trigger('submit')
      await flushPromises()
    }

    it('explains what rotating does, under its own heading', () => {
      expect(wrapper.get('#settings-rotate').text()).toBe('Rotate encryption key')
      expect(wrapper.text()).toContain('your master password stays the same')
      expect(button().text()).toBe('Rotate encryption key')
    })

    it('rotates with the master password, says so and clears the field', async () => {
      await rotate(PASSWORD)
      expect(fake.calls.filter((call) => call.method === 'vaultRotateKey').map((call) => call.input)).toEqual([{ password: PASSWORD }])
      expect(wrapper.get('[role="status"]').text()).toContain('Encryption key rotated.')
      expect((password().element as HTMLInputElement).value).toBe('')
      expect(password().attributes('aria-invalid')).toBeUndefined()
      expect(fake.password).toBe(PASSWORD)
    })

    it('shows a wrong password next to the field and focuses it', async () => {
      await rotate('not the master password')
      expect(wrapper.get('#settings-rotate-password-error').text()).toContain('That master password is not correct')
      expect(password().attributes('aria-invalid')).toBe('true')
      expect(password().attributes('aria-describedby')).toBe('settings-rotate-password-error')
      expect(document.activeElement).toBe(password().element)
      expect((password().element as HTMLInputElement).value).toBe('not the master password')
      expect(wrapper.find('[role="status"]').exists()).toBe(false)
    })

    it('refuses an empty password without asking main', async () => {
      await rotate('')
      expect(wrapper.get('#settings-rotate-password-error').text()).toBe('Enter your master password to rotate the key.')
      expect(password().attributes('aria-invalid')).toBe('true')
      expect(document.activeElement).toBe(password().element)
      expect(fake.count('vaultRotateKey')).toBe(0)
    })

    it('says "Rotating key…" on a disabled button while main works', async () => {
      let answer!: (result: Result<VaultStatus>) => void
      rotateAnswer = () => new Promise((resolve) => (answer = resolve))
      await rotate(PASSWORD)
      expect(button().text()).toBe('Rotating key…')
      expect(button().attributes('disabled')).toBeDefined()
      answer({ ok: true, value: fake.status() })
      await flushPromises()
      expect(button().text()).toBe('Rotate encryption key')
      expect(button().attributes('disabled')).toBeUndefined()
    })

    it('shows an error about no field under the form, in words, with the password kept', async () => {
      rotateAnswer = async () => ({ ok: false, error: { code: 'DISK_FULL', message: '' } })
      await rotate(PASSWORD)
      const alert = wrapper.get('form[aria-labelledby="settings-rotate"] .alert-message')
      expect(alert.text()).toBe('The disk is full, so nothing was saved. Free some space and try again.')
      expect(alert.attributes('role')).toBe('alert')
      expect(password().attributes('aria-invalid')).toBeUndefined()
      expect(document.activeElement).toBe(password().element)
      expect((password().element as HTMLInputElement).value).toBe(PASSWORD)
    })

    it('shows, in the app frame too, that this computer is no longer remembered when the keychain failed', async () => {
      const warning = { code: 'KEYCHAIN_UNAVAILABLE' as const, message: 'The system keychain could not take the new device key, so this computer is no longer remembered for this vault: the next unlock needs the master password.' }
      rotateAnswer = async () => ({ ok: true, value: { ...fake.status(), rememberedOnDevice: false, warning } })
      fake.remembered = true
      wrapper.unmount()
      ;({ wrapper } = await mountWith(api, { path: '/settings' }))
      expect(wrapper.text()).toContain('On: this computer can unlock without the password.')
      await rotate(PASSWORD)
      expect(wrapper.get('.notice [role="alert"]').text()).toBe(warning.message)
      expect(wrapper.get('[role="status"]').text()).toContain('This computer is no longer remembered: see the warning at the top.')
      expect(wrapper.text()).toContain('Off: the master password is always asked.')
    })
  })

  describe('clipboard delay', () => {
    const seconds = () => wrapper.get('input[name="clipboardClearSeconds"]')
    const minutes = () => wrapper.get('input[name="clipboardClearMinutes"]')
    async function save(value: string, minutesValue = '0'): Promise<void> {
      await minutes().setValue(minutesValue)
      await seconds().setValue(value)
      await wrapper.get('form[aria-labelledby="settings-clipboard"]').trigger('submit')
      await flushPromises()
    }

    it("shows the vault's current delay", () => {
      expect((minutes().element as HTMLInputElement).value).toBe('0')
      expect((seconds().element as HTMLInputElement).value).toBe('30')
    })

    it.each([['4'], ['60'], ['12.5'], [''], ['1', '10']])('refuses %j seconds next to the field, focuses it and saves nothing', async (value, minutesValue = '0') => {
      await save(value, minutesValue)
      expect(wrapper.get('#settings-clear-error').text()).toBe('Enter a delay from 5 seconds to 10 minutes: whole minutes, and seconds from 0 to 59.')
      expect(seconds().attributes('aria-invalid')).toBe('true')
      expect(document.activeElement).toBe(minutes().element)
      expect(updates).toEqual([])
    })

    it('saves a new delay and says so', async () => {
      await save('0', '2')
      expect(updates).toEqual([{ clipboardClearSeconds: 120 }])
      expect(wrapper.get('[role="status"]').text()).toBe('Settings saved. Copies are cleared from the clipboard after 2 minutes.')
      expect(wrapper.find('#settings-clear-error').exists()).toBe(false)
    })
  })
})
