import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseCode } from '../../src-shared/apps/authorization-code'
import { parsePairingUri } from '../../src-shared/apps/pairing-uri'
import type { AppId } from '../../src-shared/types/apps'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { FakeClock, PASSWORD } from '../support/vault'

const DAY = 24 * 3_600_000

/** A local calendar day `days` from now, as the date field takes it (the page and the test share the time zone). */
function localDay(days: number): string {
  const d = new Date(Date.now() + days * DAY)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png)
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data
}

describe('My apps in Chromium, through the real core', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page
  let clock: FakeClock

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    expect(app.problems.join('\n')).toBe('')
    await app?.close()
  })

  /** A new vault, unlocked; main's clock starts at the real time so the page and main agree. */
  async function start(): Promise<void> {
    clock = new FakeClock(Date.now())
    app = await openApp(browser, { clock })
    page = app.page
    await app.bridge.services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
  }

  const services = () => app.bridge.services
  const dialogNamed = (name: string) => page.getByRole('dialog', { name })
  const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) })
  const field = (label: string) => page.getByLabel(new RegExp(`^${label}\\*?$`))

  async function openFromSideMenu(): Promise<void> {
    const integrations = page.getByRole('navigation', { name: 'Main' }).getByRole('list', { name: 'Integrations' })
    await integrations.getByRole('link', { name: 'My apps' }).click()
    await page.getByRole('heading', { name: 'My apps', level: 1 }).waitFor()
  }

  async function openFromUserMenu(): Promise<void> {
    await page.getByRole('button', { name: 'My vault' }).click()
    await page.getByRole('menuitem', { name: 'My apps' }).click()
    await page.getByRole('heading', { name: 'My apps', level: 1 }).waitFor()
  }

  async function newKey(): Promise<void> {
    await page.getByRole('button', { name: 'View Actions' }).click()
    await page.getByRole('menuitem', { name: 'New key' }).click()
    await dialogNamed('New key').waitFor()
  }

  /** The one-time screen: checks the QR decodes to the URI whose key is the code shown right below it. */
  async function readKeyScreen(): Promise<{ code: string; uri: string }> {
    const screen = dialogNamed('Authorization key')
    await screen.waitFor()
    const code = (await screen.getByTestId('app-code').textContent())!.trim()
    expect(parseCode(code)).toMatchObject({ ok: true, code })
    const img = screen.getByRole('img', { name: /^QR code of the authorization key for / })
    const src = (await img.getAttribute('src'))!
    expect(src).toMatch(/^data:image\/png;base64,/)
    const uri = decodeQr(Buffer.from(src.split(',')[1]!, 'base64'))!
    const payload = parsePairingUri(uri)
    expect(payload).toMatchObject({ ok: true, value: { code, vaultId: services().vault.vault().id } })
    // As drawn on screen, too: a phone would scan this.
    expect(decodeQr(await img.screenshot())).toBe(uri)
    const [qrBox, codeBox] = [await img.boundingBox(), await screen.getByTestId('app-code').boundingBox()]
    expect(codeBox!.y).toBeGreaterThan(qrBox!.y + qrBox!.height - 1)
    await screen.getByText('This key is shown only once.').waitFor()
    return { code, uri }
  }

  it('creates a key from Integrations > My apps: validation, the QR screen, and closing it with confirmation', async () => {
    await start()
    await openFromSideMenu()
    await page.getByRole('heading', { name: 'No applications yet' }).waitFor()
    await newKey()
    const dialog = dialogNamed('New key')
    await dialog.getByText('The items with an asterisk are mandatory.').waitFor()
    expect(await field('Expiration date').getAttribute('type')).toBe('date')
    // Shown as the app writes times (the browser's locale, en-US here); the values stay 24-hour.
    expect(await field('Expiration time').locator('option').allTextContents()).toEqual(expect.arrayContaining(['Time', '12:00 AM', '9:30 AM', '11:30 PM']))
    expect(await field('Expiration time').locator('option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value))).toEqual(expect.arrayContaining(['', '00:00', '09:30', '23:30']))

    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText('Enter a name for the application.').waitFor()
    await dialog.getByText('Choose the application type.').waitFor()
    expect(await page.evaluate('document.activeElement?.id')).toBe('app-name')
    await app.screenshot('apps-01-new-key-mandatory')
    await field('Name').fill('My phone')
    await field('Expiration date').fill(localDay(-2))
    await field('Expiration time').selectOption('10:00')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText('The expiration date is in the past.').waitFor()
    await app.screenshot('apps-01-new-key-past-expiration')
    expect(services().apps.list('all')).toEqual([])

    await field('Expiration date').fill(localDay(3))
    await field('Expiration time').selectOption('09:30')
    await dialog.getByRole('radio', { name: 'Mobile app' }).check()
    await dialog.getByRole('button', { name: 'Save' }).click()
    const { code, uri } = await readKeyScreen()
    await app.screenshot('apps-02-qr-screen')

    const [stored] = services().apps.list('all')
    expect(stored).toMatchObject({ name: 'My phone', type: 'mobile', status: 'pending', expiresAt: new Date(`${localDay(3)}T09:30:00`).toISOString() })
    expect(parsePairingUri(uri)).toMatchObject({ value: { appId: stored!.id, expiresAt: stored!.expiresAt } })

    // Closing asks first; "Keep it open" keeps the key on screen.
    await dialogNamed('Authorization key').getByRole('button', { name: 'Done' }).click()
    const confirm = dialogNamed('Close the key screen?')
    await confirm.getByText('You will not be able to see this key again.').waitFor()
    await app.screenshot('apps-03-close-confirmation')
    await confirm.getByRole('button', { name: 'Keep it open' }).click()
    await confirm.waitFor({ state: 'detached' })
    await page.getByTestId('app-code').waitFor()
    await page.keyboard.press('Escape')
    await confirm.getByRole('button', { name: 'Close it' }).click()
    await dialogNamed('Authorization key').waitFor({ state: 'detached' })

    await row('My phone').getByText('Pending').waitFor()
    await page.getByRole('status').getByText('Authorization key for “My phone” generated.').waitFor()
    expect(await page.content()).not.toContain(code)
    // Leaving and coming back shows the report, never the key.
    await page.getByRole('link', { name: 'Home' }).click()
    await openFromSideMenu()
    await row('My phone').waitFor()
    expect(await page.content()).not.toContain(code)
  })

  it('creates a key from the user menu\'s My apps entry, without an expiration', async () => {
    await start()
    await openFromUserMenu()
    await newKey()
    const dialog = dialogNamed('New key')
    await field('Name').fill('Work browser')
    await dialog.getByRole('radio', { name: 'Extension' }).check()
    await field('Expiration time').selectOption('12:00')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText('Choose a date for the expiration, or clear the time.').waitFor()
    await dialog.getByRole('button', { name: 'Clear' }).click()
    await dialog.getByRole('button', { name: 'Save' }).click()
    const { uri } = await readKeyScreen()
    expect(parsePairingUri(uri)).toMatchObject({ ok: true, value: { expiresAt: null } })
    await dialogNamed('Authorization key').getByRole('button', { name: 'Done' }).click()
    await dialogNamed('Close the key screen?').getByRole('button', { name: 'Close it' }).click()
    const line = row('Work browser')
    await line.getByText('Extension').waitFor()
    expect(await line.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['Never', 'Pending']))
    expect(services().apps.list()).toEqual([expect.objectContaining({ name: 'Work browser', type: 'extension', expiresAt: null })])
  })

  it('edits the name and expiration, revokes after a confirmation, and lists expired and revoked apps under their filter', async () => {
    await start()
    const phone = await services().apps.create({ name: 'Phone', type: 'mobile', expiresAt: new Date(clock.now() + 2 * 3_600_000).toISOString() })
    clock.advance(60_000)
    const browserApp = await services().apps.create({ name: 'Browser', type: 'extension', expiresAt: null })
    await services().apps.recordUse(browserApp.app.id, browserApp.code)
    clock.advance(60_000)
    await services().apps.create({ name: 'Tablet', type: 'mobile', expiresAt: null })
    await openFromSideMenu()
    await row('Browser').getByText('Active').waitFor()
    await row('Phone').getByText('Pending').waitFor()
    await app.screenshot('apps-04-report')

    // Edit: name and expiration only.
    await row('Phone').getByRole('button', { name: 'Actions for Phone' }).click()
    await page.getByRole('menuitem', { name: 'Edit' }).click()
    const edit = dialogNamed('Edit application')
    expect(await field('Name').inputValue()).toBe('Phone')
    await field('Name').fill('Work phone')
    await field('Expiration date').fill(localDay(1))
    await field('Expiration time').selectOption('18:00')
    await edit.getByRole('button', { name: 'Save' }).click()
    await edit.waitFor({ state: 'detached' })
    await page.getByRole('status').getByText('“Work phone” saved.').waitFor()
    expect(services().apps.get(phone.app.id)).toMatchObject({ name: 'Work phone', type: 'mobile', expiresAt: new Date(`${localDay(1)}T18:00:00`).toISOString() })

    // Revoke: Cancel changes nothing; confirming is final and records when.
    await row('Browser').getByRole('button', { name: 'Actions for Browser' }).click()
    await page.getByRole('menuitem', { name: 'Revoke' }).click()
    const revoke = dialogNamed('Revoke “Browser”?')
    await revoke.getByText('This cannot be undone.').waitFor()
    await app.screenshot('apps-05-revoke-confirmation')
    await revoke.getByRole('button', { name: 'Cancel' }).click()
    expect(services().apps.get(browserApp.app.id as AppId).status).toBe('active')
    await row('Browser').getByRole('button', { name: 'Actions for Browser' }).click()
    await page.getByRole('menuitem', { name: 'Revoke' }).click()
    await revoke.getByRole('button', { name: 'Revoke key' }).click()
    await page.getByRole('status').getByText('“Browser” revoked').waitFor()
    await row('Browser').waitFor({ state: 'detached' })
    expect(services().apps.get(browserApp.app.id as AppId)).toMatchObject({ status: 'revoked', revokedAt: new Date(clock.now()).toISOString() })

    // Time passes in main: Work phone expires.
    clock.advance(3 * DAY)
    await page.getByRole('link', { name: 'Home' }).click()
    await openFromSideMenu()
    await row('Tablet').getByText('Pending').waitFor()
    expect(await row('Work phone').count()).toBe(0)
    await page.getByRole('radio', { name: /Expired and revoked/ }).check()
    await row('Work phone').getByText('Expired').waitFor()
    await row('Browser').getByText('Revoked').waitFor()
    await row('Browser').getByText(/^on /).waitFor()
    expect(await row('Browser').getByRole('button', { name: 'Actions for Browser' }).count()).toBe(0)
    await app.screenshot('apps-06-expired-and-revoked')
    await page.getByRole('radio', { name: /All/ }).check()
    expect(await page.getByRole('rowheader').allTextContents()).toEqual(['Tablet', 'Browser', 'Work phone'])
  })
})
