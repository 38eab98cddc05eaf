import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SaveFileDialog } from '../../src-main/core/ports'
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
