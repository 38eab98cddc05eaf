import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'

const PASSWORD = 'correct horse battery staple'
const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label}\\*?$`))

describe('Settings > Browser integration in Chromium', () => {
  let browser: Browser
  let app: E2eApp
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(() => browser.close())
  afterEach(() => app?.close())

  it('turns the host on for every browser, then off for one, and for all', async () => {
    app = await openApp(browser)
    const { page } = app
    await field(page, 'Master password').fill(PASSWORD)
    await field(page, 'Confirm master password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create vault' }).click()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    const section = page.getByRole('region', { name: 'Browser integration' })
    const status = (browserId: string) => section.locator(`tr[data-browser="${browserId}"] td`).nth(1).innerText()
    await section.locator('tr[data-browser="chromium"]').waitFor()
    expect(await status('chromium')).toBe('Off')

    await section.getByRole('button', { name: 'Turn on for all browsers' }).click()
    await section.getByText(/Browser integration is on\. Reload the Keyhold extension/).waitFor()
    for (const id of ['chrome', 'chromium', 'edge', 'brave', 'firefox']) expect(await status(id)).toBe('On')
    const home = join(dirname(app.bridge.vaultPath), 'home')
    const manifest = join(home, '.config/chromium/NativeMessagingHosts/app.keyhold.native.json')
    expect(JSON.parse(readFileSync(manifest, 'utf8'))).toMatchObject({ name: 'app.keyhold.native', allowed_origins: ['chrome-extension://alfgllhfncpkgilkajgdpecciinfhimm/'] })
    await section.scrollIntoViewIfNeeded()
    await app.screenshot('browser-integration-on')

    await section.getByRole('button', { name: 'Turn off for Firefox' }).click()
    await expect.poll(() => status('firefox')).toBe('Off')
    expect(existsSync(join(home, '.mozilla/native-messaging-hosts/app.keyhold.native.json'))).toBe(false)
    await section.getByRole('button', { name: 'Turn off for all' }).click()
    await section.getByText(/Browser integration is off/).waitFor()
    expect(existsSync(manifest)).toBe(false)
    expect(app.problems).toEqual([])
  })
})
