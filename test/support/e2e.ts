import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startBridge, type Bridge, type BridgeOptions } from './bridge'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Screenshots of each flow, for people to look at (git-ignored). */
export const SCREENSHOT_DIR = resolve(ROOT, 'test-results/screenshots')

/** Debian's Chromium; playwright-core drives it but never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.KEYHOLD_CHROMIUM ?? '/usr/bin/chromium'

/**
 * Console lines that are not problems. Chromium ignores `frame-ancestors` in a meta tag
 * and says so; the shell sends the same policy as a response header, where it applies.
 */
const KNOWN_NOTICES = [/directive 'frame-ancestors' is ignored when delivered via a <meta> element/]

/** One headless Chromium per test file; each app gets its own context (a fresh profile). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/** Keyhold in a browser tab, wired to real services through the bridge. */
export interface E2eApp {
  page: Page
  context: BrowserContext
  bridge: Bridge
  /**
   * Console errors, uncaught exceptions, CSP violations and requests that left the bridge's
   * origin. A flow should end with none.
   */
  problems: string[]
  /** Saves a PNG of the window as test-results/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

/**
 * Starts a bridge over a fresh vault folder and opens the built renderer in a new context,
 * with `window.keyhold` injected the way the preload would. Nothing outside the bridge's
 * origin is reachable: such requests are aborted and reported in `problems`.
 */
export async function openApp(browser: Browser, options: BridgeOptions = {}): Promise<E2eApp> {
  const bridge = await startBridge(options)
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce' })
  const problems: string[] = []
  const origin = new URL(bridge.url).origin
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (new URL(url).origin === origin) return route.continue()
    problems.push(`request left the app: ${url}`)
    return route.abort('blockedbyclient')
  })
  await context.addInitScript(bridge.initScript)
  const page = await context.newPage()
  page.on('console', (message) => {
    const text = message.text()
    if (KNOWN_NOTICES.some((known) => known.test(text))) return
    if (message.type() === 'error' || /Content.Security.Policy/i.test(text)) problems.push(`console: ${text}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  await page.goto(bridge.url)
  return {
    page,
    context,
    bridge,
    problems,
    async screenshot(name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true })
      const path = resolve(SCREENSHOT_DIR, `${name}.png`)
      await page.screenshot({ path })
      return path
    },
    async close() {
      await context.close()
      await bridge.close()
    },
  }
}
