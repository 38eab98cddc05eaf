import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { build } from 'esbuild'
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_EXTENSION_ID, CHROMIUM_EXTENSION_ORIGIN, NATIVE_HOST_NAME } from '../../extension/src/ids'
import { initVault, keyhold } from '../support/cli'
import { CHROMIUM_PATH, SCREENSHOT_DIR } from '../support/e2e'
import { LOGIN_PAGE, PASSWORD, ROOT, setClipboardDelay, startAgent, until, type Agent } from '../support/extension-e2e'
import { tempDir } from '../support/vault'

const EXTENSION_DIR = join(ROOT, 'out/extension')
const POPUP_URL = `chrome-extension://${CHROMIUM_EXTENSION_ID}/popup.html`
/** The vault's clipboard delay (Settings), which the agent gives the extension: short, so the clear is seen in seconds. */
const CLEAR_SECONDS = 8
/** The host name the browser resolves to the test server: a page on plain http that is not this computer's name for itself. */
const PLAIN_HOST = 'plain-http.test'

/**
 * The extension as it ships (out/extension, loaded unpacked) in Debian's Chromium, with the
 * host manifest in the profile's NativeMessagingHosts pointing at `keyhold native-host`, over a
 * real `keyhold agent` whose approvals are typed on its terminal. Nothing is faked between the
 * popup and the vault.
 */
