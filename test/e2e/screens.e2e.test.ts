import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secretInput } from '../../src-shared/ipc/secrets.contract'
import { axeViolations } from '../support/axe'
import { launchChromium, openApp, SCREENSHOT_DIR, type E2eApp } from '../support/e2e'
import { PASSWORD } from '../support/vault'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const LOCALES_DIR = resolve(ROOT, 'src-renderer/i18n/locales')
type Locale = 'en' | 'pt-BR'

/** A locale's messages by dotted key, as the app has them (vue-i18n's {'@'} escapes undone). */
function catalog(locale: Locale): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string') out.set(path, value.replace(/\{'(.)'\}/g, '$1'))
    else for (const [k, v] of Object.entries(value as object)) walk(v, path ? `${path}.${k}` : k)
  }
  for (const file of readdirSync(resolve(LOCALES_DIR, locale))) walk(JSON.parse(readFileSync(resolve(LOCALES_DIR, locale, file), 'utf8')), '')
  return out
}
const CATALOGS = { en: catalog('en'), 'pt-BR': catalog('pt-BR') }

/** A message as the screen shows it in `locale`, its placeholders filled. */
function say(locale: Locale, key: string, named: Record<string, string> = {}): string {
  const message = CATALOGS[locale].get(key)
  if (message === undefined) throw new Error(`no message ${key} in ${locale}`)
  return message.replace(/\{(\w+)\}/g, (_, name: string) => named[name] ?? `{${name}}`)
}

/**
 * English sentences that must not be left on a Portuguese screen: every English message of two
 * words or more whose Portuguese differs, without its placeholders (the parts around them).
 */
const ENGLISH_ONLY = [...CATALOGS.en.entries()]
  .filter(([key, english]) => CATALOGS['pt-BR'].get(key) !== english)
  .flatMap(([, english]) => english.split(/\{\w+\}|\s\|\s/))
  .map((part) => part.trim())
  .filter((part) => part.split(/\s+/).length >= 2 && part.length >= 8)

/**
 * Every screen and dialog, in English and Brazilian Portuguese, light and dark: axe finds
 * nothing, and a Portuguese screen has no English sentence left. Pictures of each, for people
 * to look at, in test-results/screenshots/screens-<locale>-<scheme>-<screen>.png.
 */
