import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SaveFileDialog } from '../../src-main/core/ports'
import { writeMeta } from '../../src-main/core/vault/meta'
import { secretInput } from '../../src-shared/ipc/secrets.contract'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { PASSWORD } from '../support/vault'

const CLIENT_SECRET = 'sk_live_ACTIVITY_E2E_CANARY_51x'

/** The Export CSV button's dialog: answers with a path in a temp folder, as a person picking a file would. */
class FakeSaveDialog implements SaveFileDialog {
  readonly path = join(tmpdir(), `keyhold-e2e-activity-${process.pid}-${Date.now()}.csv`)
  asked = 0
  async choosePath(): Promise<string | null> {
    this.asked++
    return this.path
  }
}

describe('Activity in Chromium, through the real core', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page
  let dialog: FakeSaveDialog

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    expect(app.problems.join('\n')).toBe('')
    await app?.close()
    rmSync(dialog.path, { force: true })
  })

  const services = () => app.bridge.services
  const dialogNamed = (name: string) => page.getByRole('dialog', { name })
  const entryRow = (event: string) => page.locator(`tbody tr[data-event="${event}"]`)

  /** Both themes of what is on screen now, into test-results/screenshots/activity-<name>[-dark].png. */
  async function screenshots(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      // Buttons ease their colours in over 0.12 s: the picture is taken once they are done.
      await page.waitForTimeout(250)
      await app.screenshot(`activity-${name}${scheme === 'dark' ? '-dark' : ''}`)
    }
    await page.emulateMedia({ colorScheme: 'light' })
  }

  /** The page never scrolls sideways at the window's size (the table scrolls in its card if it must). */
  async function expectNoSidewaysScroll(): Promise<void> {
    // A string runs in the page: this file is type-checked for Node, which has no `document`.
    const { scrollWidth, clientWidth } = (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })')) as {
      scrollWidth: number
      clientWidth: number
    }
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth)
  }

  async function openActivityFromMenu(): Promise<void> {
    const security = page.getByRole('navigation', { name: 'Main' }).getByRole('list', { name: 'Security' })
    await security.getByRole('link', { name: 'Activity' }).click()
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor()
  }

  async function openSecret(name: string): Promise<ReturnType<Page['getByRole']>> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API secrets' }).click()
    await page.getByRole('heading', { name: 'API secrets', level: 1 }).waitFor()
    await page.getByRole('button', { name, exact: true }).click()
    const view = dialogNamed(name)
    await view.waitFor()
    return view
  }

  it('records a client secret shown and copied, lists it in words, filters, verifies and exports it', async () => {
    dialog = new FakeSaveDialog()
    app = await openApp(browser, { saveFileDialog: dialog })
    page = app.page
    await page.setViewportSize({ width: 1280, height: 800 })
    await services().vault.create({ password: PASSWORD, rememberOnDevice: false })
    await services().secrets.add(secretInput.parse({ name: 'Stripe prod', url: 'https://api.stripe.com/v1', clientId: 'ca_activity_e2e', clientSecret: CLIENT_SECRET }))
    // More of the log's kinds on screen: a mobile app's key and an application key for a script.
    await services().apps.create({ name: 'Work phone', type: 'mobile', expiresAt: null })
    await services().appKeys.generate({ label: 'Nightly backup', roleIds: ['secrets-editor'] })
    // A lock, a wrong password and an unlock.
    await services().vault.lock()
    await expect(services().vault.unlock({ password: 'not the password' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })
    await services().vault.unlock({ password: PASSWORD })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()

    // Show, then copy, the client secret in its view.
    const view = await openSecret('Stripe prod')
    await view.getByRole('button', { name: 'Show client secret' }).click()
    await view.getByTestId('client-secret-value').filter({ hasText: CLIENT_SECRET }).waitFor()
    await view.getByRole('button', { name: 'Hide client secret' }).click()
    await view.getByRole('button', { name: 'Copy client secret' }).click()
    await view.getByText(/^Client secret copied\./).waitFor()
    await view.getByRole('button', { name: 'Close', exact: true }).last().click()
    await view.waitFor({ state: 'detached' })

    // Activity, from the side menu: the entries in words, newest first.
    await openActivityFromMenu()
    const copied = entryRow('secret.copied')
    await copied.waitFor()
    expect(await copied.getByRole('rowheader').textContent()).toBe('Client secret copied')
    expect(await copied.getByRole('rowheader').getAttribute('title')).toBe('secret.copied')
    expect(await copied.locator('td.by').textContent()).toBe('The app')
    expect(await copied.locator('td.on a').textContent()).toMatch(/^\s*Stripe prod\s*$/)
    expect(await copied.locator('td.outcome').textContent()).toBe('Allowed')
    const shown = entryRow('secret.revealed')
    expect(await shown.getByRole('rowheader').textContent()).toBe('Client secret shown')
    expect(await shown.locator('td.by').textContent()).toBe('The app')
    expect((await shown.locator('td.on').textContent())!.trim()).toMatch(/^Stripe prod\s*API secret$/)
    await entryRow('vault.unlocked').getByRole('rowheader', { name: 'Unlocked' }).waitFor()
    await entryRow('vault.unlock-failed').getByRole('rowheader', { name: 'Wrong password' }).waitFor()
    expect(await entryRow('vault.unlock-failed').locator('td.outcome').textContent()).toBe('Failed')
    await entryRow('appkey.generated').getByText('Roles: API secrets editor').waitFor()
    const events = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event')))
    expect(events.slice(0, 2)).toEqual(['secret.copied', 'secret.revealed'])
    expect(await page.content()).not.toContain(CLIENT_SECRET)
    await expectNoSidewaysScroll()
    await screenshots('01-list')

    // Filter by event.
    await page.getByLabel('Event').selectOption('secret.revealed')
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    expect(await page.locator('tbody tr').getAttribute('data-event')).toBe('secret.revealed')
    await page.getByLabel('By', { exact: true }).selectOption('cli')
    await page.getByRole('heading', { name: 'No entries match' }).waitFor()
    await screenshots('02-no-match')
    await page.getByRole('button', { name: 'Clear filters' }).first().click()
    await copied.waitFor()

    // From the secret's view: only its entries, with a chip that says whose they are.
    const again = await openSecret('Stripe prod')
    await again.getByRole('link', { name: 'Activity' }).click()
    await page.getByRole('heading', { name: 'Activity', level: 1 }).waitFor()
    await page.getByText('Showing activity of “Stripe prod”').waitFor()
    const secretId = (await services().secrets.list()).items[0]!.id
    expect(new URL(page.url()).hash).toBe(`#/activity?target=${secretId}&name=Stripe+prod`)
    await expect
      .poll(() => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event'))))
      .toEqual(['secret.copied', 'secret.revealed', 'secret.added'])
    await expectNoSidewaysScroll()
    await screenshots('03-one-secret')
    await page.getByRole('button', { name: "Show everyone's activity" }).click()
    await page.getByText('Showing activity of').waitFor({ state: 'detached' })
    await entryRow('vault.unlocked').waitFor()

    // Verify: intact, with the range.
    const { count } = await services().activity.verify()
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('status').filter({ hasText: `All ${count.toLocaleString('en-US')} entries are intact (entries 1 to ${count.toLocaleString('en-US')}).` }).waitFor()
    await screenshots('04-verified')

    // Export CSV: through the save dialog, a header row and the entries, never the client secret.
    await page.getByRole('button', { name: 'Export CSV' }).click()
    await page.getByRole('status').filter({ hasText: `Exported ${count} entries to ${dialog.path}.` }).waitFor()
    expect(dialog.asked).toBe(1)
    const csv = readFileSync(dialog.path, 'utf8')
    expect(csv).not.toContain(CLIENT_SECRET)
    const [header, ...rows] = parse(csv) as string[][]
    expect(header).toEqual(['Seq', 'Time', 'Event', 'Actor type', 'Actor id', 'Actor', 'Target type', 'Target id', 'Target', 'Outcome', 'Detail'])
    expect(rows).toHaveLength(count)
    expect(rows.find((r) => r[2] === 'secret.copied')).toMatchObject({ 3: 'app', 7: secretId, 8: 'Stripe prod', 9: 'ok' })
    expect(rows.some((r) => r[2] === 'secret.revealed')).toBe(true)
    // The export is itself an entry, shown at the top once written.
    await expect.poll(() => page.locator('tbody tr').first().getAttribute('data-event')).toBe('log.exported')
    await page.locator('tbody tr').first().getByRole('rowheader', { name: 'Activity exported' }).waitFor()
    await expectNoSidewaysScroll()
    await screenshots('05-exported')
  })

  it('finds entries by the words on screen, and keeps fewer entries after a confirmation in Settings', async () => {
    dialog = new FakeSaveDialog()
    app = await openApp(browser, { saveFileDialog: dialog })
    page = app.page
    await page.setViewportSize({ width: 1280, height: 800 })
    await services().vault.create({ password: PASSWORD, rememberOnDevice: false })
    const stripe = await services().secrets.add(secretInput.parse({ name: 'Stripe prod', url: 'https://api.stripe.com/v1', clientId: 'ca_activity_e2e', clientSecret: CLIENT_SECRET }))
    // More than the 100 entries the lowest setting keeps: the client secret shown 150 times, and its Client ID copied.
    for (let i = 0; i < 150; i++) services().secrets.reveal(stripe.id)
    await services().secrets.copy(stripe.id, 'clientId')
    await services().vault.lock()
    await expect(services().vault.unlock({ password: 'not the password' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })
    await services().vault.unlock({ password: PASSWORD })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()

    // Search by what the rows say, not by the stored event names.
    await openActivityFromMenu()
    await entryRow('vault.unlocked').first().waitFor()
    const search = page.getByRole('searchbox', { name: 'Search the activity' })
    const shownEvents = () => page.locator('tbody tr').evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-event')))])
    await search.fill('Wrong password')
    await expect.poll(shownEvents).toEqual(['vault.unlock-failed'])
    expect(await entryRow('vault.unlock-failed').getByRole('rowheader').textContent()).toBe('Wrong password')
    await expectNoSidewaysScroll()
    await screenshots('07-search-words')
    await search.fill('client id copied')
    await expect.poll(shownEvents).toEqual(['secret.copied'])
    expect(await entryRow('secret.copied').getByRole('rowheader').textContent()).toBe('Client ID copied')
    await search.fill('shown')
    await expect.poll(shownEvents).toEqual(['secret.revealed'])
    await search.fill('The keyhold command')
    await page.getByRole('heading', { name: 'No entries match' }).waitFor()
    await search.fill('')
    await entryRow('vault.unlocked').first().waitFor()
    const note = page.locator('p').filter({ hasText: /^\s*The log is kept inside your encrypted vault\./ })
    await expect.poll(() => note.textContent()).toContain('Entries are kept for 365 days, at most 100,000 entries; you can change that in Settings.')
    const before = await services().activity.count()
    expect(before).toBeGreaterThan(150)

    // Settings > Activity log, from the note's link.
    await note.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    const section = page.getByRole('region', { name: 'Activity log' })
    const days = section.getByLabel('Keep entries for (days)')
    const entries = section.getByLabel('At most (entries)')
    expect(await days.inputValue()).toBe('365')
    expect(await entries.inputValue()).toBe('100000')
    const save = section.getByRole('button', { name: 'Save how long entries are kept' })

    // Out of bounds: said next to the field, nothing saved.
    await entries.fill('50')
    await save.click()
    await section.getByText('Enter a whole number of entries from 100 to 1,000,000.').waitFor()
    expect(await entries.getAttribute('aria-invalid')).toBe('true')
    await expectNoSidewaysScroll()
    await screenshots('08-retention-error')

    // Lowering asks first, and says how the log records it.
    await entries.fill('100')
    await save.click()
    const confirm = dialogNamed('Remove older entries?')
    await confirm.waitFor()
    await confirm.getByText('The log records the change as “How long entries are kept changed”', { exact: false }).waitFor()
    await screenshots('09-retention-confirm')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect(await services().activity.count()).toBe(before)
    expect(services().activity.retention()).toEqual({ days: 365, entries: 100_000 })

    await save.click()
    await confirm.getByRole('button', { name: 'Save and remove older entries' }).click()
    await confirm.waitFor({ state: 'detached' })
    const saved = section.getByRole('status')
    await saved.filter({ hasText: /^Saved\. Entries are kept for 365 days, at most 100 entries\. [\d,]+ entries were removed; the activity log records the change and the removal\.$/ }).waitFor()
    const removed = Number(/([\d,]+) entries were removed/.exec((await saved.textContent())!)![1]!.replace(/,/g, ''))
    expect(removed).toBeGreaterThan(50)
    expect(services().activity.retention()).toEqual({ days: 365, entries: 100 })
    await expectNoSidewaysScroll()
    await screenshots('10-retention-saved')

    // Activity: the change and the removal on top, the note with the new setting, and the chain still intact.
    await openActivityFromMenu()
    await expect.poll(() => page.locator('tbody tr').first().getAttribute('data-event')).toBe('log.pruned')
    expect(await entryRow('log.pruned').locator('td.detail').textContent()).toMatch(new RegExp(`^${removed.toLocaleString('en-US')} entries \\(1 to \\d+\\)$`))
    const changed = entryRow('log.retention-changed')
    expect(await changed.getByRole('rowheader').textContent()).toBe('How long entries are kept changed')
    expect(await changed.locator('td.detail').textContent()).toBe('365 days, 100 entries (was 365 days, 100,000 entries)')
    await expect.poll(() => note.textContent()).toContain('Entries are kept for 365 days, at most 100 entries;')
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('status').filter({ hasText: /^All [\d,]+ entries are intact \(entries [\d,]+ to [\d,]+\)\.$/ }).waitFor()
    await expectNoSidewaysScroll()
    await screenshots('11-retention-in-log')
  })

  // Accepting it needs the roll-back anchors, which Keyhold keeps in its data folder: the test
  // bridge gives the core none, so here main refuses, and the acceptance itself is tested in
  // the renderer's tests and test/main/activity/lifecycle.test.ts.
  it('explains a vault put back from an older copy in plain words, and asks before accepting it', async () => {
    dialog = new FakeSaveDialog()
    app = await openApp(browser, { saveFileDialog: dialog })
    page = app.page
    await page.setViewportSize({ width: 1280, height: 800 })
    await services().vault.create({ password: PASSWORD, rememberOnDevice: false })
    await services().secrets.add(secretInput.parse({ name: 'Stripe prod', url: 'https://api.stripe.com/v1', clientId: 'ca_activity_e2e', clientSecret: CLIENT_SECRET }))
    await services().activity.flush()
    // What the app keeps in the vault when it finds, at a write, that the log ends before the entry it saw last (§3).
    const last = (await services().activity.list({ limit: 1 })).items[0]!.seq
    await services().vault.vault().mutate((db) => writeMeta(db, 'activity_break', JSON.stringify({ kind: 'rolled-back', last, expected: last + 5 })))
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()

    await openActivityFromMenu()
    await page.getByRole('button', { name: 'Verify' }).click()
    const alert = page.getByRole('alert').filter({ hasText: 'This vault is an older copy.' })
    await alert.waitFor()
    await alert.getByText(`its log ends at entry ${last}, but entry ${last + 5} was written here before`, { exact: false }).waitFor()
    expect(await alert.textContent()).not.toContain('cannot be trusted')
    await expectNoSidewaysScroll()
    await screenshots('12-restored')

    await alert.getByRole('button', { name: 'Accept this vault as restored' }).click()
    const confirm = dialogNamed('Accept this vault as restored?')
    await confirm.waitFor()
    await confirm.getByText('Your acceptance is recorded in the activity log as “Older vault copy accepted”', { exact: false }).waitFor()
    await screenshots('13-restored-confirm')
    await confirm.getByRole('button', { name: 'Accept as restored' }).click()
    await confirm.waitFor({ state: 'detached' })
    await page.getByText('This vault is accepted as restored', { exact: false }).waitFor()
    expect((await services().activity.list({ event: 'log.restore-accepted' })).items).toEqual([
      expect.objectContaining({ actor: { type: 'app' }, detail: { vaultLast: expect.any(Number), seenLast: last + 5 } }),
    ])
  })

  it("opens an application's entries from its row in My apps", async () => {
    dialog = new FakeSaveDialog()
    app = await openApp(browser, { saveFileDialog: dialog })
    page = app.page
    await page.setViewportSize({ width: 1280, height: 800 })
    await services().vault.create({ password: PASSWORD, rememberOnDevice: false })
    await services().apps.create({ name: 'Work phone', type: 'mobile', expiresAt: null })
    await services().apps.create({ name: 'Laptop browser', type: 'extension', expiresAt: null })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My apps' }).click()
    await page.getByRole('heading', { name: 'My apps', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Actions for Work phone' }).click()
    await page.getByRole('menuitem', { name: 'Activity' }).click()
    await page.getByText('Showing activity of “Work phone”').waitFor()
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    const created = entryRow('app.created')
    expect(await created.getByRole('rowheader').textContent()).toBe('Authorization key created')
    expect((await created.locator('td.on').textContent())!.trim()).toMatch(/^Work phone\s*Application$/)
    expect(await created.locator('td.detail').textContent()).toBe('Mobile app')
    await screenshots('06-one-app')
  })
})
