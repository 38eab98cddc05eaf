import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Router } from 'vue-router'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setClient } from '../../src-renderer/api/client'
import { detailText, EVENT_WORDS, eventOptions, eventText, searchMatches } from '../../src-renderer/components/activity/words'
import { ACTIVITY_PAGE_SIZE, useActivityStore } from '../../src-renderer/stores/activity.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import { ACTIVITY_EVENTS } from '../../src-shared/types/activity'
import type { AppId, AppSummary } from '../../src-shared/types/apps'
import { FakeActivity, PHONE_APP_ID, RESTORED, STRIPE_ID } from './activity.fake'
import { FakeVault } from './fake-api'
import { mountWith } from './mount'
import { FakeSecrets } from './secrets.fake'

const PASSWORD = 'correct horse battery staple'

describe('activity words', () => {
  it('name every event for people, grouped for the filter', () => {
    for (const event of ACTIVITY_EVENTS) expect(EVENT_WORDS[event].label).not.toBe('')
    expect(eventOptions().flatMap((group) => group.events.map((e) => e.value))).toEqual([...ACTIVITY_EVENTS].sort((a, b) => order(a) - order(b)))
    function order(event: string): number {
      return eventOptions().findIndex((group) => group.events.some((e) => e.value === event))
    }
  })

  it('say which field a copy took, and the op of a request', () => {
    expect(eventText({ event: 'secret.copied', detail: { field: 'clientSecret' } })).toBe('Client secret copied')
    expect(eventText({ event: 'secret.copied', detail: { field: 'clientId' } })).toBe('Client ID copied')
    expect(eventText({ event: 'secret.revealed', detail: {} })).toBe('Client secret shown')
    expect(detailText({ event: 'pairing.request', detail: { op: 'secrets.get' } })).toBe('secrets.get')
    expect(detailText({ event: 'appkey.roles-changed', detail: { roles: ['Apps reader', 'Audit reader'] } })).toBe('Roles: Apps reader, Audit reader')
    expect(detailText({ event: 'log.exported', detail: { format: 'csv', count: 1 } })).toBe('CSV, 1 entry')
    expect(detailText({ event: 'vault.unlock-failed', detail: { count: 3 } })).toBe('3 times')
  })

  it('say how long entries are kept now and before, and where an accepted older copy ends', () => {
    expect(detailText({ event: 'log.retention-changed', detail: { days: 30, entries: 1000, previousDays: 365, previousEntries: 100_000 } })).toBe(
      '30 days, 1,000 entries (was 365 days, 100,000 entries)',
    )
    expect(detailText({ event: 'log.retention-changed', detail: { days: 1, entries: 100 } })).toBe('1 day, 100 entries')
    expect(detailText({ event: 'log.restore-accepted', detail: { vaultLast: 1204, seenLast: 1310 } })).toBe(
      "The vault's log ends at entry 1,204; this computer had seen entry 1,310",
    )
    expect(detailText({ event: 'log.restore-accepted', detail: {} })).toBe('')
  })

  it('find the events and kinds of actor a search names by their words on screen, whatever the case', () => {
    expect(searchMatches('wrong password')).toEqual({ events: ['vault.unlock-failed'], actorTypes: [] })
    expect(searchMatches('  WRONG   Password ')).toEqual({ events: ['vault.unlock-failed'], actorTypes: [] })
    expect(searchMatches('copied')).toEqual({ events: ['secret.copied'], actorTypes: [] })
    expect(searchMatches('Client secret copied').events).toEqual(['secret.copied'])
    expect(searchMatches('client id')).toEqual({ events: ['secret.copied'], actorTypes: [] })
    expect(searchMatches('shown')).toEqual({ events: ['secret.revealed'], actorTypes: [] })
    expect(searchMatches('Paired')).toEqual({ events: ['app.paired'], actorTypes: ['pairing'] })
    expect(searchMatches('The keyhold command')).toEqual({ events: [], actorTypes: ['cli'] })
    expect(searchMatches('the cli')).toEqual({ events: [], actorTypes: ['cli'] })
    expect(searchMatches('older vault copy').events).toEqual(['log.restore-accepted'])
    expect(searchMatches('Stripe prod')).toEqual({ events: [], actorTypes: [] })
    expect(searchMatches(' ')).toEqual({ events: [], actorTypes: [] })
  })
})

