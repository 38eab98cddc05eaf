import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { KeyholdApi } from '../../src-shared/ipc/contract'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'
import { FakeSecrets } from './secrets.fake'

const PASSWORD = 'correct horse battery staple'

describe('The API secrets screens', () => {
  let fake: FakeVault
  let secrets: FakeSecrets
  let wrapper: VueWrapper

  async function open(path: string, overrides: Partial<KeyholdApi> = {}): Promise<void> {
    fake = new FakeVault().existing(PASSWORD)
    fake.state = 'unlocked'
    ;({ wrapper } = await mountWith(fake.api({ ...secrets.api(), ...overrides }), { path }))
    await flushPromises()
  }

  beforeEach(() => {
    secrets = new FakeSecrets().add(1, () => ({ name: 'Stripe', identifier: 'stripe-prod', clientSecret: 'sk_live_TOP' }))
  })
  afterEach(() => wrapper?.unmount())

  const input = (id: string) => wrapper.get<HTMLInputElement>(`#${id}`)
  const errorOf = (id: string) => wrapper.find(`#${id}-error`)
  /** Name, URL and Client ID of a new API secret main would take. */
  async function fillRequired(): Promise<void> {
    await input('secret-name').setValue('Another')
    await input('secret-url').setValue('https://api.example.com')
    await input('secret-client-id').setValue('c-2')
  }
  async function save(): Promise<void> {
    await wrapper.get('form#secret-form').trigger('submit')
    await flushPromises()
  }

  it('marks Name, URL and Client ID with an asterisk, says what it means, and refuses an empty form next to each field', async () => {
    await open('/api-secrets/new')
    const form = wrapper.get('form#secret-form')
    expect(form.findAll('.required-mark').map((m) => m.element.closest('label')?.getAttribute('for'))).toEqual([
      'secret-name',
      'secret-url',
      'secret-client-id',
    ])
    expect(form.text()).toContain('The items with an asterisk are mandatory.')
    expect(input('secret-client-secret').attributes('type')).toBe('password')

    await save()
    expect(errorOf('secret-name').text()).toBe('The name is required.')
    expect(errorOf('secret-url').text()).toBe('The URL is required.')
    expect(errorOf('secret-client-id').text()).toBe('The Client ID is required.')
    expect(input('secret-name').attributes('aria-invalid')).toBe('true')
    expect(input('secret-name').attributes('aria-describedby')).toContain('secret-name-error')
    expect(document.activeElement?.id).toBe('secret-name')
    expect(errorOf('secret-identifier').exists()).toBe(false)
    expect(secrets.rows).toHaveLength(1)

    await input('secret-url').setValue('ftp://files.example.com')
    expect(errorOf('secret-url').exists()).toBe(false)
    await save()
    expect(errorOf('secret-url').text()).toMatch(/^The URL must be an absolute http:\/\/ or https:\/\/ address/)
  })

  it('gives focus to "+ Add API secret" when the form opened from the home page closes (the menu that opened it is gone)', async () => {
    await open('/')
    await wrapper.get('.page-header button[aria-haspopup="menu"]').trigger('click')
    await flushPromises()
    const item = [...document.querySelectorAll<HTMLElement>('[role="menuitem"]')].find((b) => b.textContent?.trim() === 'Add API secret')!
    item.focus()
    item.click()
    await flushPromises()
    await wrapper.get('form#secret-form').isVisible()
    ;[...document.querySelectorAll<HTMLElement>('dialog button')].find((b) => b.textContent?.trim() === 'Cancel')!.click()
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(wrapper.find('form#secret-form').exists()).toBe(false)
    const focused = document.activeElement as HTMLElement
    expect(focused.matches('.page-header .btn-primary')).toBe(true)
    expect(focused.textContent?.trim()).toBe('Add API secret')
  })

  it('shows main\'s duplicate-Identifier refusal next to the Identifier field, and saves nothing', async () => {
    await open('/api-secrets/new')
    await fillRequired()
    await input('secret-identifier').setValue('  STRIPE-prod ')
    await save()
    const error = errorOf('secret-identifier')
    expect(error.text()).toMatch(/^The Identifier is already used by another API secret/)
    expect(input('secret-identifier').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement?.id).toBe('secret-identifier')
    expect(wrapper.find('form#secret-form').exists()).toBe(true)
    expect(wrapper.findAll('.field-error')).toHaveLength(1)
    expect(secrets.rows).toHaveLength(1)

    await input('secret-identifier').setValue('another')
    await save()
    expect(wrapper.find('form#secret-form').exists()).toBe(false)
    expect(wrapper.get('[role="status"]').text()).toContain('API secret saved')
    expect(secrets.rows.map((r) => r.identifier)).toEqual(['stripe-prod', 'another'])
  })

  it('places main\'s errors by their fields, not by the words of the message, and one about no field under the form', async () => {
    await open('/api-secrets/new', {
      secretsAdd: async () => ({
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message: 'Invalid input: three problems.',
          fields: { notes: 'Main says the notes are wrong.', clientId: 'Main says this is wrong too.', origin: 'Main says the origin is wrong.' },
        },
      }),
    })
    await fillRequired()
    await save()
    expect(errorOf('secret-client-id').text()).toBe('Main says this is wrong too.')
    expect(errorOf('secret-notes').text()).toBe('Main says the notes are wrong.')
    expect(wrapper.findAll('.field-error')).toHaveLength(2)
    expect(wrapper.get('.alert-message').text()).toBe('Main says the origin is wrong.')
    expect(input('secret-client-id').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement?.id).toBe('secret-client-id')
    expect(secrets.rows).toHaveLength(1)

    await input('secret-client-id').setValue('c-3')
    expect(errorOf('secret-client-id').exists()).toBe(false)
    expect(errorOf('secret-notes').exists()).toBe(true)
  })

  it('checks a tag still in the box when Save is pressed, and keeps its error next to Tags', async () => {
    await open('/api-secrets/new')
    await fillRequired()
    await input('secret-tags').setValue('a;b')
    await save()
    expect(errorOf('secret-tags').text()).toBe('A tag cannot contain ";" (it separates tags in CSV files).')
    expect(input('secret-tags').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement?.id).toBe('secret-tags')
    expect(secrets.rows).toHaveLength(1)
  })

  it('adds tags as chips on Enter and comma, and removes them', async () => {
    await open('/api-secrets/new')
    const tags = input('secret-tags')
    await tags.setValue('prod')
    await tags.trigger('keydown', { key: 'Enter' })
    await tags.setValue('payments')
    await tags.trigger('keydown', { key: ',' })
    await tags.setValue('PROD')
    await tags.trigger('keydown', { key: 'Enter' })
    expect(wrapper.findAll('.chip').map((c) => c.text())).toEqual(['prod', 'payments'])
    await wrapper.get('[aria-label="Remove tag prod"]').trigger('click')
    expect(wrapper.findAll('.chip').map((c) => c.text())).toEqual(['payments'])
  })

  it('hides the client secret until Show, drops it on Hide, on close and on lock', async () => {
    await open('/api-secrets')
    await wrapper.get('tbody th button').trigger('click')
    await flushPromises()
    const value = () => wrapper.get('[data-testid="client-secret-value"]').text()
    expect(value()).toContain('••••••')
    expect(wrapper.html()).not.toContain('sk_live_TOP')

    await wrapper.get('[aria-label="Show client secret"]').trigger('click')
    await flushPromises()
    expect(value()).toBe('sk_live_TOP')
    await wrapper.get('[aria-label="Hide client secret"]').trigger('click')
    await flushPromises()
    expect(wrapper.html()).not.toContain('sk_live_TOP')

    await wrapper.get('[aria-label="Show client secret"]').trigger('click')
    await flushPromises()
    expect(wrapper.html()).toContain('sk_live_TOP')
    await useVaultStore().lock()
    await flushPromises()
    expect(wrapper.html()).not.toContain('sk_live_TOP')
  })

  it('searches as you type, once the typing pauses, and pages the report', async () => {
    secrets.add(70)
    await open('/api-secrets')
    expect(wrapper.findAll('tbody tr')).toHaveLength(50)
    expect(wrapper.text()).toContain('1–50 of 71')
    const before = secrets.listCalls.length
    const search = wrapper.get('input[type="search"]')
    for (const text of ['s', 'se', 'sec', 'secret 06']) await search.setValue(text)
    await new Promise((done) => setTimeout(done, 220))
    await flushPromises()
    expect(secrets.listCalls.slice(before).map((c) => c.search)).toEqual(['secret 06'])
    expect(wrapper.findAll('tbody th').map((th) => th.text())).toEqual(['Secret 006', 'Secret 060', 'Secret 061', 'Secret 062', 'Secret 063', 'Secret 064', 'Secret 065', 'Secret 066', 'Secret 067', 'Secret 068', 'Secret 069'])
  })
})
