import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectSocket } from '../../src-main/core/agent/socket-transport'
import { CompanionError, pair, readPairingInput, type PairedIdentity, type Session } from '../../src-shared/local-access/client'
import type { DeviceClaim } from '../../src-shared/local-access/messages'
import type { AppType } from '../../src-shared/types/apps'
import { addSecrets, CLAIM, eventually } from '../support/agent'
import type { BridgeOptions } from '../support/bridge'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { PASSWORD } from '../support/vault'

type Paired = { identity: PairedIdentity; session: Session }
type Outcome = { ok: true; value: Paired } | { ok: false; error: CompanionError }

describe('Connected apps in Chromium: the approval dialogs over the real agent', () => {
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

  /** A new vault with three API secrets, unlocked in the window, its agent listening on a real socket. */
  async function start(options: BridgeOptions = {}): Promise<void> {
    app = await openApp(browser, options)
    page = app.page
    // A step that fails says so in seconds, not after playwright's 30.
    page.setDefaultTimeout(10_000)
    await services().vault.create({ password: PASSWORD, rememberOnDevice: false })
    await addSecrets(services())
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
    await eventually(() => services().agent.status().listening, 5_000)
  }

  const services = () => app.bridge.services
  const approval = () => page.getByRole('dialog', { name: 'Approve this device?' })
  const revealDialog = () => page.getByRole('dialog', { name: 'Show a client secret to a device?' })
  const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) })
  /** A row of Connected apps: its heading cell is the application's name, its type on the line under it. */
  const pairingRow = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name} (Mobile app|Extension)$`) }) })

  /** "+ New key" done by the core: the one-time result with the pairing URI the QR code holds. */
  const newApp = (name: string, type: AppType = 'mobile') => services().apps.create({ name, type, expiresAt: null })

  /**
   * The companion's side, in the test process: the reference client pairs over the agent's
   * socket and waits for the person. The outcome never rejects; `phrase` is what the device shows.
   */
  async function startPairing(uri: string, claim: DeviceClaim = CLAIM): Promise<{ outcome: Promise<Outcome>; phrase: () => string }> {
    let phrase = ''
    const outcome = pair(await connectSocket(app.bridge.agentEndpoint()), readPairingInput(uri), { claim, onPhrase: (p) => (phrase = p) }).then(
      (value): Outcome => {
        sessions.push(value.session)
        return { ok: true, value }
      },
      (error: CompanionError): Outcome => ({ ok: false, error }),
    )
    return { outcome, phrase: () => phrase }
  }

  /** A pairing approved without the window (all API secrets), for the tests about what comes after. */
  async function pairedWithoutDialog(uri: string, claim: DeviceClaim = CLAIM): Promise<Paired> {
    const { outcome } = await startPairing(uri, claim)
    await eventually(() => services().agent.prompts().length > 0, 5_000)
    services().agent.answerPairing(services().agent.prompts()[0]!.id, { approved: true, scope: { secrets: 'all' }, reveal: 'allow' })
    const result = await outcome
    if (!result.ok) throw result.error
    return result.value
  }

  async function openMenuItem(name: string, heading: string = name): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click()
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor()
  }

  it('approves a device with a tag scope and no reveal question: the client gets that scope, My apps shows it active, Settings lists it', async () => {
    await start()
    const created = await newApp('Work phone')
    const { outcome, phrase } = await startPairing(created.uri)

    const dialog = approval()
    await dialog.waitFor()
    await eventually(() => phrase() !== '')
    expect(await dialog.getByTestId('check-phrase').textContent()).toBe(phrase())
    expect(phrase()).toMatch(/^[a-z]+ [a-z]+ [a-z]+ [a-z]+$/)
    expect(await dialog.getByTestId('pairing-app').textContent()).toBe('Work phone · Mobile app')
    expect(await dialog.getByTestId('pairing-device').textContent()).toBe('Test phone · Android')
    await dialog.getByText('keyhold-test/1').waitFor()
    await dialog.getByText('Approve only if the device shows the same four words.').waitFor()
    await dialog.getByText('Never expires').waitFor()
    expect(await dialog.getByRole('radio', { name: 'All API secrets' }).isChecked()).toBe(true)
    expect(await dialog.getByRole('radio', { name: 'Ask on this computer each time' }).isChecked()).toBe(true)
    expect(await dialog.getByRole('timer').textContent()).toMatch(/^[12]:\d\d$/)

    await dialog.getByRole('radio', { name: 'Only API secrets tagged …' }).check()
    // A tag needs choosing: Approve without one says so and sends nothing.
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await dialog.getByText('Choose at least one tag, or let the app read all API secrets.').waitFor()
    await dialog.getByRole('button', { name: 'Add tag prod' }).click()
    await dialog.getByRole('radio', { name: 'Don’t ask' }).check()
    await app.screenshot('agent-01-approval')
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await dialog.waitFor({ state: 'detached' })

    const result = await outcome
    if (!result.ok) throw result.error
    expect(result.value.identity.pairing).toMatchObject({ app: { id: created.app.id, name: 'Work phone' }, scope: { secrets: 'tagged', tags: ['prod'] }, reveal: 'allow' })
    // The scope holds: only the API secret tagged prod is listed, and its secret comes without a question.
    const listed = await result.value.session.list()
    expect(listed.items.map((s) => s.name)).toEqual(['Stripe prod'])
    expect(await result.value.session.reveal(listed.items[0]!.id)).toEqual({ clientSecret: 'sk_live_stripe' })

    await openMenuItem('My apps')
    await row('Work phone').getByText('Active').waitFor()
    expect(await row('Work phone').locator('td').nth(4).textContent()).not.toContain('Never')

    await openMenuItem('Settings')
    const listedRow = pairingRow('Work phone')
    await listedRow.getByText('Connected').waitFor()
    await listedRow.getByRole('rowheader').getByText('Mobile app').waitFor()
    const cells = await listedRow.locator('td').allTextContents()
    expect(cells.slice(0, 3).map((cell) => cell.trim())).toEqual(['Test phone · Androidkeyhold-test/1', 'Tagged: prod', 'Doesn’t ask'])
    await page.getByTestId('agent-state').getByText(`On: listening on ${app.bridge.agentEndpoint().socket}`).waitFor()
    await page.getByRole('heading', { name: 'Paired apps', exact: true }).scrollIntoViewIfNeeded()
    await app.screenshot('agent-02-settings-connected-apps')
  })

  it('denies with Escape: the client is refused and My apps shows the application revoked; a terminal on an extension key is flagged', async () => {
    await start()
    const created = await newApp('Work browser', 'extension')
    const { outcome } = await startPairing(created.uri, { device: { name: 'build-box', platform: 'linux' }, software: 'keyhold/1.0.0', kind: 'cli' })

    const dialog = approval()
    await dialog.waitFor()
    expect(await dialog.getByTestId('pairing-app').textContent()).toBe('Work browser · Extension')
    await dialog.getByText('The device says it is a terminal, but “Work browser” was made for an extension. Deny unless you expected this.').waitFor()
    await app.screenshot('agent-03-approval-kind-mismatch')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })

    const result = await outcome
    expect(result.ok).toBe(false)
    expect(!result.ok && { code: result.error.code, message: result.error.message }).toEqual({ code: 'FORBIDDEN', message: expect.stringMatching(/^The pairing was denied on the computer\. The key is used up/) })

    await openMenuItem('My apps')
    await page.getByRole('radio', { name: /Expired and revoked/ }).check()
    await row('Work browser').getByText('Revoked').waitFor()
    expect(services().pairings.list()).toEqual([])

    // Nothing paired: Settings says how to pair. The switch turns the agent off and on.
    await openMenuItem('Settings')
    await page.getByRole('heading', { name: 'No paired apps yet' }).waitFor()
    await page.getByText('keyhold connect --code CODE').waitFor()
    const toggle = page.getByRole('switch', { name: 'Let paired apps and application keys connect to Keyhold' })
    expect(await toggle.isChecked()).toBe(true)
    await toggle.uncheck()
    await page.getByTestId('agent-state').getByText('Off: no paired app or application key can connect.').waitFor()
    expect(services().agent.status()).toMatchObject({ enabled: false, listening: false })
    await page.getByRole('heading', { name: 'No paired apps yet' }).scrollIntoViewIfNeeded()
    await app.screenshot('agent-07-settings-off-empty')
    await toggle.check()
    await page.getByTestId('agent-state').getByText('On: listening on').waitFor()
    expect(services().agent.status()).toMatchObject({ enabled: true, listening: true })
  })

  it('closes the dialog by itself when nobody answers in time, and the client is refused', async () => {
    await start({ agentTimings: { approvalMs: 3_000 } })
    const created = await newApp('Slow phone')
    const { outcome } = await startPairing(created.uri)

    const dialog = approval()
    await dialog.waitFor()
    expect(await dialog.getByRole('timer').textContent()).toMatch(/^0:0[0-3]$/)
    await dialog.waitFor({ state: 'detached', timeout: 6_000 })
    const result = await outcome
    expect(!result.ok && result.error.code).toBe('FORBIDDEN')
    expect(services().apps.get(created.app.id).status).toBe('revoked')
  })

  it('revokes one connected app from its row, then all the others: their live sessions close within a second', async () => {
    await start()
    const phone = await pairedWithoutDialog((await newApp('Work phone')).uri)
    const browserExt = await pairedWithoutDialog((await newApp('Work browser', 'extension')).uri, { device: { name: 'Laptop', platform: 'firefox' }, software: 'keyhold-ext/1', kind: 'extension' })
    const tablet = await pairedWithoutDialog((await newApp('Tablet')).uri, { device: { name: 'Tab S9', platform: 'android' }, software: 'keyhold-android/1', kind: 'mobile' })

    await openMenuItem('Settings')
    await pairingRow('Work phone').getByText('Connected').waitFor()
    await pairingRow('Work phone').getByRole('button', { name: 'Actions for Work phone on Test phone' }).click()
    await page.getByRole('menuitem', { name: 'Revoke' }).click()
    const one = page.getByRole('dialog', { name: 'Revoke “Work phone” on Test phone?' })
    await one.getByRole('button', { name: 'Revoke' }).click()
    await one.waitFor({ state: 'detached' })
    await eventually(() => phone.session.closed, 1_000)
    await pairingRow('Work phone').getByText('Ended').waitFor()
    expect(browserExt.session.closed || tablet.session.closed).toBe(false)

    await page.getByRole('button', { name: 'Revoke all' }).click()
    const all = page.getByRole('dialog', { name: 'Revoke all 2 connected apps?' })
    await all.waitFor()
    await app.screenshot('agent-04-revoke-all-confirmation')
    await all.getByRole('button', { name: 'Revoke all' }).click()
    await all.waitFor({ state: 'detached' })
    await eventually(() => browserExt.session.closed && tablet.session.closed, 1_000)
    await page.getByText('2 connected apps revoked: none can connect to your vault any more.').waitFor()
    for (const name of ['Work browser', 'Tablet']) await pairingRow(name).getByText('By Revoke all').waitFor()
    await pairingRow('Work phone').getByText('Revoked', { exact: true }).waitFor()
    expect(await page.getByRole('button', { name: 'Revoke all' }).count()).toBe(0)
    await app.screenshot('agent-05-revoked-all')
  })

  it('asks before a reveal when the pairing says so: Allow once gives the client secret, Deny refuses it', async () => {
    await start()
    const created = await newApp('Work phone')
    const { outcome } = await startPairing(created.uri)
    // The defaults: all API secrets, ask each time.
    await approval().getByRole('button', { name: 'Approve' }).click()
    const result = await outcome
    if (!result.ok) throw result.error
    expect(result.value.identity.pairing).toMatchObject({ scope: { secrets: 'all' }, reveal: 'ask' })
    const { session } = result.value
    const stripe = (await session.list({ query: 'stripe' })).items[0]!

    const revealed = session.reveal(stripe.id)
    const dialog = revealDialog()
    await dialog.waitFor()
    expect((await dialog.getByTestId('reveal-question').textContent())?.trim()).toBe('Test phone (Work phone) wants the client secret of “Stripe prod”.')
    expect(await dialog.getByRole('timer').textContent()).toMatch(/^[01]:\d\d$/)
    await app.screenshot('agent-06-reveal-request')
    await dialog.getByRole('button', { name: 'Allow once' }).click()
    await dialog.waitFor({ state: 'detached' })
    expect(await revealed).toEqual({ clientSecret: 'sk_live_stripe' })

    const refused = session.reveal(stripe.id).catch((error: CompanionError) => error)
    await revealDialog().getByRole('button', { name: 'Deny' }).click()
    expect(await refused).toMatchObject({ code: 'FORBIDDEN' })
    await revealDialog().waitFor({ state: 'detached' })
  })
})
