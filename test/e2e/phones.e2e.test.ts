import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectNetwork } from '../../src-main/core/agent/network/network-transport'
import { parsePairingUri } from '../../src-shared/apps/pairing-uri'
import { pair, readPairingInput, type Session } from '../../src-shared/local-access/client'
import { CLAIM, eventually } from '../support/agent'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { PASSWORD } from '../support/vault'

function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png)
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data
}

describe('Phones on this network in Chromium, through the real core (listening on 127.0.0.1 only)', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page
  const sessions: Session[] = []

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    for (const session of sessions.splice(0)) session.close()
    expect(app.problems.join('\n')).toBe('')
    await app?.close()
  })

  /** A new vault, unlocked in the window, its agent listening on its socket. */
  async function start(): Promise<void> {
    app = await openApp(browser)
    page = app.page
    page.setDefaultTimeout(10_000)
    await services().vault.create({ password: PASSWORD, rememberOnDevice: false })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
    await eventually(() => services().agent.status().listening, 5_000)
  }

  const services = () => app.bridge.services
  const network = () => services().agent.networkStatus()
  const section = () => page.getByRole('region', { name: 'Phones on this network' })
  const toggle = () => section().getByRole('switch', { name: 'Phones on this network' })
  const keepOn = () => section().getByRole('checkbox', { name: /^Keep on when no phone is paired/ })
  const whileLocked = () => section().getByRole('checkbox', { name: /^Also while Keyhold is locked/ })
  const keyScreen = () => page.getByRole('dialog', { name: 'Authorization key' })

  async function openMenuItem(name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click()
    await page.getByRole('heading', { name, level: 1 }).waitFor()
  }

  async function openSettings(): Promise<void> {
    await openMenuItem('Settings')
    await section().getByTestId('phones-state').waitFor()
  }

  /** Both themes of what is on screen now, into test-results/screenshots/phones-<name>[-dark].png. */
  async function screenshots(name: string, scrollTo?: Locator): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      if (scrollTo) await scrollTo.scrollIntoViewIfNeeded()
      await app.screenshot(`phones-${name}${scheme === 'dark' ? '-dark' : ''}`)
    }
    await page.emulateMedia({ colorScheme: 'light' })
  }

  /** My apps > + New key, Mobile app: the one-time screen, and the pairing URI its QR code holds as drawn. */
  async function newMobileKey(name: string): Promise<string> {
    await openMenuItem('My apps')
    await page.getByRole('button', { name: 'View Actions' }).click()
    await page.getByRole('menuitem', { name: 'New key' }).click()
    const dialog = page.getByRole('dialog', { name: 'New key' })
    await dialog.getByLabel(/^Name\*?$/).fill(name)
    await dialog.getByRole('radio', { name: 'Mobile app' }).check()
    await dialog.getByRole('button', { name: 'Save' }).click()
    const qr = keyScreen().getByRole('img', { name: /^QR code of the authorization key for / })
    await qr.waitFor()
    return decodeQr(await qr.screenshot())!
  }

  async function closeKeyScreen(): Promise<void> {
    await keyScreen().getByRole('button', { name: 'Done' }).click()
    await page.getByRole('dialog', { name: 'Close the key screen?' }).getByRole('button', { name: 'Close it' }).click()
    await keyScreen().waitFor({ state: 'detached' })
  }

  it('is off until a Mobile app key shows where the phone will connect, off again when its screen closes, and on, kept on and off from Settings', async () => {
    await start()
    await openSettings()
    expect(await toggle().isChecked()).toBe(false)
    expect(await section().getByTestId('phones-state').textContent()).toBe('Off: phones cannot reach this vault over the network.')
    await section()
      .getByText("Lets the Keyhold app on your phone reach this vault over your local network. Off unless you turn it on or show a Mobile app key's QR code.")
      .waitFor()
    expect(await keepOn().isChecked()).toBe(false)
    expect(await whileLocked().isChecked()).toBe(false)
    expect(await section().getByTestId('phones-endpoint').count()).toBe(0)
    await screenshots('01-settings-off', section())

    // A Mobile app key turns it on by itself; the screen says where, and so does the QR code as drawn.
    const uri = await newMobileKey('My phone')
    expect(network()).toMatchObject({ on: true, listening: true })
    const { port, fingerprint } = network()
    expect(port).toBeGreaterThanOrEqual(49152)
    expect(await keyScreen().getByTestId('app-network').textContent()).toBe(`Your phone will connect to 127.0.0.1:${port} on this network.`)
    expect(await keyScreen().getByTestId('app-code-note').textContent()).toMatch(/on your phone, scan the QR code/)
    expect(parsePairingUri(uri)).toMatchObject({ ok: true, value: { hosts: [`127.0.0.1:${port}`], fingerprint } })
    expect(await keyScreen().getByTestId('app-no-network').count()).toBe(0)
    await screenshots('02-mobile-key')

    // Closed with no phone paired: off again.
    await closeKeyScreen()
    await eventually(() => !network().on && !network().listening)
    await openSettings()
    expect(await toggle().isChecked()).toBe(false)
    expect(await section().getByTestId('phones-endpoint').count()).toBe(0)

    // On from Settings: each address with its interface, the port and the fingerprint main has.
    await toggle().click()
    await section().getByTestId('phones-endpoint').waitFor()
    expect(network()).toMatchObject({ on: true, listening: true, port, fingerprint })
    expect(await toggle().isChecked()).toBe(true)
    expect(await section().getByTestId('phones-state').textContent()).toBe('On: phones on your local network can reach Keyhold.')
    expect(await section().getByRole('listitem').allTextContents()).toEqual(['127.0.0.1 on lo'])
    expect(await section().getByTestId('phones-port').textContent()).toBe(String(port))
    expect(await section().getByTestId('phones-fingerprint').textContent()).toBe(fingerprint)
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await section().getByText('Certificate fingerprint (phones check this)').waitFor()
    expect(await section().getByTestId('phones-connected').textContent()).toBe('0')
    await screenshots('03-settings-on', section())

    await keepOn().check()
    await expect.poll(() => network().keepOn).toBe(true)
    expect(await keepOn().isChecked()).toBe(true)
    await whileLocked().check()
    await expect.poll(() => network().whileLocked).toBe(true)

    // Off: nothing listens and no address is shown; the two choices stay as set.
    await toggle().click()
    await section().getByTestId('phones-endpoint').waitFor({ state: 'detached' })
    expect(network()).toMatchObject({ on: false, listening: false, keepOn: true, whileLocked: true })
    expect(await toggle().isChecked()).toBe(false)
    expect(await section().getByText('127.0.0.1').count()).toBe(0)
    expect(await keepOn().isChecked()).toBe(true)
    await screenshots('04-settings-off-kept', section())
  })

  it('stays on after the key screen closes when a phone paired over the network, and counts it in Settings', async () => {
    await start()
    const uri = await newMobileKey('Work phone')
    const input = readPairingInput(uri)
    if (!input.network) throw new Error('the QR code has no network address')
    const pairing = pair(await connectNetwork(input.network), input, { claim: CLAIM })
    const approval = page.getByRole('dialog', { name: 'Approve this device?' })
    await approval.getByRole('button', { name: 'Approve' }).click()
    const { session } = await pairing
    sessions.push(session)

    await closeKeyScreen()
    expect(network()).toMatchObject({ on: true, listening: true, connections: 1 })
    await openSettings()
    expect(await toggle().isChecked()).toBe(true)
    expect(await section().getByTestId('phones-connected').textContent()).toBe('1')
    await page.getByRole('row').filter({ hasText: 'Work phone' }).getByText('Connected').waitFor()
    await screenshots('05-phone-connected', section())

    // The phone going away is picked up without reopening Settings.
    session.close()
    sessions.splice(0)
    await expect.poll(() => section().getByTestId('phones-connected').textContent(), { timeout: 10_000 }).toBe('0')
  })

  it('says on the key screen that no phone can reach this computer when nothing listens for phones', async () => {
    await start()
    // The agent off: the network endpoint has nothing to run in.
    await services().agent.setEnabled(false)
    await newMobileKey('Tablet')
    const warning = keyScreen().getByTestId('app-no-network')
    await warning.getByText('No phone can reach this computer yet.').waitFor()
    await warning.getByText(/turn on Phones on this network in Settings > Connected apps/).waitFor()
    expect(await keyScreen().getByTestId('app-network').count()).toBe(0)
    await screenshots('06-mobile-key-no-network')
    await closeKeyScreen()

    await openSettings()
    expect(await section().getByTestId('phones-endpoint').count()).toBe(0)
  })
})
