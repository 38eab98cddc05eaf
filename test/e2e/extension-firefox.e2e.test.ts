import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIREFOX_EXTENSION_ID } from '../../extension/src/ids'
import { initVault, keyhold } from '../support/cli'
import { SCREENSHOT_DIR } from '../support/e2e'
import { LOGIN_PAGE, PASSWORD, ROOT, setClipboardDelay, startAgent, until, type Agent } from '../support/extension-e2e'
import { tempDir } from '../support/vault'

const EXTENSION_DIR = join(ROOT, 'out/extension-firefox')
const FIREFOX_PATH = process.env.KEYHOLD_FIREFOX ?? '/usr/bin/firefox-esr'
/** The extension's internal UUID, fixed by the profile (extensions.webextensions.uuids) so the popup has a known address. */
const EXTENSION_UUID = '6a1c3b5e-8f0d-4e7a-9b2c-1d3e5f7a9b0c'
const POPUP_URL = `moz-extension://${EXTENSION_UUID}/popup.html`
/** The vault's clipboard delay (Settings), which the agent gives the extension and the popup says in its words. */
const CLEAR_SECONDS = 120

/**
 * Firefox suspends an idle event page after this long (extensions.background.idle.timeout,
 * 30 s by default). Shortened so the test sees the clipboard watch outlive it in seconds.
 */
const IDLE_MS = 6_000

/** Firefox's own complaints on a machine without network: its experiments loader cannot sync. */
const KNOWN_FIREFOX_NOISE = [/^console\.error: RSLoader:/]

/** Polls `read` until it gives `expected` (bounded), then returns it, so a failure shows the last value. */
async function poll<T>(read: () => Promise<T>, expected: T, ms = 10_000): Promise<T> {
  let last: T | undefined
  await until(async () => {
    last = await read().catch(() => undefined)
    return JSON.stringify(last) === JSON.stringify(expected)
  }, ms).catch(() => {})
  return last as T
}

/**
 * The least of WebDriver BiDi this test needs, over one WebSocket: commands, and errors logged
 * by pages. Stock Firefox speaks it (--remote-debugging-port); playwright-core's BiDi client
 * asks Firefox 153 ESR for commands it does not have, and puppeteer-core brings ~80 packages.
 */
class Bidi {
  private next = 0
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  readonly problems: string[] = []

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; type: string; result?: unknown; error?: string; message?: string; method?: string; params?: { level: string; text: string; source: { context?: string } } }
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id)
        this.pending.delete(message.id)
        if (message.type === 'error') waiting?.reject(new Error(`${message.error}: ${message.message}`))
        else waiting?.resolve(message.result)
      } else if (message.method === 'log.entryAdded' && message.params?.level === 'error') this.problems.push(`console: ${message.params.text}`)
    })
  }

  static async connect(url: string): Promise<Bidi> {
    const socket = new WebSocket(`${url}/session`)
    await new Promise((done, fail) => socket.once('open', done).once('error', fail))
    const bidi = new Bidi(socket)
    await bidi.send('session.new', { capabilities: {} })
    await bidi.send('session.subscribe', { events: ['log.entryAdded'] })
    return bidi
  }

  send<T = Record<string, unknown>>(method: string, params: object = {}): Promise<T> {
    const id = ++this.next
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.socket.send(JSON.stringify({ id, method, params }))
    })
  }

  close(): void {
    this.socket.close()
  }
}

/** A tab, driven the way a person would: real clicks and key presses (trusted input), reads through script. */
class Tab {
  constructor(
    private readonly bidi: Bidi,
    readonly context: string,
  ) {}

  async goto(url: string): Promise<void> {
    await this.bidi.send('browsingContext.navigate', { context: this.context, url, wait: 'complete' })
  }

  async reload(): Promise<void> {
    await this.bidi.send('browsingContext.reload', { context: this.context, wait: 'complete' })
  }

  async bringToFront(): Promise<void> {
    await this.bidi.send('browsingContext.activate', { context: this.context })
  }

