import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { secretInput } from '../../src-shared/ipc/secrets.contract'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { PASSWORD } from '../support/vault'

describe('API secrets in Chromium, through the real core', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page

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

  async function start(): Promise<void> {
    app = await openApp(browser)
    page = app.page
    await app.bridge.services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
  }

  const services = () => app.bridge.services
  const dialogNamed = (name: string) => page.getByRole('dialog', { name })
  const field = (label: string) => page.getByLabel(new RegExp(`^${label}\\*?$`))
  const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) })
  const saved = () => page.getByRole('status').filter({ hasText: 'API secret saved' })

  async function openReport(): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API secrets' }).click()
    await page.getByRole('heading', { name: 'API secrets', level: 1 }).waitFor()
  }

  async function seed(count: number): Promise<void> {
    const vendors = ['Stripe', 'GitHub', 'Twilio', 'Slack']
    await services().secrets.addMany(
      Array.from({ length: count }, (_, i) =>
        secretInput.parse({
          name: `${vendors[i % 4]} service ${String(i).padStart(2, '0')}`,
          url: `https://api.${vendors[i % 4]!.toLowerCase()}.com/v1`,
          clientId: `client-${i}`,
          clientSecret: `SEEDED-SECRET-${i}`,
          identifier: `seed-${i}`,
          method: i % 2 ? 'GET' : 'POST',
          tags: i % 3 === 0 ? ['prod', 'payments'] : ['staging'],
        }),
      ),
    )
  }

  it('adds an API secret from the home page\'s "+ Add password" drop-down, checking every field first', async () => {
    await start()
    await page.getByRole('button', { name: 'Add password' }).click()
    await page.getByRole('menuitem', { name: 'Add API secret' }).click()
    const dialog = dialogNamed('Add API secret')
    await dialog.waitFor()
    await dialog.getByText('The items with an asterisk are mandatory.').waitFor()
    for (const label of ['Name*', 'URL*', 'Client ID*']) await dialog.locator('label', { hasText: label }).first().waitFor()
    expect(await dialog.locator('.required-mark').count()).toBe(3)

    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText('The name is required.').waitFor()
    await dialog.getByText('The URL is required.').waitFor()
    await dialog.getByText('The Client ID is required.').waitFor()
    expect(await page.evaluate('document.activeElement?.id')).toBe('secret-name')
    await app.screenshot('secrets-00-add-form-mandatory')

    await field('Name').fill('Stripe payments')
    await field('URL').fill('api.stripe.com/v1')
    await field('Client ID').fill('ci_live_77')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText('The URL must be an absolute http:// or https:// address').waitFor()
    await app.screenshot('secrets-01-add-form-errors')
    expect(services().secrets.count()).toBe(0)

    await field('URL').fill('https://api.stripe.com/v1')
    // Pasted past its bound, a client secret is refused with the bound: never cut to fit and saved.
    await page.getByLabel('Client secret').focus()
    await page.keyboard.insertText('s'.repeat(4097))
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.getByText('The client secret can have at most 4096 characters.').waitFor()
    expect(await page.getByLabel('Client secret').inputValue()).toHaveLength(4097)
    expect(services().secrets.count()).toBe(0)
    await page.getByLabel('Client secret').fill('sk_live_E2E_SECRET_1')
    await field('Identifier').fill('stripe-prod')
    await field('Method').selectOption('POST')
    await field('Tags').fill('prod')
    await field('Tags').press('Enter')
    await field('Tags').fill('payments,')
    await dialog.getByRole('button', { name: 'Remove tag prod' }).waitFor()
    await field('Notes').fill('Rotate every 90 days.')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })

    await saved().waitFor()
    await page.getByRole('heading', { name: 'API secrets', level: 1 }).waitFor()
    await row('Stripe payments').waitFor()
    const [stored] = (await services().secrets.list()).items
    expect(stored).toMatchObject({ name: 'Stripe payments', identifier: 'stripe-prod', method: 'POST', tags: ['prod', 'payments'] })
    expect(services().secrets.reveal(stored!.id).clientSecret).toBe('sk_live_E2E_SECRET_1')
    expect(await page.content()).not.toContain('sk_live_E2E_SECRET_1')
  })

  it('adds from the API secrets page\'s View Actions, and refuses a duplicate Identifier next to the field', async () => {
    await start()
    await seed(1)
    await openReport()
    await page.getByRole('button', { name: 'View Actions' }).click()
    await page.getByRole('menuitem', { name: 'Add API secret' }).click()
    const dialog = dialogNamed('Add API secret')
    await field('Name').fill('Another')
    await field('URL').fill('https://another.example.com')
    await field('Client ID').fill('c2')
    await field('Identifier').fill('  SEED-0 ')
    await dialog.getByRole('button', { name: 'Save' }).click()
    const error = dialog.locator('#secret-identifier-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/The Identifier is already used by another API secret/)
    expect(await field('Identifier').getAttribute('aria-invalid')).toBe('true')
    expect(await page.evaluate('document.activeElement?.id')).toBe('secret-identifier')
    await app.screenshot('secrets-02-duplicate-identifier')
    expect(services().secrets.count()).toBe(1)

    await field('Identifier').fill('another')
    await expect.poll(() => error.count()).toBe(0)
    // A pasted list of tags is kept whole, however long the text: each tag is checked on its own.
    const pasted = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota']
    await field('Tags').focus()
    await page.keyboard.insertText(pasted.join(', '))
    await field('Tags').press('Enter')
    await dialog.getByRole('button', { name: 'Remove tag iota' }).waitFor()
    await dialog.getByRole('button', { name: 'Save' }).click()
    await saved().waitFor()
    await row('Another').waitFor()
    expect(services().secrets.count()).toBe(2)
    expect((await services().secrets.list({ search: 'another' })).items[0]!.tags).toEqual(pasted)
  })

  it('searches as you type, filters by tag, sorts and pages, showing at most 50 rows', async () => {
    await start()
    await seed(60)
    await openReport()
    await page.getByText('60 API secrets').waitFor()
    expect(await page.locator('tbody tr').count()).toBe(50)
    await page.getByText('1–50 of 60').waitFor()
    await app.screenshot('secrets-03-report')
    await page.getByRole('button', { name: 'Next' }).click()
    await page.getByText('51–60 of 60').waitFor()
    expect(await page.locator('tbody tr').count()).toBe(10)

    const search = page.getByRole('searchbox', { name: 'Search API secrets' })
    await search.pressSequentially('stri', { delay: 30 })
    await page.getByText('15 matches').waitFor()
    expect(await page.locator('tbody tr').count()).toBe(15)
    expect(await page.locator('tbody th').allTextContents()).toEqual(Array.from({ length: 15 }, (_, k) => `Stripe service ${String(k * 4).padStart(2, '0')}`))

    await page.getByLabel('Filter by tag').selectOption('prod')
    await page.getByText('5 matches').waitFor()
    await search.fill('zzqx')
    await page.getByRole('heading', { name: 'No API secrets match' }).waitFor()
    await page.getByRole('button', { name: 'Clear search and filter' }).click()
    await page.getByText('60 API secrets').waitFor()

    await page.getByRole('button', { name: 'Name' }).click()
    await expect.poll(() => page.locator('tbody th').first().textContent()).toBe('Twilio service 58')
    expect(await page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe('descending')
    // Keyboard: the first row's name is reachable and opens the view with Enter.
    await page.locator('tbody th button').first().focus()
    await page.keyboard.press('Enter')
    await dialogNamed('Twilio service 58').waitFor()
    expect(await page.content()).not.toContain('SEEDED-SECRET')
  })

  it('shows the client secret only on "Show", and copies through main', async () => {
    await start()
    await seed(1)
    await openReport()
    await row('Stripe service 00').getByRole('button', { name: 'Stripe service 00', exact: true }).click()
    const view = dialogNamed('Stripe service 00')
    await view.getByText('client-0').waitFor()
    expect(await page.content()).not.toContain('SEEDED-SECRET-0')

    await view.getByRole('button', { name: 'Show client secret' }).click()
    await view.getByTestId('client-secret-value').filter({ hasText: 'SEEDED-SECRET-0' }).waitFor()
    await app.screenshot('secrets-04-revealed-secret')
    await view.getByRole('button', { name: 'Hide client secret' }).click()
    await view.getByText('Hidden').waitFor()
    expect(await page.content()).not.toContain('SEEDED-SECRET-0')

    await view.getByRole('button', { name: 'Copy client secret' }).click()
    await view.getByText('Client secret copied. The clipboard is cleared in 30 seconds.').waitFor()
    expect(await services().clipboard.readText()).toBe('SEEDED-SECRET-0')
    await view.getByRole('button', { name: 'Copy Client ID' }).click()
    await view.getByText('Client ID copied.', { exact: false }).waitFor()
    expect(await services().clipboard.readText()).toBe('client-0')
    expect(await page.content()).not.toContain('SEEDED-SECRET-0')

    // Main locks (idle, suspend) while it is shown: the next call finds out, and it leaves the screen.
    await view.getByRole('button', { name: 'Show client secret' }).click()
    await view.getByTestId('client-secret-value').filter({ hasText: 'SEEDED-SECRET-0' }).waitFor()
    await services().vault.lock()
    await view.getByRole('button', { name: 'Copy Client ID' }).click()
    await page.getByRole('heading', { name: 'Unlock your vault' }).waitFor()
    expect(await page.content()).not.toContain('SEEDED-SECRET-0')
  })

  it('lets the person set how long a copy stays on the clipboard (Settings), and a copy then says so', async () => {
    await start()
    await seed(1)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
    const minutes = page.getByRole('spinbutton', { name: 'minutes', exact: true })
    const delay = page.getByRole('spinbutton', { name: 'seconds', exact: true })
    // The fields show the setting once the page has loaded it.
    await expect.poll(() => delay.inputValue()).toBe('30')
    expect(await minutes.inputValue()).toBe('0')
    await minutes.fill('11')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByText('Enter a delay from 5 seconds to 10 minutes: whole minutes, and seconds from 0 to 59.').waitFor()
    expect(services().settings.get()).toMatchObject({ clipboardClearSeconds: 30 })
    await minutes.fill('1')
    await delay.fill('30')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await page.getByRole('status').filter({ hasText: 'Settings saved. Copies are cleared from the clipboard after 90 seconds.' }).waitFor()
    await app.screenshot('settings-01-clipboard-delay')
    expect(services().settings.get()).toMatchObject({ clipboardClearSeconds: 90 })

    await openReport()
    await row('Stripe service 00').getByRole('button', { name: 'Stripe service 00', exact: true }).click()
    const view = dialogNamed('Stripe service 00')
    await view.getByRole('button', { name: 'Copy client secret' }).click()
    await view.getByText('Client secret copied. The clipboard is cleared in 90 seconds.').waitFor()
    expect(await services().clipboard.readText()).toBe('SEEDED-SECRET-0')
  })

  it('edits from the view, keeping the client secret, and deletes after a confirmation', async () => {
    await start()
    await seed(2)
    await openReport()
    await row('Stripe service 00').getByRole('button', { name: 'Stripe service 00', exact: true }).click()
    await dialogNamed('Stripe service 00').getByRole('button', { name: 'Edit' }).click()
    const edit = dialogNamed('Edit API secret')
    await expect.poll(() => field('Name').inputValue()).toBe('Stripe service 00')
    await edit.getByText('Leave empty to keep the current client secret.').waitFor()
    expect(await page.getByLabel('Client secret').inputValue()).toBe('')
    await field('Name').fill('Stripe (EU)')
    await field('Method').selectOption('PATCH')
    await edit.getByRole('button', { name: 'Save' }).click()
    await saved().waitFor()
    await row('Stripe (EU)').waitFor()
    const id = (await services().secrets.list({ search: 'eu' })).items[0]!.id
    expect(services().secrets.get(id)).toMatchObject({ name: 'Stripe (EU)', method: 'PATCH', identifier: 'seed-0' })
    expect(services().secrets.reveal(id).clientSecret).toBe('SEEDED-SECRET-0')

    await row('Stripe (EU)').getByRole('button', { name: 'Actions for Stripe (EU)' }).click()
    await page.getByRole('menuitem', { name: 'Delete' }).click()
    const confirm = dialogNamed('Delete API secret?')
    await confirm.getByText('This cannot be undone.', { exact: false }).waitFor()
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect(services().secrets.count()).toBe(2)
    await row('Stripe (EU)').getByRole('button', { name: 'Actions for Stripe (EU)' }).click()
    await page.getByRole('menuitem', { name: 'Delete' }).click()
    await dialogNamed('Delete API secret?').getByRole('button', { name: 'Delete' }).click()
    await page.getByRole('status').filter({ hasText: 'API secret deleted' }).waitFor()
    await row('Stripe (EU)').waitFor({ state: 'detached' })
    expect(services().secrets.count()).toBe(1)
  })
})
