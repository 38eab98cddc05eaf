import { flushPromises, type DOMWrapper, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import SettingsView from '../../src-renderer/views/SettingsView.vue'
import { FakeActivity } from './activity.fake'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'

const PASSWORD = 'correct horse battery staple'

describe('Settings > Activity log', () => {
  let fake: FakeActivity
  let wrapper: VueWrapper

  async function open(): Promise<void> {
    const vault = new FakeVault().existing(PASSWORD)
    vault.state = 'unlocked'
    ;({ wrapper } = await mountWith(vault.api(fake.api()), { component: SettingsView, path: '/settings' }))
  }
  const form = () => wrapper.get('form[aria-labelledby="settings-activity"]')
  const input = (name: string) => form().get<HTMLInputElement>(`input[name="${name}"]`)
  const dialog = () => wrapper.find('dialog')
  const buttonIn = (where: DOMWrapper<Element>, text: string) => where.findAll('button').find((b) => b.text() === text)!
  async function save(days: string, entries: string): Promise<void> {
    await input('retentionDays').setValue(days)
    await input('retentionEntries').setValue(entries)
    await form().trigger('submit')
    await flushPromises()
  }

  beforeEach(() => {
    fake = new FakeActivity()
  })
  afterEach(() => wrapper.unmount())

  it('is its own section of Settings, showing how long entries are kept now', async () => {
    await open()
    expect(wrapper.get('#settings-activity').text()).toBe('Activity log')
    expect(input('retentionDays').element.value).toBe('365')
    expect(input('retentionEntries').element.value).toBe('100000')
    expect(form().get('label[for="settings-retention-days"]').text()).toBe('Keep entries for (days)')
    expect(form().get('label[for="settings-retention-entries"]').text()).toBe('At most (entries)')
    expect(form().get('#settings-retention-days-hint').text()).toBe('1 to 3,650; 365 unless you change it.')
    expect(form().get('button[type="submit"]').attributes('aria-label')).toBe('Save how long entries are kept')
  })

  it('refuses numbers outside the bounds, in words next to each field, and sends nothing', async () => {
    await open()
    await save('0', '50')
    expect(form().get('#settings-retention-days-error').text()).toBe('Enter a whole number of days from 1 to 3,650 (ten years).')
    expect(form().get('#settings-retention-entries-error').text()).toBe('Enter a whole number of entries from 100 to 1,000,000.')
    expect(input('retentionDays').attributes('aria-invalid')).toBe('true')
    expect(input('retentionDays').attributes('aria-describedby')).toBe('settings-retention-days-error settings-retention-days-hint')
    expect(document.activeElement).toBe(input('retentionDays').element)
    await save('3651', '1000001')
    expect(form().find('#settings-retention-days-error').exists()).toBe(true)
    expect(form().find('#settings-retention-entries-error').exists()).toBe(true)
    await save('30.5', '100000')
    expect(form().get('#settings-retention-days-error').text()).toMatch(/^Enter a whole number of days/)
    expect(form().find('#settings-retention-entries-error').exists()).toBe(false)
    expect(fake.retentionCalls).toEqual([])
    expect(dialog().exists()).toBe(false)
  })

  it("puts main's field errors next to their fields, and other errors under the form", async () => {
    await open()
    fake.retentionFailure = {
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'Invalid input: entries is too big.', fields: { entries: 'Keep at most 1,000,000 entries.' } },
    }
    await save('400', '100000')
    expect(form().get('#settings-retention-entries-error').text()).toBe('Keep at most 1,000,000 entries.')
    expect(document.activeElement).toBe(input('retentionEntries').element)
    fake.retentionFailure = { ok: false, error: { code: 'DISK_FULL', message: 'The disk is full, so nothing was saved. Free some space and try again.' } }
    await save('400', '100000')
    expect(form().get('[role="alert"]').text()).toBe('The disk is full, so nothing was saved. Free some space and try again.')
    expect(form().find('[role="status"]').exists()).toBe(false)
  })

  it('keeps entries longer without asking, and says so', async () => {
    await open()
    await save('730', '200000')
    expect(dialog().exists()).toBe(false)
    expect(fake.retentionCalls).toEqual([{ days: 730, entries: 200_000 }])
    expect(form().get('[role="status"]').text()).toBe('Saved. Entries are kept for 730 days, at most 200,000 entries. No entries were removed.')
  })

  it('asks before keeping fewer, saying that it removes entries and how the log records it, then says how many went', async () => {
    fake.many(150)
    await open()
    await save('365', '100')
    expect(dialog().exists()).toBe(true)
    expect(dialog().get('h2').text()).toBe('Remove older entries?')
    const text = dialog().text()
    expect(text).toContain('This cannot be undone. Entries older than 365 days, and any beyond the newest 100 entries, are removed from the activity log at once.')
    expect(text).toContain('The log records the change as “How long entries are kept changed”, with the old and new setting, and the removal as “Old entries removed”')
    expect(fake.retentionCalls).toEqual([])

    await buttonIn(dialog(), 'Cancel').trigger('click')
    await flushPromises()
    expect(dialog().exists()).toBe(false)
    expect(fake.retentionCalls).toEqual([])

    await save('30', '100')
    await buttonIn(dialog(), 'Save and remove older entries').trigger('click')
    await flushPromises()
    expect(dialog().exists()).toBe(false)
    expect(fake.retentionCalls).toEqual([{ days: 30, entries: 100 }])
    expect(form().get('[role="status"]').text()).toBe(
      'Saved. Entries are kept for 30 days, at most 100 entries. 50 entries were removed; the activity log records the change and the removal.',
    )
    // Lowering only the days asks too; the same setting again does not.
    await save('7', '100')
    expect(dialog().exists()).toBe(true)
    await buttonIn(dialog(), 'Cancel').trigger('click')
    await save('30', '100')
    expect(dialog().exists()).toBe(false)
    expect(fake.retentionCalls).toHaveLength(2)
  })

  it('says why it cannot show the setting when main cannot read it', async () => {
    fake.retentionReadFailure = { ok: false, error: { code: 'VAULT_CORRUPT', message: 'The vault cannot be read.' } }
    await open()
    expect(form().get('[role="alert"]').text()).toBe('The vault cannot be read.')
    expect(form().get('button[type="submit"]').attributes('disabled')).toBeDefined()
  })
})
