import { copyFileSync, mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'

const PASSWORD = 'correct horse battery staple'
/** Copies of this file's screenshots, for the review. */
const SHOTS = '/tmp/settings-shots'

const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label}\\*?$`))

/**
 * Issue 18's Settings and form polish, in one app start: the strength text, a mismatch said
 * once, the auto-lock delay and device unlock in Settings, the clipboard delay in minutes and
 * seconds, "(no label)" for a key without one, and "Remember" unticked after a keychain failure.
 */
describe('settings polish in Chromium', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page

  async function shot(name: string): Promise<void> {
    const path = await app.screenshot(`settings-polish-${name}`)
    mkdirSync(SHOTS, { recursive: true })
    copyFileSync(path, `${SHOTS}/${name}.png`)
  }

  beforeAll(async () => {
    browser = await launchChromium()
    app = await openApp(browser)
    page = app.page
  })
  afterAll(async () => {
    const problems = app?.problems ?? []
    await app?.close()
    await browser?.close()
    expect(problems).toEqual([])
  })

  it('says the strength once, and a mismatch once, under the confirmation', async () => {
    await page.getByRole('heading', { name: 'Create your vault' }).waitFor()
    await field(page, 'Master password').fill(PASSWORD)
    const strength = page.locator('#create-strength .strength-text')
    await expect.poll(() => strength.textContent()).toContain('Strength: strong.')
    expect((await strength.textContent())!.match(/strong/gi)).toHaveLength(1)
    await field(page, 'Confirm master password').fill(`${PASSWORD}!`)
    await page.getByRole('button', { name: 'Create vault' }).click()
    await page.getByRole('alert').getByText('The two passwords do not match').waitFor()
    expect(await page.getByText(/do not match/).count()).toBe(1)
    await shot('01-create-strength-and-mismatch')

    await field(page, 'Confirm master password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create vault' }).click()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
  })

  it('changes the auto-lock delay, the clipboard delay in minutes and seconds, and turns device unlock on', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    const autoLock = page.getByLabel('Lock after (minutes without activity)')
    await expect.poll(() => autoLock.inputValue()).toBe('5')
    await autoLock.fill('0')
    await page.getByRole('button', { name: 'Save auto-lock' }).click()
    await page.getByText('Enter a whole number of minutes from 1 to 240 (4 hours).').waitFor()
    await autoLock.fill('15')
    await page.getByRole('button', { name: 'Save auto-lock' }).click()
    await page.getByRole('status').filter({ hasText: 'Saved. The vault locks after 15 minutes without activity.' }).waitFor()
    expect(app.bridge.services.settings.get().autoLockMinutes).toBe(15)
    expect((await app.bridge.services.vault.status()).autoLockMs).toBe(15 * 60_000)

    await page.getByRole('spinbutton', { name: 'minutes', exact: true }).fill('1')
    await page.getByRole('spinbutton', { name: 'seconds', exact: true }).fill('30')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('status').filter({ hasText: 'Copies are cleared from the clipboard after 90 seconds.' }).waitFor()
    expect(app.bridge.services.settings.get().clipboardClearSeconds).toBe(90)
    await page.getByRole('heading', { name: 'Clipboard' }).scrollIntoViewIfNeeded()
    await shot('02b-settings-clipboard-minutes-seconds')

    const device = page.getByRole('switch', { name: 'Unlock with this device' })
    expect(await device.isChecked()).toBe(false)
    await device.click()
    await page.getByText('On: this computer can unlock without the password.').waitFor()
    expect(await device.isChecked()).toBe(true)
    expect(app.bridge.keyStore.entries.size).toBe(1)
    await page.getByRole('heading', { name: 'Auto-lock' }).scrollIntoViewIfNeeded()
    await shot('02-settings-auto-lock-device-clipboard')
  })

  it('shows a key generated without a label as a muted "(no label)"', async () => {
    const { appKeys, vault } = app.bridge.services
    await vault.confirmPassword(PASSWORD)
    await appKeys.generate({ label: '', roleIds: [] })
    await appKeys.generate({ label: 'CI deploy', roleIds: [] })
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My Keys' }).click()
    await page.getByRole('heading', { name: 'My Keys', level: 1 }).waitFor()
    const blank = page.getByRole('cell', { name: '(no label)' })
    await blank.waitFor()
    expect(await blank.locator('.muted').count()).toBe(1)
    await page.getByRole('cell', { name: 'CI deploy' }).waitFor()
    await shot('03-my-keys-no-label')
  })

  it('unticks "Remember on this device" when the keychain fails', async () => {
    await page.getByRole('button', { name: 'Lock', exact: true }).click()
    await page.getByRole('heading', { name: 'Unlock your vault' }).waitFor()
    const remember = page.getByLabel('Remember on this device')
    expect(await remember.isChecked()).toBe(true)
    app.bridge.keyStore.broken = true
    await page.getByRole('button', { name: 'Unlock with this device' }).click()
    await page.getByRole('alert').waitFor()
    await expect.poll(() => remember.isChecked()).toBe(false)
    await shot('04-unlock-keychain-failed-unticked')
    app.bridge.keyStore.broken = false
  })
})
