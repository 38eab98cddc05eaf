import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secretInput } from '../../src-shared/ipc/secrets.contract'
import { REAUTH_WINDOW_MS } from '../../src-main/core/vault/vault.service'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { FakeClock, PASSWORD } from '../support/vault'

// The callbacks given to page.evaluate run in Chromium; this file is type-checked for Node,
// without the DOM's lib, so the few page globals they use are declared here.
interface PageElement {
  tagName: string
  id: string
  textContent: string | null
  scrollHeight: number
  clientHeight: number
  getAttribute(name: string): string | null
  matches(selector: string): boolean
}
declare const document: { activeElement: PageElement | null }
declare function getComputedStyle(element: unknown): { boxShadow: string; overflowY: string; paddingLeft: string; paddingRight: string; borderLeftWidth: string; borderRightWidth: string }

/** Screenshots of every dialog at 700 px tall, for people to look at. */
const SHOTS = process.env.KEYHOLD_DIALOG_SHOTS ?? '/tmp/dialog-shots'
const VIEWPORT = { width: 1280, height: 700 }

describe('dialogs in Chromium at 1280×700: guards, focus and the pinned footer', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page
  let clock: FakeClock

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    browser = await launchChromium()
    clock = new FakeClock(Date.now())
    app = await openApp(browser, { clock })
    page = app.page
    await page.setViewportSize(VIEWPORT)
    const services = app.bridge.services
    await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await services.secrets.add(secretInput.parse({ name: 'Stripe prod', url: 'https://api.stripe.com/v1', clientId: 'ca_dialogs', clientSecret: 'SECRET-1' }))
    for (const name of ['Billing reader', 'Deploy bot', 'Audit trail', 'Support desk', 'Partner sync', 'Nightly export'])
      await services.appKeys.createRole({ name, permissions: ['secrets:read'], tags: ['prod'] })
    await services.appKeys.generate({ label: 'CI', roleIds: ['secrets-reader', 'secrets-editor'] })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
  }, 120_000)
  afterAll(async () => {
    expect(app?.problems.join('\n')).toBe('')
    await app?.close()
    await browser?.close()
  })

  const services = () => app.bridge.services
  const dialogNamed = (name: string) => page.getByRole('dialog', { name, exact: true })
  const shot = (name: string) => page.screenshot({ path: resolve(SHOTS, `${name}.png`) })
  /** What has focus: its tag, id, and name, e.g. "BUTTON#…|Cancel". */
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement
      return e ? `${e.tagName}${e.id ? `#${e.id}` : ''}|${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 40)}` : 'none'
    })
  const focusedIs = async (locator: Locator) => expect(await locator.evaluate((e) => e === document.activeElement)).toBe(true)

  /** Tabs through the dialog and back to the start: every stop is a control inside it, none dead. */
  async function tabCycle(dialog: Locator): Promise<string[]> {
    const start = await focused()
    const stops: string[] = []
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab')
      const where = await focused()
      const inside = await dialog.evaluate((d) => d.contains(document.activeElement) && document.activeElement !== d)
      // A control, or the body when it scrolls (Chromium's Tab stop to scroll it by keyboard), with a focus ring.
      const control = await page.evaluate(() => {
        const e = document.activeElement
        if (!e) return false
        if (e.matches('input, select, textarea, button, a[href]')) return true
        return e.matches('.dialog-body') && e.scrollHeight > e.clientHeight && getComputedStyle(e).boxShadow !== 'none'
      })
      expect(inside, `Tab stop ${where} is outside the dialog`).toBe(true)
      expect(control, `Tab stop ${where} is not a control`).toBe(true)
      if (where === start) return stops
      stops.push(where)
    }
    throw new Error(`Tab never came back to ${start}: ${stops.join(', ')}`)
  }

  /** The footer's button is inside the viewport, and the body scrolls when it holds more. */
  async function footerInView(dialog: Locator, button: string): Promise<void> {
    const box = (await dialog.locator('.dialog-footer').getByRole('button', { name: button, exact: true }).boundingBox())!
    expect(box.y).toBeGreaterThanOrEqual(0)
    expect(box.y + box.height).toBeLessThanOrEqual(VIEWPORT.height)
    const body = dialog.locator('.dialog-body').first()
    const [scroll, client, overflow] = await body.evaluate((b) => [b.scrollHeight, b.clientHeight, getComputedStyle(b).overflowY])
    expect(overflow).toBe('auto')
    if (scroll > client) {
      await body.evaluate((b) => b.scrollTo(0, b.scrollHeight))
      expect(await body.evaluate((b) => b.scrollTop)).toBeGreaterThan(0)
    }
  }

  async function asksToDiscard(dialog: Locator, how: 'Escape' | 'Close' | 'Cancel'): Promise<Locator> {
    if (how === 'Escape') await page.keyboard.press('Escape')
    else await dialog.locator('> .dialog-header, > .dialog-footer').getByRole('button', { name: how, exact: true }).click()
    const guard = dialogNamed('Discard changes?')
    await guard.waitFor()
    await focusedIs(guard.getByRole('button', { name: 'Cancel' }))
    return guard
  }

  it('Add API secret: focus in Name, Save in view at 700 px, a changed form asks before it closes, focus returns to the opener', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API secrets' }).click()
    await page.getByRole('heading', { name: 'API secrets', level: 1 }).waitFor()
    const opener = page.getByRole('button', { name: 'View Actions' })
    await opener.click()
    await page.getByRole('menuitem', { name: 'Add API secret' }).click()
    const dialog = dialogNamed('Add API secret')
    await dialog.waitFor()
    await focusedIs(dialog.getByLabel(/^Name/))
    await footerInView(dialog, 'Save')
    await shot('01-add-secret-700')
    const stops = await tabCycle(dialog)
    expect(stops).toContain('BUTTON|Close')
    expect(stops).toContain('BUTTON|Save')

    // Unchanged: Escape closes at once.
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await focusedIs(opener)

    await opener.click()
    await page.getByRole('menuitem', { name: 'Add API secret' }).click()
    await dialog.getByLabel(/^Name/).fill('Half typed')
    await dialog.getByLabel(/^Client ID/).fill('ca_typed')
    let guard = await asksToDiscard(dialog, 'Escape')
    await shot('02-discard-changes')
    await guard.getByRole('button', { name: 'Cancel' }).click()
    await guard.waitFor({ state: 'detached' })
    expect(await dialog.getByLabel(/^Name/).inputValue()).toBe('Half typed')
    expect(await dialog.getByLabel(/^Client ID/).inputValue()).toBe('ca_typed')
    guard = await asksToDiscard(dialog, 'Close')
    await guard.getByRole('button', { name: 'Cancel' }).click()
    guard = await asksToDiscard(dialog, 'Cancel')
    await guard.getByRole('button', { name: 'Discard' }).click()
    await dialog.waitFor({ state: 'detached' })
    await focusedIs(opener)
    expect(services().secrets.count()).toBe(1)
  })

  it('Edit API secret: unchanged closes at once, changed asks; a destructive confirmation starts on Cancel', async () => {
    const actions = page.getByRole('button', { name: 'Actions for Stripe prod' })
    await actions.click()
    await page.getByRole('menuitem', { name: 'Edit' }).click()
    const edit = dialogNamed('Edit API secret')
    await expect.poll(() => edit.getByLabel(/^Name/).inputValue()).toBe('Stripe prod')
    await focusedIs(edit.getByLabel(/^Name/))
    await edit.getByRole('button', { name: 'Cancel' }).click()
    await edit.waitFor({ state: 'detached' })
    await focusedIs(actions)

    await actions.click()
    await page.getByRole('menuitem', { name: 'Edit' }).click()
    await expect.poll(() => edit.getByLabel(/^Name/).inputValue()).toBe('Stripe prod')
    await edit.getByLabel(/^Notes/).fill('rotated in May')
    const guard = await asksToDiscard(edit, 'Escape')
    await guard.getByRole('button', { name: 'Discard' }).click()
    await edit.waitFor({ state: 'detached' })
    await focusedIs(actions)

    await actions.click()
    await page.getByRole('menuitem', { name: 'Delete' }).click()
    const confirm = dialogNamed('Delete API secret?')
    await confirm.waitFor()
    await focusedIs(confirm.getByRole('button', { name: 'Cancel' }))
    await shot('03-delete-confirmation')
    await page.keyboard.press('Escape')
    await confirm.waitFor({ state: 'detached' })
    await focusedIs(actions)
    expect(services().secrets.count()).toBe(1)
  })

  it('New key: titled as its button, asks before discarding, and its QR screen starts on Done, asks on Escape and ×, draws whole pixels per module', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My apps' }).click()
    await page.getByRole('heading', { name: 'My apps', level: 1 }).waitFor()
    const opener = page.getByRole('button', { name: 'View Actions' })
    await opener.click()
    await page.getByRole('menuitem', { name: 'New key' }).click()
    const form = dialogNamed('New key')
    await form.waitFor()
    await focusedIs(form.getByLabel(/^Name/))
    expect(await form.getByText('The items with an asterisk are mandatory.').count()).toBe(1)
    await tabCycle(form)
    await page.keyboard.press('Escape')
    await form.waitFor({ state: 'detached' })
    await focusedIs(opener)

    await opener.click()
    await page.getByRole('menuitem', { name: 'New key' }).click()
    await form.getByLabel(/^Name/).fill('Work browser')
    await form.getByRole('radio', { name: 'Extension' }).check()
    const guard = await asksToDiscard(form, 'Cancel')
    await guard.getByRole('button', { name: 'Cancel' }).click()
    expect(await form.getByLabel(/^Name/).inputValue()).toBe('Work browser')
    expect(await form.getByRole('radio', { name: 'Extension' }).isChecked()).toBe(true)
    await form.getByRole('button', { name: 'Save' }).click()

    const screen = dialogNamed('Authorization key')
    await screen.waitFor()
    await focusedIs(screen.getByRole('button', { name: 'Done' }))
    await footerInView(screen, 'Done')
    const qr = screen.getByTestId('app-qr')
    await expect.poll(() => qr.getAttribute('data-modules')).toMatch(/^\d+$/)
    const modules = Number(await qr.getAttribute('data-modules'))
    const side = await qr.evaluate((img) => {
      const style = getComputedStyle(img)
      return img.getBoundingClientRect().width - ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth'].reduce((sum, p) => sum + parseFloat(style[p as 'paddingLeft']), 0)
    })
    expect(Number.isInteger(side / modules), `${side} px for ${modules} modules`).toBe(true)
    // The module count is the QR's own: its version's size and a quiet zone of 4 on each side.
    const src = (await qr.getAttribute('src'))!
    const png = PNG.sync.read(Buffer.from(src.split(',')[1]!, 'base64'))
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)!
    expect(modules).toBe(17 + 4 * decoded.version + 8)
    expect(decoded.data).toMatch(/^keyhold:/)
    const drawn = PNG.sync.read(await qr.screenshot())
    expect(jsQR(new Uint8ClampedArray(drawn.data), drawn.width, drawn.height)?.data).toBe(decoded.data)
    await shot('04-qr-screen-700')
    // "Copy code" puts the code on the clipboard through main, which clears it later, as a token's copy.
    const code = (await screen.getByTestId('app-code').textContent())!.trim()
    await screen.getByRole('button', { name: 'Copy code' }).click()
    await screen.getByText(/^Code copied\. Keyhold clears the clipboard in /).waitFor()
    expect(await services().clipboard.readText()).toBe(code)
    await screen.getByRole('button', { name: 'Done' }).focus()
    await tabCycle(screen)

    for (const how of ['Escape', 'Close'] as const) {
      await focusedIs(screen.getByRole('button', { name: 'Done' }))
      if (how === 'Escape') await page.keyboard.press('Escape')
      else await screen.locator('.dialog-header').getByRole('button', { name: 'Close' }).click()
      const ask = dialogNamed('Close the key screen?')
      await ask.waitFor()
      await focusedIs(ask.getByRole('button', { name: 'Keep it open' }))
      await ask.getByRole('button', { name: 'Keep it open' }).click()
      await ask.waitFor({ state: 'detached' })
      await screen.getByTestId('app-code').waitFor()
      await screen.getByRole('button', { name: 'Done' }).focus()
    }
    await screen.getByRole('button', { name: 'Done' }).click()
    await dialogNamed('Close the key screen?').getByRole('button', { name: 'Close it' }).click()
    await screen.waitFor({ state: 'detached' })
    await focusedIs(opener)
  })

  it('Generate New: Enter in Label submits, the password is asked before "Generating…", a wrong one keeps the form, the token screen asks on Escape and ×', async () => {
    await page.goto(`${app.bridge.url}#/application-keys/mine`)
    await page.getByRole('heading', { name: 'My Keys', level: 1 }).waitFor()
    clock.advance(REAUTH_WINDOW_MS + 1)
    const opener = page.getByRole('button', { name: 'Generate New' })
    await opener.click()
    const form = dialogNamed('Generate new key')
    await focusedIs(form.getByLabel('Label'))
    await form.getByLabel('Label').fill('Backup script')
    let guard = await asksToDiscard(form, 'Escape')
    await guard.getByRole('button', { name: 'Cancel' }).click()
    expect(await form.getByLabel('Label').inputValue()).toBe('Backup script')

    await form.getByLabel('Label').press('Enter')
    const confirm = dialogNamed('Confirm your master password')
    await confirm.waitFor()
    await focusedIs(confirm.getByLabel(/^Master password/))
    // Not sent yet: the form's button is not saying "Generating…" under the question.
    expect(await form.locator('.dialog-footer button[type="submit"]').textContent()).toBe('Generate')
    await confirm.getByLabel(/^Master password/).fill('not the password')
    await confirm.getByRole('button', { name: 'Confirm' }).click()
    await confirm.getByText(/That master password is not correct/).waitFor()
    await shot('05-confirm-password-wrong')
    expect(await form.getByLabel('Label').inputValue()).toBe('Backup script')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect(await form.getByLabel('Label').inputValue()).toBe('Backup script')
    expect(services().appKeys.list({ type: 'internal' })).toHaveLength(1)

    await form.getByLabel('Label').press('Enter')
    await confirm.getByLabel(/^Master password/).fill(PASSWORD)
    await confirm.getByRole('button', { name: 'Confirm' }).click()
    const screen = dialogNamed('Application key generated')
    await screen.waitFor()
    await focusedIs(screen.getByRole('button', { name: 'I saved the token' }))
    await footerInView(screen, 'I saved the token')
    await shot('06-token-screen-700')
    await tabCycle(screen)
    for (const how of ['Escape', 'Close'] as const) {
      if (how === 'Escape') await page.keyboard.press('Escape')
      else await screen.locator('.dialog-header').getByRole('button', { name: 'Close' }).click()
      const ask = dialogNamed('Close the token screen?')
      await ask.waitFor()
      await focusedIs(ask.getByRole('button', { name: 'Keep it open' }))
      if (how === 'Escape') await shot('07-token-close-question')
      await ask.getByRole('button', { name: 'Keep it open' }).click()
      await ask.waitFor({ state: 'detached' })
      await screen.getByTestId('generated-token').waitFor()
    }
    await page.keyboard.press('Escape')
    await dialogNamed('Close the token screen?').getByRole('button', { name: 'Close it' }).click()
    await screen.waitFor({ state: 'detached' })
    await focusedIs(opener)
    expect(services().appKeys.list({ type: 'internal' }).map((key) => key.label)).toContain('Backup script')
    guard = dialogNamed('Discard changes?')
    expect(await guard.count()).toBe(0)
  })

  it('Add 3rd party key: titled as its button, one mandatory note, focus in Key, Add Roles in view at 700 px, asks before discarding', async () => {
    await page.goto(`${app.bridge.url}#/application-keys`)
    await page.getByRole('heading', { name: 'Application Keys', level: 1 }).waitFor()
    const opener = page.getByRole('button', { name: 'Add 3rd Party Key' })
    await opener.click()
    const form = dialogNamed('Add 3rd party key')
    await form.waitFor()
    await focusedIs(form.getByLabel(/^Key\b/))
    expect(await form.getByText('The items with an asterisk are mandatory.').count()).toBe(1)
    expect(await form.getByText(/are required/).count()).toBe(0)
    await form.getByLabel(/^Key\b/).fill('partner-key-1')

    const add = form.getByRole('button', { name: 'Add Roles' })
    await add.click()
    const picker = dialogNamed('Add roles')
    await picker.waitFor()
    await footerInView(picker, 'Add Roles')
    await shot('08-add-roles-700')
    await picker.getByRole('checkbox', { name: /^API secrets reader/ }).check()
    await picker.getByRole('checkbox', { name: /^Audit trail/ }).check()
    await picker.getByRole('button', { name: 'Add Roles', exact: true }).click()
    await picker.waitFor({ state: 'detached' })
    await focusedIs(add)
    await footerInView(form, 'Save')
    await shot('09-add-external-700')

    const guard = await asksToDiscard(form, 'Close')
    await guard.getByRole('button', { name: 'Cancel' }).click()
    expect(await form.getByLabel(/^Key\b/).inputValue()).toBe('partner-key-1')
    await form.getByRole('button', { name: 'Cancel' }).click()
    await dialogNamed('Discard changes?').getByRole('button', { name: 'Discard' }).click()
    await form.waitFor({ state: 'detached' })
    await focusedIs(opener)
    expect(services().appKeys.list({ type: 'external' })).toEqual([])
  })

  it('Edit key: each role has its own remove (×), a caption says what the ticks do, Remove Roles is plainly off until one is ticked', async () => {
    await page.goto(`${app.bridge.url}#/application-keys/mine`)
    await page.getByRole('heading', { name: 'My Keys', level: 1 }).waitFor()
    const ci = services().appKeys.list({ type: 'internal' }).find((key) => key.label === 'CI')!
    await page.locator(`tr[data-key="${ci.key}"]`).getByRole('button', { name: `Actions for ${ci.key}` }).click()
    await page.getByRole('menuitem', { name: 'Edit' }).click()
    const edit = dialogNamed('Edit key')
    await edit.waitFor()
    const list = edit.getByRole('list', { name: 'Roles of this key' })
    expect(await list.getByRole('button', { name: /^Remove role / }).count()).toBe(2)
    await edit.getByText('Every role listed here is given to the key.', { exact: false }).waitFor()
    const removeChecked = edit.getByRole('button', { name: 'Remove Roles' })
    expect(await removeChecked.isDisabled()).toBe(true)
    await shot('10-edit-key-roles')
    await edit.getByRole('checkbox', { name: 'Select API secrets reader' }).check()
    expect(await removeChecked.isDisabled()).toBe(false)
    await list.getByRole('button', { name: 'Remove role API secrets editor' }).click()
    expect(await list.getByRole('listitem').count()).toBe(1)
    const guard = await asksToDiscard(edit, 'Escape')
    await guard.getByRole('button', { name: 'Discard' }).click()
    await edit.waitFor({ state: 'detached' })
    expect(services().appKeys.get(ci.key).roles).toHaveLength(2)
  })
})