  /** The value of `expression` (awaited) in the page, as JSON. */
  async eval<T>(expression: string): Promise<T> {
    const answer = await this.bidi.send<{ type: string; result: { type: string; value?: string }; exceptionDetails?: { text: string } }>('script.evaluate', {
      expression: `(async () => JSON.stringify(await (${expression})))()`,
      target: { context: this.context },
      awaitPromise: true,
      userActivation: false,
    })
    if (answer.type === 'exception') throw new Error(`in the page: ${answer.exceptionDetails?.text}`)
    return answer.result.value === undefined ? (undefined as T) : (JSON.parse(answer.result.value) as T)
  }

  /** The element `selector` finds, for input actions (bounded wait until it exists). */
  private async element(selector: string): Promise<{ sharedId: string }> {
    let found: { type: string; sharedId?: string } = { type: 'null' }
    await until(async () => {
      const answer = await this.bidi.send<{ result: { type: string; sharedId?: string } }>('script.evaluate', {
        expression: `document.querySelector(${JSON.stringify(selector)})`,
        target: { context: this.context },
        awaitPromise: false,
      })
      found = answer.result
      return found.type === 'node'
    })
    return { sharedId: found.sharedId! }
  }

  /** A left click in the middle of the element, through Firefox's input (a real user gesture). */
  async click(selector: string): Promise<void> {
    const element = await this.element(selector)
    await this.bidi.send('input.performActions', {
      context: this.context,
      actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: [{ type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element } }, { type: 'pointerDown', button: 0 }, { type: 'pointerUp', button: 0 }] }],
    })
  }

  /** Clicks into the field, empties it and types `text` key by key. */
  async type(selector: string, text: string): Promise<void> {
    await this.click(selector)
    await this.eval(`(() => { const field = document.querySelector(${JSON.stringify(selector)}); field.select(); return true })()`)
    const keys = [...text].flatMap((key) => [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }])
    await this.bidi.send('input.performActions', { context: this.context, actions: [{ type: 'key', id: 'keyboard', actions: keys }] })
  }

  text(selector: string): Promise<string | null> {
    return this.eval(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`)
  }

  attribute(selector: string, name: string): Promise<string | null> {
    return this.eval(`document.querySelector(${JSON.stringify(selector)})?.getAttribute(${JSON.stringify(name)}) ?? null`)
  }

  async screenshot(name: string): Promise<void> {
    const { data } = await this.bidi.send<{ data: string }>('browsingContext.captureScreenshot', { context: this.context, origin: 'document' })
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    writeFileSync(join(SCREENSHOT_DIR, `extension-firefox-${name}.png`), Buffer.from(data, 'base64'))
  }
}

/**
 * The extension as built for Firefox (out/extension-firefox, installed as a temporary add-on
 * through WebDriver BiDi) in Debian's Firefox ESR, with the host manifest that `keyhold browser
 * install --browser firefox` writes into $HOME/.mozilla/native-messaging-hosts (HOME is a temp
 * folder), over a real `keyhold agent` whose approvals are typed on its terminal. Nothing is
 * faked between the popup and the vault.
 */
describe('The Keyhold extension in Firefox, over keyhold native-host and keyhold agent', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  let env: NodeJS.ProcessEnv
  let agent: Agent | null = null
  let firefox: ChildProcess
  let bidi: Bidi
  let chrome: string
  let server: Server
  let site: string
  let loginPage: Tab
  let popup: Tab
  /** Firefox's stdout and stderr. */
  let output = ''
  /**
   * Errors from every page of the extension (popup, background page) and the login page:
   * uncaught exceptions, console.error and CSP reports, as Firefox prints them (BiDi's log
   * events leave out moz-extension pages), and those BiDi reports for web pages.
   */
  const problems = () => [
    ...output.split('\n').filter((line) => /^JavaScript error: moz-extension:|^console\.error:|Content.Security.Policy/i.test(line) && !KNOWN_FIREFOX_NOISE.some((known) => known.test(line))),
    ...bidi.problems,
  ]
  const cli = (args: string[], input = `${PASSWORD}\n`) => keyhold(['--vault', vault, '--password-stdin', ...args], input, env)

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir('keyhold-extension-firefox-'))
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

    // Firefox reads host manifests from $HOME/.mozilla/native-messaging-hosts: Keyhold's own install writes it there.
    const home = join(dir, 'home')
    mkdirSync(home)
    const installed = keyhold(['--json', 'browser', 'install', '--browser', 'firefox'], '', { ...env, HOME: home })
    expect(installed.status).toBe(0)
    const manifest = JSON.parse(readFileSync(join(home, '.mozilla/native-messaging-hosts/app.keyhold.native.json'), 'utf8')) as { allowed_extensions: string[] }
    expect(manifest.allowed_extensions).toEqual([FIREFOX_EXTENSION_ID])

    const profile = join(dir, 'profile')
    mkdirSync(profile)
    const prefs = {
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_EXTENSION_ID]: EXTENSION_UUID }),
      'extensions.background.idle.timeout': IDLE_MS,
      // The extension's pages (popup, background page) log to Firefox's stdout, Firefox's own code does not: see problems().
      'devtools.console.stdout.content': true,
      'devtools.console.stdout.chrome': false,
    }
    writeFileSync(join(profile, 'user.js'), Object.entries(prefs).map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`).join(''))
    // --remote-allow-system-access: BiDi may open moz-extension pages and reach the browser window (for the toolbar button).
    firefox = spawn(FIREFOX_PATH, ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port=0', '--remote-allow-system-access', 'about:blank'], {
      env: { PATH: process.env.PATH, HOME: home, KEYHOLD_AGENT_DIR: run, MOZ_CRASHREPORTER_DISABLE: '1' },
    })
    firefox.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`Firefox did not start its WebDriver BiDi server:\n${output}`)), 30_000)
      firefox.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const found = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(output)
        if (found) {
          clearTimeout(timer)
          done(found[1]!)
        }
      })
    })
    bidi = await Bidi.connect(url)
    expect(await bidi.send('webExtension.install', { extensionData: { type: 'path', path: EXTENSION_DIR } })).toEqual({ extension: FIREFOX_EXTENSION_ID })
    chrome = (await bidi.send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', { 'moz:scope': 'chrome' })).contexts[0]!.context

    // The person clicks Keyhold's toolbar button on the login page: that grants activeTab there.
    const [first] = (await bidi.send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', { maxDepth: 0 })).contexts
    loginPage = new Tab(bidi, first!.context)
    await loginPage.goto(`${site}/login`)
    await clickToolbarButton()
    const { context } = await bidi.send<{ context: string }>('browsingContext.create', { type: 'tab' })
    popup = new Tab(bidi, context)
    await bidi.send('browsingContext.setViewport', { context, viewport: { width: 380, height: 600 } })
    await popup.goto(POPUP_URL)
  })

  afterAll(async () => {
    await Promise.race([bidi?.send('browser.close').catch(() => {}), new Promise((r) => setTimeout(r, 5_000))])
    bidi?.close()
    firefox?.kill('SIGKILL')
    agent?.child.kill('SIGKILL')
    server?.close()
    cleanup?.()
  })

  /**
   * Runs Keyhold's browser action on the selected tab as a click on its toolbar button does
   * (Firefox's own triggerAction, from the browser window), which grants activeTab for that
   * tab. The real popup panel it opens is closed again: the test drives popup.html in a tab.
   */
  async function clickToolbarButton(): Promise<void> {
    const inBrowserWindow = async <T>(body: string): Promise<T> => {
      const answer = await bidi.send<{ result: { value: T } }>('script.evaluate', {
        expression: `(() => {
          const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs')
          const { extension } = WebExtensionPolicy.getByID(${JSON.stringify(FIREFOX_EXTENSION_ID)})
          const action = ExtensionParent.apiManager.global.browserActionFor(extension)
          const { ViewPopup } = ChromeUtils.importESModule('resource:///modules/ExtensionPopups.sys.mjs')
          const popup = () => ViewPopup.for(extension, window)
          ${body}
        })()`,
        target: { context: chrome },
        awaitPromise: false,
      })
      return answer.result.value
    }
    await inBrowserWindow('action.triggerAction(window)')
    expect(await inBrowserWindow<boolean>('return extension.tabManager.hasActiveTabPermission(gBrowser.selectedTab)')).toBe(true)
    await until(() => inBrowserWindow<boolean>('return Boolean(popup())'), 5_000)
    await inBrowserWindow('popup().closePopup()')
    await until(async () => !(await inBrowserWindow<boolean>('return Boolean(popup())')), 5_000)
  }

  const screen = () => popup.attribute('[data-screen]', 'data-screen')
  const newKey = (name: string) => JSON.parse(cli(['--json', 'app', 'new', '--name', name, '--type', 'extension']).stdout) as { id: string; code: string; uri: string }
  const phraseOf = (text: string) => /Check phrase: ([a-z-]+ [a-z-]+ [a-z-]+ [a-z-]+)/.exec(text)?.[1]
  const clipboard = () => popup.eval<string>('navigator.clipboard.readText()')
  const items = () => popup.eval<string[]>(`[...document.querySelectorAll('li')].map((li) => li.getAttribute('aria-label'))`)

  it('is built for Firefox: the id the host manifest allows, an event page, none of Chromium\'s own keys', () => {
    const firefoxManifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>
    const chromiumManifest = JSON.parse(readFileSync(join(ROOT, 'out/extension/manifest.json'), 'utf8')) as Record<string, unknown>
    expect(firefoxManifest.browser_specific_settings).toMatchObject({ gecko: { id: FIREFOX_EXTENSION_ID, strict_min_version: expect.stringMatching(/^\d+\.0$/) } })
    expect(firefoxManifest.background).toEqual({ scripts: ['background.js'], type: 'module' })
    expect(firefoxManifest).not.toHaveProperty('key')
    expect(firefoxManifest).not.toHaveProperty('minimum_chrome_version')
    expect(firefoxManifest.permissions).toEqual((chromiumManifest.permissions as string[]).filter((p) => p !== 'offscreen'))
    expect(readdirSync(EXTENSION_DIR)).not.toContain('offscreen.html')
  })

  it('pairs by the typed code: the same check phrase as the agent, approved on its terminal', async () => {
    expect(await poll(screen, 'unpaired')).toBe('unpaired')
    agent = startAgent(vault, env)
    await until(() => agent!.err().includes('Serving vault'))
    const key = newKey('Firefox at work')
    await popup.type('#code', key.code.toLowerCase().replace(/-/g, ' '))
    expect(await popup.text('#code-hint')).toBe('The code checks out.')
    await popup.click('button.primary')

    await until(() => phraseOf(agent!.err()) !== undefined)
    expect(await poll(() => popup.attribute('.phrase', 'data-phrase'), phraseOf(agent.err())!)).toBe(phraseOf(agent.err()))
    expect(agent.err()).toMatch(/Pairing request for "Firefox at work" \(Extension\)\n {2}The device says: Firefox on Linux \(firefox\), keyhold-extension\/0\.1\.0, extension/)
    expect(await popup.text('#screen-title')).toBe('Approve on your computer')
    await popup.screenshot('pairing')
    agent.answer('all')

    expect(await poll(screen, 'paired')).toBe('paired')
    expect(await popup.text('.connected')).toMatch(/Connected as Firefox at work/)
    expect(await poll(async () => (await items()).length, 3)).toBe(3)
    // Nothing but the pairing is stored, and of it nothing but the pairing's own key is secret.
    const saved = await popup.eval<{ pairing: Record<string, unknown> }>('chrome.storage.local.get(null)')
    expect(Object.keys(saved)).toEqual(['pairing'])
    expect(JSON.stringify(saved)).not.toMatch(/sk_live|ghs_ci|local-secret|stripe-id/)
    expect(problems()).toEqual([])
  })

  it('opened on the login page: that site first, copy a client secret, fill into the selected field', async () => {
    await loginPage.bringToFront()
    await popup.reload()
    expect(await poll(screen, 'paired')).toBe('paired')
    expect(await poll(items, ['Local test API', 'GitHub CI', 'Stripe prod'])).toEqual(['Local test API', 'GitHub CI', 'Stripe prod'])
    expect(await popup.text('li .badge')).toBe('This site')
    expect(await popup.text('footer')).toMatch(/Fill writes into the selected field on 127\.0\.0\.1/)

    // The client secret is asked on the agent's terminal (the pairing's policy is "ask").
    await popup.click('li [aria-label="Copy client secret"]')
    await until(() => /Firefox on Linux \(Firefox at work\) wants the client secret of "Local test API"/.test(agent!.err()))
    agent!.answer('10m')
    expect(await poll(clipboard, 'local-secret-value')).toBe('local-secret-value')
    expect(await poll(() => popup.text('.status'), 'Copied the client secret of “Local test API”. It is cleared from the clipboard in 2 minutes.')).toBe(
      'Copied the client secret of “Local test API”. It is cleared from the clipboard in 2 minutes.',
    )
    await popup.screenshot('paired-copied')

    // Fill writes only into the field the person selected on the page, with the events typing sends.
    await loginPage.eval(`document.querySelector('#client-secret').focus()`)
    await popup.click('li [aria-label="Fill client secret"]')
    expect(await poll(() => loginPage.eval<string>(`document.querySelector('#client-secret').value`), 'local-secret-value')).toBe('local-secret-value')
    expect(await loginPage.attribute('#client-secret', 'data-inputs')).toBe('1')
    expect(await loginPage.eval<string>(`document.querySelector('#client-id').value`)).toBe('')
    expect(await poll(() => popup.text('.status'), 'Filled the client secret of “Local test API” into the field you selected.')).toBe('Filled the client secret of “Local test API” into the field you selected.')
    expect(problems()).toEqual([])
  })

  it('the background page clears a watched copy after the delay, even past Firefox suspending idle event pages', async () => {
    // The popup's own watch is the vault's delay (2 minutes here); the same message with a shorter delay (the least isWatchRequest takes is 1 s) shows the rule in seconds.
    const watch = (text: string, afterMs: number) =>
      popup.eval(`navigator.clipboard.writeText(${JSON.stringify(text)}).then(async () => {
        const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(${JSON.stringify(text)}))), (b) => b.toString(16).padStart(2, '0')).join('')
        await chrome.runtime.sendMessage({ t: 'clipboard.watch', digest, afterMs: ${afterMs} }).catch(() => {})
        return true
      })`)
    // Something the person copied since is left alone: the digest is not the clipboard's.
    await watch('sk_live_stripe', 1_000)
    await popup.eval(`navigator.clipboard.writeText('copied by the person meanwhile')`)
    await new Promise((r) => setTimeout(r, 1_500))
    expect(await clipboard()).toBe('copied by the person meanwhile')
    // Still on the clipboard when the delay ends, past the event page's idle time: cleared.
    await watch('local-secret-value', IDLE_MS + 1_500)
    await new Promise((r) => setTimeout(r, IDLE_MS))
    expect(await clipboard()).toBe('local-secret-value')
    expect(await poll(clipboard, '', 5_000)).toBe('')
    expect(problems()).toEqual([])
  })

  it('revoking the pairing with keyhold in another process tells the open popup it was disconnected', async () => {
    await popup.screenshot('paired')
    const apps = JSON.parse(cli(['--json', 'app', 'list']).stdout) as Array<{ id: string; name: string; status: string }>
    const app = apps.find((a) => a.name === 'Firefox at work')!
    expect(app.status).toBe('active')
    const revokedAt = Date.now()
    expect(cli(['app', 'revoke', app.id]).status).toBe(0)
    expect(await poll(screen, 'ended', 3_000)).toBe('ended')
    expect(Date.now() - revokedAt).toBeLessThan(2_000)
    expect(await popup.text('#screen-title')).toBe('Disconnected in Keyhold')
    expect(await popup.eval('chrome.storage.local.get(null)')).toEqual({})
    await popup.screenshot('ended')
    expect(problems()).toEqual([])
  })
})