describe('useActivityStore', () => {
  let fake: FakeActivity
  let vault: FakeVault

  beforeEach(async () => {
    fake = new FakeActivity()
    vault = new FakeVault().existing(PASSWORD)
    setClient(vault.api(fake.api()))
    setActivePinia(createPinia())
    await useVaultStore().unlock({ password: PASSWORD })
  })

  it('loads the newest entries first and the older ones on "Load more"', async () => {
    fake.many(120)
    const store = useActivityStore()
    await store.open(null)
    expect(store.items.map((e) => e.seq).slice(0, 2)).toEqual([120, 119])
    expect(store.items).toHaveLength(ACTIVITY_PAGE_SIZE)
    await store.loadMore()
    await store.loadMore()
    expect(store.items.map((e) => e.seq).at(-1)).toBe(1)
    expect(new Set(store.items.map((e) => e.seq)).size).toBe(120)
    expect(store.nextBefore).toBeNull()
    expect(fake.listCalls.map((q) => q.before)).toEqual([undefined, 71, 21])
  })

  it('sends the filters as main takes them: local days as UTC instants, a target by id', async () => {
    const store = useActivityStore()
    await store.open({ id: STRIPE_ID, name: 'Stripe prod' })
    await store.setFilters({ event: 'secret.copied', actorType: 'app', from: '2026-05-01', to: '2026-05-02', search: '  stripe ' })
    expect(fake.listCalls.at(-1)).toEqual({
      event: 'secret.copied',
      actorType: 'app',
      since: new Date(2026, 4, 1).toISOString(),
      until: new Date(new Date(2026, 4, 3).getTime() - 1).toISOString(),
      search: 'stripe',
      targetId: STRIPE_ID,
      limit: ACTIVITY_PAGE_SIZE,
    })
    expect(store.items.map((e) => e.seq)).toEqual([4])
  })

  it('sends the events and kinds of actor whose words on screen match the search, and no list when none does', async () => {
    const store = useActivityStore()
    await store.open(null)
    await store.setFilters({ search: 'wrong password' })
    expect(fake.listCalls.at(-1)).toEqual({ search: 'wrong password', searchEvents: ['vault.unlock-failed'], limit: ACTIVITY_PAGE_SIZE })
    expect(store.items.map((e) => e.seq)).toEqual([9])
    await store.setFilters({ search: 'The keyhold command' })
    expect(fake.listCalls.at(-1)).toEqual({ search: 'The keyhold command', searchActorTypes: ['cli'], limit: ACTIVITY_PAGE_SIZE })
    await store.setFilters({ search: 'Paired' })
    expect(fake.listCalls.at(-1)).toMatchObject({ searchEvents: ['app.paired'], searchActorTypes: ['pairing'] })
    expect(store.items.map((e) => e.seq)).toEqual([7, 6, 5])
    await store.setFilters({ search: 'work phone' })
    expect(fake.listCalls.at(-1)).toEqual({ search: 'work phone', limit: ACTIVITY_PAGE_SIZE })
  })

  it('reads and changes how long entries are kept, and forgets it at lock', async () => {
    const store = useActivityStore()
    await store.loadRetention()
    expect(store.retention).toEqual({ days: 365, entries: 100_000 })
    const result = await store.setRetention({ days: 30, entries: 1000 })
    expect(result).toEqual({ ok: true, value: { days: 30, entries: 1000, removed: 0 } })
    expect(store.retention).toEqual({ days: 30, entries: 1000 })
    await useVaultStore().lock()
    expect(store.retention).toBeNull()
  })

  it('accepts a restored vault: keeps main\'s new verification and shows the entry that records it', async () => {
    fake.verification = { ...RESTORED }
    const store = useActivityStore()
    await store.open(null)
    await store.verify()
    expect(store.verification).toMatchObject({ ok: false, restored: true })
    const result = await store.acceptRestore()
    await flushPromises()
    expect(result.ok).toBe(true)
    expect(store.verification).toMatchObject({ ok: true, restored: false, count: 10 })
    expect(store.acceptedRestore).toBe(true)
    expect(store.items[0]).toMatchObject({ seq: 10, event: 'log.restore-accepted' })
    await store.verify()
    expect(store.acceptedRestore).toBe(false)
  })

  it('asks nothing for a range that ends before it starts, and says why', async () => {
    const store = useActivityStore()
    await store.open(null)
    const asked = fake.listCalls.length
    await store.setFilters({ from: '2026-05-03', to: '2026-05-01' })
    expect(store.filterProblem).toMatch(/“To” date is before the “From” date/)
    expect(store.items).toEqual([])
    expect(fake.listCalls).toHaveLength(asked)
  })

  it('keeps only the answer to the latest filters', async () => {
    const store = useActivityStore()
    await store.open(null)
    fake.hold = true
    const first = store.setFilters({ event: 'vault.unlocked' })
    const second = store.setFilters({ event: 'secret.revealed' })
    fake.release()
    await Promise.all([first, second])
    await flushPromises()
    fake.release()
    await Promise.all([first, second])
    expect(store.items.map((e) => e.event)).toEqual(['secret.revealed'])
  })

  it('forgets the entries, filters and target when the vault locks', async () => {
    const store = useActivityStore()
    await store.open({ id: STRIPE_ID, name: 'Stripe prod' })
    await store.verify()
    await useVaultStore().lock()
    expect(store.items).toEqual([])
    expect(store.target).toBeNull()
    expect(store.verification).toBeNull()
    expect(store.loaded).toBe(false)
  })
})