describe('every screen in both languages, light and dark (Chromium)', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page

  beforeAll(async () => {
    browser = await launchChromium()
    app = await openApp(browser)
    page = app.page
  })
  afterAll(async () => {
    await app?.close()
    await browser?.close()
  })

  /** What is wrong with the screen showing now: axe's violations, and English left on a Portuguese one. */
  async function check(locale: Locale, scheme: string, screen: string): Promise<string[]> {
    // Buttons ease their colours in over 0.12 s: look once they are done.
    await page.waitForTimeout(200)
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, `screens-${locale}-${scheme}-${screen}.png`) })
    const problems = (await axeViolations(page)).map((violation) => `${screen}: ${violation}`)
    if (locale === 'pt-BR') {
      const shown = (await page.evaluate(
        `[document.body.innerText, ...[...document.querySelectorAll('[aria-label],[title],[placeholder]')].flatMap((e) => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder')]), document.title].filter(Boolean).join('\\n')`,
      )) as string
      for (const english of ENGLISH_ONLY) if (shown.includes(english)) problems.push(`${screen}: English left: "${english}"`)
      if ((await page.evaluate('document.documentElement.lang')) !== 'pt-BR') problems.push(`${screen}: <html lang> is not pt-BR`)
    }
    return problems
  }

  async function go(hash: string, heading: string): Promise<void> {
    await page.evaluate(`location.hash = ${JSON.stringify(hash)}`)
    await page.getByRole('heading', { name: heading, level: 1, exact: true }).waitFor()
  }

  /** Opens a dialog with `open`, checks it, and closes it by reloading (no guard in the way). */
  async function dialog(locale: Locale, scheme: string, screen: string, open: () => Promise<void>): Promise<string[]> {
    await open()
    await page.getByRole('dialog').waitFor()
    const problems = await check(locale, scheme, screen)
    // A route may hold the dialog open (#/api-secrets/new): leave it before reloading.
    await page.evaluate('location.hash = "#/"')
    await page.reload()
    await page.getByRole('heading', { name: say(locale, 'shell.home.title'), level: 1 }).waitFor()
    return problems
  }

  it('the empty list pages, in both languages and themes: each offers its main action as a button, and axe finds nothing', async () => {
    // An empty vault of its own, in a second window.
    const empty = await openApp(browser)
    const own = page
    page = empty.page
    try {
      await empty.bridge.services.vault.create({ password: PASSWORD, rememberOnDevice: false })
      const problems: string[] = []
      for (const locale of ['en', 'pt-BR'] as const) {
        for (const scheme of ['light', 'dark'] as const) {
          const s = (key: string) => say(locale, key)
          await page.emulateMedia({ colorScheme: scheme })
          await page.evaluate(`localStorage.setItem('keyhold.language', ${JSON.stringify(locale)})`)
          await page.evaluate('location.hash = "#/"')
          await page.reload()
          await page.getByRole('heading', { name: s('shell.home.title'), level: 1 }).waitFor()
          for (const [hash, heading, title, action] of [
            ['#/api-secrets', 'shell.nav.apiSecrets', 'secrets.page.emptyTitle', 'secrets.page.add'],
            ['#/my-apps', 'shell.nav.myApps', 'apps.view.emptyTitle', 'apps.view.newKey'],
            ['#/application-keys', 'shell.nav.applicationKeys', 'appKeys.page.emptyTitle', 'appKeys.page.addExternal'],
            ['#/application-keys/mine', 'shell.nav.myKeys', 'appKeys.myKeys.emptyTitle', 'appKeys.myKeys.generateNew'],
          ] as const) {
            await go(hash, s(heading))
            const state = page.locator('section.empty')
            await state.getByText(s(title)).waitFor()
            // The header keeps its main action; the empty state offers the first step as a button too.
            if ((await page.locator('.page-header').getByRole('button', { name: s(action) }).count()) !== 1) problems.push(`${hash}: no "${s(action)}" in the header`)
            if ((await state.locator('.empty-actions .btn-primary').count()) !== 1) problems.push(`${hash}: the empty state offers no button`)
            problems.push(...(await check(locale, scheme, `empty-${hash.replace(/\W+/g, '-').replace(/^-|-$/g, '')}`)))
          }
        }
      }
      expect(empty.problems).toEqual([])
      expect(problems).toEqual([])
    } finally {
      page = own
      await empty.close()
    }
  })

  for (const locale of ['en', 'pt-BR'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${locale}, ${scheme}: create, unlock, home, the list pages, settings and their dialogs`, async () => {
        const s = (key: string, named?: Record<string, string>) => say(locale, key, named)
        const services = app.bridge.services
        await page.emulateMedia({ colorScheme: scheme })
        await page.evaluate(`localStorage.setItem('keyhold.language', ${JSON.stringify(locale)})`)
        const absent = (await services.vault.status()).state === 'absent'
        if (services.vault.isUnlocked) {
          services.vault.lock()
          await services.vault.locked()
        }
        const problems: string[] = []

        // Before a vault exists, then locked. (One vault for all runs: created by the first.)
        if (absent) {
          await page.reload()
          await page.getByRole('heading', { name: s('vault.create.title') }).waitFor()
          problems.push(...(await check(locale, scheme, 'create')))
          await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
          await services.secrets.add(secretInput.parse({ name: 'Stripe prod', url: 'https://api.stripe.com', clientId: 'cid', clientSecret: 'sk_live_x', identifier: 'stripe', tags: ['prod'] }))
          await services.apps.create({ name: 'Ada’s phone', type: 'mobile', expiresAt: null })
          await services.appKeys.generate({ label: 'CI', roleIds: ['secrets-reader'] })
          services.vault.lock()
          await services.vault.locked()
        }
        await page.reload()
        await page.getByRole('heading', { name: s('vault.unlock.title') }).waitFor()
        problems.push(...(await check(locale, scheme, 'unlock')))
        await services.vault.unlock({ password: PASSWORD })
        await page.evaluate('location.hash = "#/"')
        await page.reload()
        await page.getByRole('heading', { name: s('shell.home.title') }).waitFor()
        problems.push(...(await check(locale, scheme, 'home')))

        await go('#/api-secrets', s('shell.nav.apiSecrets'))
        problems.push(...(await check(locale, scheme, 'api-secrets')))
        problems.push(...(await dialog(locale, scheme, 'add-api-secret', () => page.locator('.page-header').getByRole('button', { name: s('secrets.page.add') }).click())))
        await go('#/api-secrets', s('shell.nav.apiSecrets'))
        problems.push(
          ...(await dialog(locale, scheme, 'view-api-secret', async () => {
            await page.getByRole('button', { name: s('shell.rowActions.label', { name: 'Stripe prod' }) }).click()
            await page.getByRole('menuitem', { name: s('secrets.table.view') }).click()
          })),
        )

        for (const [screen, action] of [
          ['edit-api-secret', 'common.edit'],
          ['delete-api-secret', 'common.delete'],
        ] as const) {
          await go('#/api-secrets', s('shell.nav.apiSecrets'))
          problems.push(
            ...(await dialog(locale, scheme, screen, async () => {
              await page.getByRole('button', { name: s('shell.rowActions.label', { name: 'Stripe prod' }) }).click()
              await page.getByRole('menuitem', { name: s(action) }).click()
            })),
          )
        }

        await go('#/my-apps', s('shell.nav.myApps'))
        problems.push(...(await check(locale, scheme, 'my-apps')))
        problems.push(...(await dialog(locale, scheme, 'new-key', () => page.locator('.page-header').getByRole('button', { name: s('apps.view.newKey') }).click())))
        // The screen a new key is shown on once: its QR code, manual code and warnings.
        await go('#/my-apps', s('shell.nav.myApps'))
        await page.locator('.page-header').getByRole('button', { name: s('apps.view.newKey') }).click()
        await page.locator('#app-name').fill(`Phone ${locale} ${scheme}`)
        await page.locator('input[name="app-type"][value="mobile"]').check()
        await page.locator('form#new-key-form').evaluate((form) => (form as unknown as { requestSubmit(): void }).requestSubmit())
        await page.locator('img.qr').waitFor()
        problems.push(...(await dialog(locale, scheme, 'key-created', async () => undefined)))

        await go('#/application-keys', s('shell.nav.applicationKeys'))
        problems.push(...(await check(locale, scheme, 'application-keys')))
        problems.push(...(await dialog(locale, scheme, 'add-3rd-party-key', () => page.locator('.page-header').getByRole('button', { name: s('appKeys.page.addExternal') }).click())))
        await go('#/application-keys/mine', s('shell.nav.myKeys'))
        problems.push(...(await check(locale, scheme, 'my-keys')))
        problems.push(...(await dialog(locale, scheme, 'generate-new', () => page.locator('.page-header').getByRole('button', { name: s('appKeys.myKeys.generateNew') }).click())))

        await go('#/activity', s('activity.page.title'))
        problems.push(...(await check(locale, scheme, 'activity')))
        await go('#/settings', s('settings.title'))
        problems.push(...(await check(locale, scheme, 'settings')))

        expect(app.problems).toEqual([])
        expect(problems).toEqual([])
      })
    }
  }
})