describe('The Keyhold extension in Chromium, over keyhold native-host and keyhold agent', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  let env: NodeJS.ProcessEnv
  let agent: Agent | null = null
  let context: BrowserContext
  let cdp: CDPSession
  let server: Server
  let site: string
  let loginPage: Page
  let popup: Page
  let launcher: string
  /** (Re)writes the launcher; an extra argument makes the host refuse its caller, as it refuses anything but the Keyhold extension. */
  let writeLauncher: (extraArgument?: string) => void
  const problems: string[] = []
  const cli = (args: string[], input = `${PASSWORD}\n`) => keyhold(['--vault', vault, '--password-stdin', ...args], input, env)

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir('keyhold-extension-'))
    server = createServer((_request, response) => response.setHeader('content-type', 'text/html').end(LOGIN_PAGE))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    vault = join(dir, 'vault.keyhold')
    const run = join(dir, 'run')
    mkdirSync(run, { mode: 0o700 })
    env = { KEYHOLD_AGENT_DIR: run }
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const add = (args: string[], secret: string) => expect(cli(['secret', 'add', ...args, '--client-secret-stdin'], `${PASSWORD}\n${secret}\n`).status).toBe(0)
    add(['--name', 'Stripe prod', '--url', 'https://api.stripe.com', '--client-id', 'stripe-id', '--tag', 'prod'], 'sk_live_stripe')
    add(['--name', 'GitHub CI', '--url', 'https://api.github.com', '--client-id', 'gh-id', '--tag', 'ci'], 'ghs_ci_secret')
    add(['--name', 'Local test API', '--url', `${site}/login`, '--client-id', 'local-client-id', '--identifier', 'local'], 'local-secret-value')
    await setClipboardDelay(vault, CLEAR_SECONDS)

    // The browser starts the host through this script, as `keyhold browser install` writes one.
    launcher = join(dir, 'keyhold-native-host')
    writeLauncher = (extraArgument = '') =>
      writeFileSync(launcher, `#!/bin/sh\nexport KEYHOLD_AGENT_DIR='${run}'\nexec '${process.execPath}' '${join(ROOT, 'bin/keyhold.js')}' native-host "$@"${extraArgument}\n`)
    writeLauncher()
    chmodSync(launcher, 0o755)
    const profile = join(dir, 'profile')
    mkdirSync(join(profile, 'NativeMessagingHosts'), { recursive: true })
    writeFileSync(
      join(profile, 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`),
      JSON.stringify({ name: NATIVE_HOST_NAME, description: 'Keyhold', path: launcher, type: 'stdio', allowed_origins: [CHROMIUM_EXTENSION_ORIGIN] }),
    )
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: false,
      viewport: { width: 420, height: 720 },
      colorScheme: 'light',
      reducedMotion: 'reduce',
      args: ['--headless=new', `--host-resolver-rules=MAP ${PLAIN_HOST} 127.0.0.1`, `--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`, '--no-sandbox', '--no-first-run', '--disable-sync'],
      env: { ...process.env, ...env },
    })
    context.setDefaultTimeout(10_000)
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'))
    expect(worker.url()).toBe(`chrome-extension://${CHROMIUM_EXTENSION_ID}/background.js`)
    cdp = await context.browser()!.newBrowserCDPSession()

    // The person clicks Keyhold's toolbar button on the login page: that grants activeTab there.
    loginPage = context.pages()[0] ?? (await context.newPage())
    await loginPage.goto(`${site}/login`)
    await clickToolbarButton(loginPage)
    // Errors and CSP reports from every page and worker of the extension (popup, service worker, offscreen document).
    context.on('console', (message) => {
      if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) problems.push(`console: ${message.text()}`)
    })
    context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`))
    popup = await context.newPage()
    await popup.goto(POPUP_URL)
  })

  afterAll(async () => {
    await context?.close()
    agent?.child.kill('SIGKILL')
    server?.close()
    cleanup?.()
  })

  /**
   * Extensions.triggerAction runs the extension's action on a tab as a click on its toolbar
   * button does, which grants activeTab for that tab (the only way Fill may write into it). The
   * real popup it opens is closed: the test drives popup.html in a tab of its own.
   */
  async function clickToolbarButton(page: Page): Promise<void> {
    const tabs = (await cdp.send('Target.getTargets', { filter: [{ type: 'tab' }] })).targetInfos
    const tab = tabs.find((t) => t.url === page.url())!
    // The test's own popup tab, once open, has the same address: only the new one is the real popup.
    const before = new Set((await cdp.send('Target.getTargets')).targetInfos.map((t) => t.targetId))
    await cdp.send('Extensions.triggerAction', { id: CHROMIUM_EXTENSION_ID, targetId: tab.targetId })
    let opened: string | undefined
    await until(async () => {
      const pages = (await cdp.send('Target.getTargets')).targetInfos
      opened = pages.find((t) => t.type === 'page' && t.url === POPUP_URL && !before.has(t.targetId))?.targetId
      return opened !== undefined
    })
    await cdp.send('Target.closeTarget', { targetId: opened! })
  }

  async function screenshot(name: string, page: Page = popup): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: join(SCREENSHOT_DIR, `extension-${name}.png`), fullPage: true })
  }

  const screen = () => popup.locator('[data-screen]')
  const code = () => popup.getByLabel('Authorization code')
  const newKey = (name: string) => JSON.parse(cli(['--json', 'app', 'new', '--name', name, '--type', 'extension']).stdout) as { id: string; code: string; uri: string }
  const phraseOf = (text: string) => /Check phrase: ([a-z-]+ [a-z-]+ [a-z-]+ [a-z-]+)/.exec(text)?.[1]
  const clipboard = () => popup.evaluate<string>('navigator.clipboard.readText()')
  const offscreenDocuments = async () => (await cdp.send('Target.getTargets')).targetInfos.filter((t) => t.url.endsWith('/offscreen.html')).length
  const stored = () => popup.evaluate<Record<string, unknown>>('chrome.storage.local.get(null)')

  it('without Keyhold running, a typed code gets "Keyhold is not running", not a spinner', async () => {
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('unpaired')
    const key = newKey('Not yet')
    await code().fill(key.code)
    await popup.getByRole('button', { name: 'Pair' }).click()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('not-running')
    expect(await popup.getByRole('heading').textContent()).toBe('Keyhold is not running')
    expect(await screen().textContent()).toMatch(/Open Keyhold on this computer and unlock it/)
    await screenshot('not-running')
    await popup.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('unpaired')
  })

  let firstCopyAt = 0

  it('pairs by the typed code: typo check as typed, the same check phrase as the agent, approved on its terminal', async () => {
    agent = startAgent(vault, env)
    await until(() => agent!.err().includes('Serving vault'))
    const key = newKey('Work browser')
    // One wrong symbol in the middle: the check symbol catches it as soon as the code is complete.
    const typo = key.code.slice(0, 5) + (key.code[5] === 'A' ? 'B' : 'A') + key.code.slice(6)
    await code().fill(typo.slice(0, 12))
    expect(await popup.locator('#code-hint').textContent()).toBe('10 of 28 characters')
    await code().fill(typo)
    expect(await popup.locator('#code-hint').textContent()).toBe('The code has a typo: its last character does not match the others. Compare it with the screen again.')
    expect(await popup.getByRole('button', { name: 'Pair' }).isDisabled()).toBe(true)
    await screenshot('unpaired-typo')
    await code().fill(key.code.toLowerCase().replace(/-/g, ' '))
    expect(await popup.locator('#code-hint').textContent()).toBe('The code checks out.')
    await popup.getByRole('button', { name: 'Pair' }).click()

    await until(() => phraseOf(agent!.err()) !== undefined)
    await expect.poll(() => popup.locator('.phrase').getAttribute('data-phrase')).toBe(phraseOf(agent.err()))
    expect(agent.err()).toMatch(/Pairing request for "Work browser" \(Extension\)\n {2}The device says: Chromium on Linux \(chrome\), keyhold-extension\/0\.1\.0, extension/)
    expect(await popup.getByRole('heading').textContent()).toBe('Approve on your computer')
    await screenshot('pairing')
    agent.answer('all')

    await expect.poll(() => screen().getAttribute('data-screen')).toBe('paired')
    expect(await popup.locator('.connected').textContent()).toMatch(/Connected as Work browser/)
    await expect.poll(() => popup.getByRole('listitem').count()).toBe(3)
    // Nothing but the pairing is stored, and of it nothing but the pairing's own key is secret.
    const saved = (await stored()) as { pairing: Record<string, unknown> }
    expect(Object.keys(saved)).toEqual(['pairing'])
    expect(Object.keys(saved.pairing).sort()).toEqual(['desktopKey', 'pairing', 'privateKey', 'vaultId'])
    expect(JSON.stringify(saved)).not.toMatch(/sk_live|ghs_ci|local-secret|stripe-id/)
    const apps = JSON.parse(cli(['--json', 'app', 'list']).stdout) as Array<{ name: string; status: string }>
    expect(apps.find((a) => a.name === 'Work browser')?.status).toBe('active')
  })

  it('opened on the login page: that site first, copy (cleared later), fill into the selected field, search', async () => {
    // The popup opens again, now over the login page (the page in front of the person).
    await loginPage.bringToFront()
    await popup.reload()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('paired')
    await expect.poll(() => popup.getByRole('listitem').count()).toBe(3)
    const first = popup.getByRole('listitem').first()
    expect(await first.getAttribute('aria-label')).toBe('Local test API')
    expect(await first.locator('.badge').textContent()).toBe('This site')
    expect(await popup.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^Local test API/), expect.stringMatching(/^GitHub CI/), expect.stringMatching(/^Stripe prod/)])
    expect(await popup.locator('footer').textContent()).toMatch(/Fill writes into the selected field on 127\.0\.0\.1/)

    await first.getByRole('button', { name: 'Copy Client ID' }).click()
    await expect.poll(clipboard).toBe('local-client-id')
    // The client secret is asked on the agent's terminal (the pairing's policy is "ask").
    await first.getByRole('button', { name: 'Copy client secret' }).click()
    await until(() => /wants the client secret of "Local test API"/.test(agent!.err()))
    expect(agent!.err()).toMatch(/Chromium on Linux \(Work browser\) wants the client secret of "Local test API"/)
    agent!.answer('10m')
    await expect.poll(clipboard).toBe('local-secret-value')
    firstCopyAt = Date.now()
    await expect.poll(offscreenDocuments).toBe(1)
    expect(await popup.getByRole('status').filter({ hasText: 'Copied' }).textContent()).toBe(
      `Copied the client secret of “Local test API”. It is cleared from the clipboard in ${CLEAR_SECONDS} seconds.`,
    )
    await screenshot('paired-copied')

    // Fill writes only into the field the person selected on the page, with the events typing sends.
    await loginPage.focus('#client-secret')
    await first.getByRole('button', { name: 'Fill client secret' }).click()
    await expect.poll(() => loginPage.inputValue('#client-secret')).toBe('local-secret-value')
    expect(await loginPage.getAttribute('#client-secret', 'data-inputs')).toBe('1')
    expect(await loginPage.inputValue('#client-id')).toBe('')
    expect(await popup.getByRole('status').filter({ hasText: 'Filled' }).textContent()).toBe('Filled the client secret of “Local test API” into the field you selected.')
    await loginPage.focus('#client-id')
    await first.getByRole('button', { name: 'Fill Client ID' }).click()
    await expect.poll(() => loginPage.inputValue('#client-id')).toBe('local-client-id')
    await loginPage.evaluate('document.activeElement.blur()')
    await first.getByRole('button', { name: 'Fill Client ID' }).click()
    await expect.poll(() => popup.locator('.status').textContent()).toBe('Click into the field on the page first, then choose Fill again.')

    await popup.getByRole('searchbox', { name: 'Search API secrets' }).fill('ci')
    await expect.poll(() => popup.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^GitHub CI/)])
    await popup.getByRole('searchbox', { name: 'Search API secrets' }).fill('no such secret')
    await expect.poll(() => popup.locator('.summary').textContent()).toBe('No API secrets match this search.')
    expect(problems).toEqual([])
  })

  it('on a plain http page of another host, Fill asks first and writes nothing until the person says so', async () => {
    await loginPage.goto(`http://${PLAIN_HOST}:${new URL(site).port}/login`)
    await clickToolbarButton(loginPage)
    await loginPage.bringToFront()
    await popup.reload()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('paired')
    await expect.poll(() => popup.getByRole('listitem').count()).toBe(3)
    // 127.0.0.1 is not this page's host: no secret is "This site" here.
    expect(await popup.locator('.badge').count()).toBe(0)
    const local = popup.getByRole('listitem', { name: 'Local test API' })
    await loginPage.focus('#client-id')
    await local.getByRole('button', { name: 'Fill Client ID' }).click()
    await expect.poll(() => popup.locator('.status').textContent()).toMatch(/^This page is not encrypted \(http\)\. Fill anyway\?/)
    await popup.getByRole('button', { name: 'Cancel' }).click()
    expect(await loginPage.inputValue('#client-id')).toBe('')
    await local.getByRole('button', { name: 'Fill Client ID' }).click()
    await popup.getByRole('button', { name: 'Fill anyway' }).click()
    await expect.poll(() => loginPage.inputValue('#client-id')).toBe('local-client-id')
    await screenshot('paired-http-filled')
    expect(problems).toEqual([])
  })

  it('Sign out ends the pairing in Keyhold and forgets it here', async () => {
    await popup.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('unpaired')
    expect(await popup.getByRole('status').first().textContent()).toBe('Signed out. This browser can no longer read from Keyhold.')
    expect(await stored()).toEqual({})
    const apps = JSON.parse(cli(['--json', 'app', 'list']).stdout) as Array<{ name: string; status: string }>
    expect(apps.find((a) => a.name === 'Work browser')?.status).toBe('revoked')
  })

  it('pairs from a pasted pairing link; revoking it with keyhold in another process disconnects the open popup at once', async () => {
    const key = newKey('Second browser')
    await code().fill(key.uri)
    expect(await popup.locator('#code-hint').textContent()).toBe('The pairing link checks out.')
    await popup.getByRole('button', { name: 'Pair' }).click()
    await until(() => (agent!.err().match(/Check phrase: /g) ?? []).length === 2)
    agent!.answer('tags ci')
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('paired')
    expect(await popup.locator('.scope').textContent()).toBe('API secrets tagged ci · client secrets asked on your computer')
    await expect.poll(() => popup.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^GitHub CI/)])
    await screenshot('paired')

    // The host refusing this caller is not the pairing ending: the popup says what to do and keeps the pairing.
    writeLauncher(' refused-caller')
    await popup.reload()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('host-refused')
    expect(await screen().textContent()).toMatch(/Keyhold's browser integration refused this extension\. Turn browser integration off and on again in Keyhold's Settings > Browser integration\./)
    expect(Object.keys(await stored())).toEqual(['pairing'])
    await screenshot('host-refused')
    writeLauncher()
    await popup.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('paired')
    await expect.poll(() => popup.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^GitHub CI/)])

    const revokedAt = Date.now()
    expect(cli(['app', 'revoke', key.id]).status).toBe(0)
    await expect.poll(() => screen().getAttribute('data-screen'), { timeout: 3_000 }).toBe('ended')
    expect(Date.now() - revokedAt).toBeLessThan(2_000)
    expect(await popup.getByRole('heading').textContent()).toBe('Disconnected in Keyhold')
    expect(await stored()).toEqual({})
    await screenshot('ended')
    await popup.getByRole('button', { name: 'Pair again' }).click()
    await expect.poll(() => screen().getAttribute('data-screen')).toBe('unpaired')
    expect(problems).toEqual([])
  })

  it("the copied client secret is cleared from the clipboard after the vault's delay", async () => {
    // The popup's copy is watched by the offscreen document, which outlives the popup.
    await popup.close()
    await new Promise((r) => setTimeout(r, Math.max(0, firstCopyAt + CLEAR_SECONDS * 1000 + 500 - Date.now())))
    const page = await context.newPage()
    await page.goto(POPUP_URL)
    await expect.poll(() => page.evaluate<string>('navigator.clipboard.readText()'), { timeout: 3_000 }).toBe('')
    await page.close()
    // With nothing left to watch, the offscreen document is closed again.
    await expect.poll(offscreenDocuments, { timeout: 3_000 }).toBe(0)
    expect(problems).toEqual([])
  })
})