describe('ActivityView', () => {
  let fake: FakeActivity
  let secrets: FakeSecrets
  let wrapper: VueWrapper
  let router: Router
  const apps: AppSummary[] = [
    {
      id: PHONE_APP_ID as AppId,
      name: 'Work phone',
      type: 'mobile',
      createdAt: '2026-05-01T09:00:00.000Z',
      updatedAt: '2026-05-01T09:00:00.000Z',
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
      status: 'active',
    },
  ]

  async function open(path = '/activity'): Promise<void> {
    const vault = new FakeVault().existing(PASSWORD)
    vault.state = 'unlocked'
    ;({ wrapper, router } = await mountWith(
      vault.api({ ...fake.api(), ...secrets.api(), appsList: async () => ({ ok: true, value: apps }) }),
      { path },
    ))
  }
  const rows = () => wrapper.findAll('tbody tr')
  const button = (text: string) => wrapper.findAll('button').find((b) => b.text() === text)!

  beforeEach(() => {
    fake = new FakeActivity()
    secrets = new FakeSecrets().add(1, () => ({ id: STRIPE_ID as never, name: 'Stripe prod', clientSecret: 'sk_live_CANARY' }))
  })
  afterEach(() => wrapper.unmount())

  it('is in the side menu under its own section, after My apps', async () => {
    await open('/')
    const menu = wrapper.get('nav[aria-label="Main"]')
    const titles = menu.findAll('.section-title').map((t) => t.text())
    expect(titles).toEqual(['Integrations', 'Security', 'Account settings'])
    expect(menu.findAll('a').map((a) => a.text())).toEqual(['Home', 'API secrets', 'My apps', 'Activity', 'Application Keys', 'My Keys', 'Settings'])
  })

  it('lists the entries newest first in words: when, what, by whom, on what, how it ended', async () => {
    await open()
    expect(wrapper.get('h1').text()).toBe('Activity')
    expect(rows()).toHaveLength(9)
    // Each cell's text, with its second line (the `.sub` kind under a name) after a space.
    const cells = (seq: number) =>
      wrapper
        .get(`tr[data-seq="${seq}"]`)
        .findAll('th, td')
        .map((c) => {
          const sub = c.find('.sub').exists() ? c.get('.sub').text() : ''
          return [c.text().slice(0, c.text().length - sub.length).trim(), sub].filter(Boolean).join(' ')
        })
    expect(cells(4).slice(2)).toEqual(['Client secret copied', 'The app', 'Stripe prod API secret', 'Allowed', '—'])
    expect(cells(3)[2]).toBe('Client secret shown')
    expect(cells(6).slice(2)).toEqual(['Request', 'Work phone Paired app', 'API secret 0b7c1f2e…', 'Allowed', 'secrets.get'])
    // A succeeded event that gives no access reads "Done", not "Allowed".
    expect(wrapper.findAll('tbody tr').map((row) => row.find('td.outcome').text())).toContain('Done')
    expect(cells(7).slice(5)).toEqual(['Refused', 'audit.list'])
    expect(cells(8).slice(3, 4)).toEqual(['keyhold-a1b2c3-abcdefghjkmn Application key'])
    expect(cells(9).slice(2, 6)).toEqual(['Wrong password', 'The app', 'Vault', 'Failed'])
    expect(wrapper.get('tr[data-seq="4"] th').attributes('title')).toBe('secret.copied')
    expect(wrapper.text()).not.toContain('CANARY')
  })

  it('filters by event and clears the filters', async () => {
    await open()
    await wrapper.get('#activity-event').setValue('secret.revealed')
    await flushPromises()
    expect(fake.listCalls.at(-1)).toMatchObject({ event: 'secret.revealed' })
    expect(rows().map((r) => r.attributes('data-seq'))).toEqual(['3'])
    await wrapper.get('#activity-actor').setValue('cli')
    await flushPromises()
    expect(wrapper.get('h2').text()).toBe('No entries match')
    await wrapper.findAll('button').filter((b) => b.text() === 'Clear filters').at(-1)!.trigger('click')
    await flushPromises()
    expect(rows()).toHaveLength(9)
    expect((wrapper.get('#activity-event').element as HTMLSelectElement).value).toBe('')
  })

  it('shows one target from the route with a chip, and everyone again from its ×', async () => {
    await open(`/activity?target=${STRIPE_ID}&name=Stripe%20prod`)
    expect(wrapper.get('.target-chip').text()).toContain('Showing activity of “Stripe prod”')
    expect(fake.listCalls.at(-1)).toMatchObject({ targetId: STRIPE_ID })
    expect(rows().map((r) => r.attributes('data-seq'))).toEqual(['6', '4', '3', '2'])
    await wrapper.get('button[aria-label="Show everyone\'s activity"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/activity')
    expect(wrapper.find('.target-chip').exists()).toBe(false)
    expect(rows()).toHaveLength(9)
  })

  it('says when a target has nothing recorded', async () => {
    await open('/activity?target=nobody&name=Old%20key')
    expect(wrapper.get('h2').text()).toBe('No activity for “Old key”')
  })

  it('says what to do when the log is empty', async () => {
    fake.entries = []
    await open()
    expect(wrapper.get('h2').text()).toBe('No activity yet')
    expect(wrapper.get('a.btn-primary').text()).toBe('Open API secrets')
  })

  it('loads more entries with "Load more"', async () => {
    fake.many(60)
    await open()
    expect(rows()).toHaveLength(50)
    await button('Load more').trigger('click')
    await flushPromises()
    expect(rows()).toHaveLength(60)
    expect(wrapper.find('.more button').exists()).toBe(false)
    expect(wrapper.get('.more').text()).toBe('60 entries shown: the whole log')
  })

  it('says a verified log is intact, with its range', async () => {
    fake.verification = { ok: true, count: 1204, first: 1, last: 1204, problem: null, at: null, restored: false }
    await open()
    await button('Verify').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="status"].tone-success').text()).toBe('All 1,204 entries are intact (entries 1 to 1,204).')
  })

  it('shows a broken chain in a danger alert, with its position', async () => {
    fake.verification = { ok: false, count: 120, first: 1, last: 120, problem: 'Entry 57 was changed or moved: it does not follow the entry before it.', at: 57, restored: false }
    await open()
    await button('Verify').trigger('click')
    await flushPromises()
    const alert = wrapper.get('[role="alert"].tone-error')
    expect(alert.text()).toContain('The activity log was changed outside Keyhold.')
    expect(alert.text()).toContain('Entry 57 was changed or moved')
    expect(alert.text()).toContain('Entries before 57 are intact; from entry 57 on, the log cannot be trusted.')
    // Not a restored copy: nothing to accept.
    expect(wrapper.findAll('button').some((b) => b.text() === 'Accept this vault as restored')).toBe(false)
  })

  it('finds entries by the words on screen as they are typed into the search', async () => {
    await open()
    await wrapper.get('#activity-search').setValue('Wrong password')
    await new Promise((resolve) => setTimeout(resolve, 250))
    await flushPromises()
    expect(fake.listCalls.at(-1)).toMatchObject({ search: 'Wrong password', searchEvents: ['vault.unlock-failed'] })
    expect(rows().map((r) => r.attributes('data-seq'))).toEqual(['9'])
    await wrapper.get('#activity-search').setValue('client secret copied')
    await new Promise((resolve) => setTimeout(resolve, 250))
    await flushPromises()
    expect(rows().map((r) => r.attributes('data-seq'))).toEqual(['4'])
  })

  it('explains a vault put back from an older copy, and accepts it as restored after a confirmation', async () => {
    fake.verification = { ...RESTORED }
    await open()
    await button('Verify').trigger('click')
    await flushPromises()
    const alert = wrapper.get('[role="alert"].tone-error')
    expect(alert.text()).toContain('This vault is an older copy.')
    expect(alert.text()).toContain('its log ends at entry 9, but entry 14 was written here before')
    expect(alert.text()).toContain('a backup, or the .bak file next to the vault, is put back')
    expect(alert.text()).not.toContain('cannot be trusted')

    // Cancel changes nothing.
    await button('Accept this vault as restored').trigger('click')
    await flushPromises()
    const dialog = () => wrapper.get('dialog')
    expect(dialog().get('h2').text()).toBe('Accept this vault as restored?')
    expect(dialog().text()).toContain('Verify checks the activity log against this vault as it is now')
    expect(dialog().text()).toContain('Your acceptance is recorded in the activity log as “Older vault copy accepted”')
    await dialog().findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click')
    await flushPromises()
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(fake.acceptCalls).toBe(0)

    await button('Accept this vault as restored').trigger('click')
    await flushPromises()
    await dialog().findAll('button').find((b) => b.text() === 'Accept as restored')!.trigger('click')
    await flushPromises()
    expect(fake.acceptCalls).toBe(1)
    expect(wrapper.find('dialog').exists()).toBe(false)
    expect(wrapper.get('[role="status"].tone-success').text()).toBe(
      'This vault is accepted as restored, and the activity log records it. All 10 entries are intact (entries 1 to 10).',
    )
    const accepted = wrapper.get('tr[data-seq="10"]')
    expect(accepted.get('th').text()).toBe('Older vault copy accepted')
    expect(accepted.get('td.detail').text()).toBe("The vault's log ends at entry 9; this computer had seen entry 14")
  })

  it("keeps the dialog open with main's words when accepting fails", async () => {
    fake.verification = { ...RESTORED }
    await open()
    await button('Verify').trigger('click')
    await flushPromises()
    // Meanwhile the log is no longer behind: main refuses.
    fake.verification = { ...RESTORED, restored: false }
    await button('Accept this vault as restored').trigger('click')
    await flushPromises()
    await wrapper.get('dialog').findAll('button').find((b) => b.text() === 'Accept as restored')!.trigger('click')
    await flushPromises()
    expect(wrapper.get('dialog [role="alert"].tone-error').text()).toBe(
      'There is no older copy of the vault to accept: the activity log is not behind what this computer saw.',
    )
  })

  it('says how long entries are kept, with a link to the setting', async () => {
    await open()
    const note = wrapper.get('.page-body > p.small')
    expect(note.text()).toContain('Entries are kept for 365 days, at most 100,000 entries; you can change that in Settings.')
    await note.get('a').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/settings#settings-activity')
    expect(wrapper.get('#settings-activity').text()).toBe('Activity log')
  })

  it('exports CSV and JSON, says where, says nothing when the dialog is closed, and shows errors', async () => {
    await open()
    await button('Export CSV').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="status"].tone-success').text()).toBe('Exported 9 entries to /home/me/keyhold-activity-2026-05-01.csv.')
    await button('Export JSON').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="status"].tone-success').text()).toBe('Exported 9 entries to /home/me/keyhold-activity-2026-05-01.json.')
    expect(fake.exports).toEqual(['csv', 'json'])

    fake.exportPath = null
    await button('Export CSV').trigger('click')
    await flushPromises()
    expect(wrapper.find('.tone-success').exists()).toBe(false)
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)

    fake.exportFailure = { ok: false, error: { code: 'DISK_FULL', message: 'The disk is full, so nothing was saved. Free some space and try again.' } }
    await button('Export CSV').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('The disk is full, so nothing was saved. Free some space and try again.')
  })

  it("opens from an API secret's view, filtered to that secret", async () => {
    await open('/api-secrets')
    await wrapper.get('tbody tr button.open').trigger('click')
    await flushPromises()
    const link = wrapper.get('dialog footer a.btn')
    expect(link.text()).toBe('Activity')
    await link.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('activity')
    expect(router.currentRoute.value.query).toEqual({ target: STRIPE_ID, name: 'Stripe prod' })
    expect(wrapper.get('.target-chip').text()).toContain('“Stripe prod”')
  })

  it("opens from an application's row in My apps, filtered to that application", async () => {
    await open('/my-apps')
    await wrapper.findAll('button[aria-haspopup="menu"]').find((b) => b.text() === 'Actions for Work phone')!.trigger('click')
    await flushPromises()
    await wrapper.findAll('[role="menuitem"]').find((i) => i.text() === 'Activity')!.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ target: PHONE_APP_ID, name: 'Work phone' })
    expect(rows().map((r) => r.attributes('data-seq'))).toEqual(['5'])
  })

  it('links an entry’s target to its own entries', async () => {
    await open()
    await wrapper.get('tr[data-seq="4"] a').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ target: STRIPE_ID, name: 'Stripe prod' })
    expect(rows().map((r) => r.attributes('data-seq'))).toEqual(['6', '4', '3', '2'])
  })
})
