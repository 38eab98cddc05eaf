import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import CreateVaultView from '../../src-renderer/views/CreateVaultView.vue'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

describe('CreateVaultView', () => {
  let fake: FakeVault
  let wrapper: VueWrapper

  beforeEach(async () => {
    fake = new FakeVault()
    ;({ wrapper } = await mountWith(fake.api(), { component: CreateVaultView, path: '/create' }))
  })
  afterEach(() => wrapper.unmount())

  const fields = () => wrapper.findAll('input[type="password"]')
  async function fill(password: string, confirm: string): Promise<void> {
    await fields()[0]!.setValue(password)
    await fields()[1]!.setValue(confirm)
  }
  async function submit(): Promise<void> {
    await wrapper.find('form').trigger('submit')
    await flushPromises()
  }

  it('labels both fields, marks them required and explains the password cannot be recovered', () => {
    for (const input of fields()) {
      const label = wrapper.find(`label[for="${input.attributes('id')}"]`)
      expect(label.text()).toMatch(/master password\*$/i)
      expect(input.attributes('required')).toBeDefined()
    }
    expect(wrapper.text()).toContain('Keyhold cannot recover your master password.')
    // The app's one required-field note (as in every form), not a second wording.
    expect(wrapper.get('.required-note').text()).toBe('* The items with an asterisk are mandatory.')
    expect(wrapper.text()).not.toContain('are required')
  })

  it('refuses two different passwords and says so', async () => {
    await fill('correct horse battery staple', 'correct horse battery stapel')
    await submit()
    expect(wrapper.get('[role="alert"]').text()).toContain('do not match')
    expect(fields()[1]!.attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(fields()[1]!.element)
    expect(fake.count('vaultCreate')).toBe(0)
  })

  it('takes the same password typed composed and decomposed as matching, as main does (NFC)', async () => {
    await fill('café crème brûlée 42', 'cafe\u0301 cre\u0300me bru\u0302le\u0301e 42')
    await submit()
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(fake.count('vaultCreate')).toBe(1)
  })

  it('shows the strength as the password is typed, and refuses a weak one', async () => {
    await fields()[0]!.setValue('password123')
    expect(wrapper.text()).toContain('Strength: weak.')
    expect(wrapper.text()).toContain('most common passwords')
    await fields()[1]!.setValue('password123')
    await submit()
    expect(wrapper.get('[role="alert"]').text()).toContain('Choose a stronger master password')
    expect(fake.count('vaultCreate')).toBe(0)
    await fields()[0]!.setValue('correct horse battery staple')
    expect(wrapper.text()).toContain('Strength: strong.')
  })

  it('creates the vault with the password and the remember choice', async () => {
    await fill('correct horse battery staple', 'correct horse battery staple')
    await wrapper.get('input[type="checkbox"]').setValue(true)
    await submit()
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(fake.calls.at(-1)).toEqual({ method: 'vaultCreate', input: { password: 'correct horse battery staple', rememberOnDevice: true } })
    expect(useVaultStore().state).toBe('unlocked')
  })
})