describe('The Keyhold popup screens, for people to look at', () => {
  it('draws every screen clearly: not paired, pairing, paired, locked, not running, integration off, disconnected, failed', async () => {
    const { dir, cleanup } = tempDir('keyhold-extension-gallery-')
    await build({ entryPoints: [join(ROOT, 'test/extension/screens.gallery.ts')], outfile: join(dir, 'gallery.js'), bundle: true, format: 'esm', logLevel: 'warning' })
    const header = /<header class="bar">[\s\S]*?<\/header>/.exec(readFileSync(join(EXTENSION_DIR, 'popup.html'), 'utf8'))![0]
    writeFileSync(
      join(dir, 'gallery.html'),
      `<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="${join(EXTENSION_DIR, 'popup.css')}"><template id="bar">${header}</template>
<style>body { width: auto; display: flex; flex-wrap: wrap; gap: 16px; padding: 16px; background: #999 } .popup { width: 380px; background: var(--bg) }</style>
<div id="gallery" style="display: contents"></div><script type="module" src="gallery.js"></script>`,
    )
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--allow-file-access-from-files'] })
    try {
      for (const scheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1300, height: 900 } })
        const errors: string[] = []
        page.on('pageerror', (error) => errors.push(error.message))
        await page.goto(`file://${join(dir, 'gallery.html')}`)
        await page.locator('.popup[data-name="paired-empty"]').waitFor()
        expect(errors).toEqual([])
        expect(await page.locator('.popup[data-name="unpaired-typo"] #code-hint').textContent()).toMatch(/typo/)
        mkdirSync(SCREENSHOT_DIR, { recursive: true })
        for (const popup of await page.locator('.popup').all())
          await popup.screenshot({ path: join(SCREENSHOT_DIR, `extension-screen-${await popup.getAttribute('data-name')}${scheme === 'dark' ? '-dark' : ''}.png`) })
        await page.close()
      }
    } finally {
      await browser.close()
      cleanup()
    }
  })
})
