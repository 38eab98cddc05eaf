import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { dataKeyOf, decryptWith } from '../support/vault-image'

const PASSWORD = 'correct horse battery staple'
const NEW_PASSWORD = 'violet kettle drums at noon'

/** A field by its label; the label's required asterisk is optional in the match. */
const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label}\\*?$`))

/** The focused element's name attribute, read in the page. */
const focusedName = (page: Page): Promise<string | null> => page.evaluate('document.activeElement?.getAttribute("name") ?? null')

async function createVault(app: E2eApp, options: { remember?: boolean } = {}): Promise<void> {
  const { page } = app
  await field(page, 'Master password').fill(PASSWORD)
  await field(page, 'Confirm master password').fill(PASSWORD)
  if (options.remember) await page.getByLabel('Remember on this device').check()
  await page.getByRole('button', { name: 'Create vault' }).click()
  await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
}

async function openSettings(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
}

/** Fills the "Rotate encryption key" form's password and presses its button. */
async function rotateKey(page: Page, password: string): Promise<void> {
  await field(page, 'Master password').fill(password)
  await page.getByRole('button', { name: 'Rotate encryption key' }).click()
}

/** Scrolls the screen to its end, so a message under the last form shows in a screenshot. */
const scrollToEnd = (page: Page) => page.locator('main').evaluate((main) => main.scrollTo(0, main.scrollHeight))

async function unlockWith(page: Page, password: string): Promise<void> {
  const input = field(page, 'Master password')
  await input.fill(password)
  await input.press('Enter')
}

describe('vault screens in Chromium', () => {
  let browser: Browser
  let app: E2eApp

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    const problems = app?.problems ?? []
    await app?.close()
    expect(problems).toEqual([])
  })

  it('creates a vault: a mismatch is refused, then the vault opens on home', async () => {
    app = await openApp(browser)
    const { page } = app
    await page.getByRole('heading', { name: 'Create your vault' }).waitFor()
    await field(page, 'Master password').fill(PASSWORD)
    await field(page, 'Confirm master password').fill(`${PASSWORD}!`)
    await page.getByRole('button', { name: 'Create vault' }).click()
    await page.getByRole('alert').getByText('The two passwords do not match').waitFor()
    expect(await focusedName(page)).toBe('confirm')
    expect(existsSync(app.bridge.vaultPath)).toBe(false)
    await app.screenshot('01-create-mismatch')

    await field(page, 'Confirm master password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create vault' }).click()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
    expect(existsSync(app.bridge.vaultPath)).toBe(true)
    expect(await app.bridge.services.vault.status()).toMatchObject({ state: 'unlocked' })
    const menu = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()
    expect([menu[0], menu.at(-1)]).toEqual(['Home', 'Settings'])
    await app.screenshot('02-home')
  })

  it('locks, refuses a wrong password keeping what was typed, and unlocks', async () => {
    app = await openApp(browser)
    const { page } = app
    await createVault(app)
    await page.getByRole('button', { name: 'Lock', exact: true }).click()
    await page.getByRole('heading', { name: 'Unlock your vault' }).waitFor()
    expect(app.bridge.services.vault.isUnlocked).toBe(false)
    expect(await focusedName(page)).toBe('password')
    await app.screenshot('03-unlock')

    await unlockWith(page, 'correct horse battery stapler')
    await page.getByRole('alert').getByText('That master password is not correct').waitFor()
    expect(await field(page, 'Master password').inputValue()).toBe('correct horse battery stapler')
    expect(await focusedName(page)).toBe('password')
    await app.screenshot('04-unlock-wrong-password')

    await unlockWith(page, PASSWORD)
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
    expect(app.bridge.services.vault.isUnlocked).toBe(true)
  })

  it('changes the master password in Settings; then only the new one unlocks', async () => {
    app = await openApp(browser)
    const { page } = app
    await createVault(app)
    await openSettings(page)
    await expect.poll(() => page.getByLabel('Lock after (minutes without activity)').inputValue()).toBe('5')
    await field(page, 'Current master password').fill(PASSWORD)
    await field(page, 'New master password').fill(NEW_PASSWORD)
    await field(page, 'Confirm new master password').fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Change master password' }).click()
    await page.getByRole('status').getByText('Master password changed').waitFor()
    await app.screenshot('05-settings-changed')

    await page.getByRole('button', { name: 'My vault' }).click()
    await app.screenshot('06-user-menu')
    await page.getByRole('menuitem', { name: 'Lock' }).click()
    await page.getByRole('heading', { name: 'Unlock your vault' }).waitFor()
    expect(await page.evaluate('location.hash')).toBe('#/unlock?next=/settings')

    await unlockWith(page, PASSWORD)
    await page.getByRole('alert').getByText('That master password is not correct').waitFor()
    await unlockWith(page, NEW_PASSWORD)
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
  })

  it('rotates the encryption key in Settings; the old key opens nothing next to the vault, the same password unlocks', async () => {
    app = await openApp(browser)
    const { page } = app
    await createVault(app)
    await openSettings(page)
    const oldKey = await dataKeyOf(app.bridge.vaultPath, PASSWORD)
    await page.getByRole('heading', { name: 'Rotate encryption key' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }))
    await app.screenshot('09-settings-rotate-key')

    await rotateKey(page, '')
    await page.getByRole('alert').getByText('Enter your master password to rotate the key.').waitFor()
    expect(await focusedName(page)).toBe('rotatePassword')
    await rotateKey(page, 'correct horse battery stapler')
    await page.getByRole('alert').getByText('That master password is not correct').waitFor()
    expect(await focusedName(page)).toBe('rotatePassword')
    expect(decryptWith(app.bridge.vaultPath, oldKey)).not.toBeNull()

    await rotateKey(page, PASSWORD)
    await page.getByRole('status').getByText('Encryption key rotated.').waitFor()
    expect(await field(page, 'Master password').inputValue()).toBe('')
    await scrollToEnd(page)
    await app.screenshot('10-settings-key-rotated')
    expect(decryptWith(app.bridge.vaultPath, oldKey)).toBeNull()
    expect(decryptWith(`${app.bridge.vaultPath}.bak`, oldKey)).toBeNull()

    await page.getByRole('button', { name: 'Lock', exact: true }).click()
    await page.getByRole('heading', { name: 'Unlock your vault' }).waitFor()
    await unlockWith(page, PASSWORD)
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
  })

  it('gives a remembered device a new key when rotating, and forgets it with a warning when the keychain fails', async () => {
    app = await openApp(browser)
    const { page } = app
    await createVault(app, { remember: true })
    await openSettings(page)
    await page.getByText('On: this computer can unlock without the password.').waitFor()
    const deviceKey = [...app.bridge.keyStore.entries.values()]
    await rotateKey(page, PASSWORD)
    await page.getByRole('status').getByText('Encryption key rotated.').waitFor()
    expect([...app.bridge.keyStore.entries.values()]).not.toEqual(deviceKey)
    await page.getByRole('button', { name: 'Lock', exact: true }).click()
    await page.getByRole('button', { name: 'Unlock with this device' }).click()
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()

    app.bridge.keyStore.broken = true
    await rotateKey(page, PASSWORD)
    await page.getByRole('alert').getByText('so this computer is no longer remembered for this vault').waitFor()
    await page.getByRole('status').getByText('This computer is no longer remembered: see the warning at the top.').waitFor()
    await page.getByText('Off: the master password is always asked.').waitFor()
    await scrollToEnd(page)
    await app.screenshot('11-settings-rotate-device-forgotten')
    await page.getByRole('button', { name: 'Lock', exact: true }).click()
    await page.getByRole('heading', { name: 'Unlock your vault' }).waitFor()
    expect(await page.getByRole('button', { name: 'Unlock with this device' }).count()).toBe(0)
    await unlockWith(page, PASSWORD)
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
  })

  it('unlocks with this device, and falls back to the password when the keychain fails', async () => {
    app = await openApp(browser)
    const { page } = app
    await createVault(app, { remember: true })
    await page.getByRole('button', { name: 'Lock', exact: true }).click()
    await page.getByRole('button', { name: 'Unlock with this device' }).waitFor()
    await app.screenshot('07-unlock-with-device')
    await page.getByRole('button', { name: 'Unlock with this device' }).click()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()

    await page.getByRole('button', { name: 'Lock', exact: true }).click()
    app.bridge.keyStore.broken = true
    await page.getByRole('button', { name: 'Unlock with this device' }).click()
    await page.getByRole('alert').getByText('The system keychain is not available').waitFor()
    expect(await page.getByRole('button', { name: 'Unlock with this device' }).count()).toBe(0)
    expect(await focusedName(page)).toBe('password')
    await app.screenshot('08-device-unlock-fallback')
    await unlockWith(page, PASSWORD)
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
  })

  it('goes back to the unlock screen when main locks the idle vault', async () => {
    app = await openApp(browser, { autoLockMs: 2_000 })
    const { page } = app
    await createVault(app)
    await page.getByRole('heading', { name: 'Unlock your vault' }).waitFor({ timeout: 15_000 })
    expect(app.bridge.services.vault.isUnlocked).toBe(false)
  })
})
