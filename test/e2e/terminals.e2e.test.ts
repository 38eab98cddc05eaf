import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { REFUSAL } from '../../src-shared/local-access/messages'
import { addSecrets, eventually } from '../support/agent'
import type { BridgeOptions } from '../support/bridge'
import { refusedTerminal, startKeyhold, type RunningKeyhold } from '../support/cli'
import { launchChromium, openApp, type E2eApp } from '../support/e2e'
import { PASSWORD } from '../support/vault'

/**
 * Unlock once in the app (docs/terminal-sessions.md §1, §3): a real `keyhold` in a terminal of
 * the test, the app's agent on a real socket (the bridge serves terminals as the core's thread
 * does), and the person answering in Chromium.
 */
describe('Allow this terminal to use Keyhold? in Chromium, over the real agent and a real keyhold command', () => {
  let browser: Browser
  let app: E2eApp
  let page: Page
  const terminals: RunningKeyhold[] = []

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    for (const terminal of terminals.splice(0)) terminal.child.kill('SIGKILL')
    expect(app.problems.join('\n')).toBe('')
    await app?.close()
  })

  /** A new vault with three API secrets, unlocked in the window, its agent listening on a real socket. */
  async function start(options: BridgeOptions = {}): Promise<void> {
    app = await openApp(browser, options)
    page = app.page
    page.setDefaultTimeout(10_000)
    await app.bridge.services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await addSecrets(app.bridge.services)
    await page.reload()
    await page.getByRole('heading', { name: 'Welcome to Keyhold' }).waitFor()
    await eventually(() => app.bridge.services.agent.status().listening, 5_000)
  }

  /** `keyhold ARGS` in a terminal of this vault, in the background (its standard input closed). */
  function keyhold(args: string[]): RunningKeyhold {
    const terminal = startKeyhold(args, { KEYHOLD_VAULT: app.bridge.vaultPath, KEYHOLD_AGENT_DIR: app.bridge.agentFolder })
    terminal.child.stdin.end()
    terminals.push(terminal)
    return terminal
  }
  const result = async (terminal: RunningKeyhold) => ({ status: await terminal.exited, stdout: terminal.out(), stderr: terminal.err() })
  const dialog = () => page.getByRole('dialog', { name: 'Allow this terminal to use Keyhold?' })
  /** The text of the element that has the focus (a string runs in the page: this file is type-checked for Node). */
  const focused = () => page.evaluate<string | null>('document.activeElement && document.activeElement.textContent.trim()')

  /** Both themes of what is on screen now, into test-results/screenshots/terminals-<name>[-dark].png. */
  async function screenshots(name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      // Buttons ease their colours in over 0.12 s: the picture is taken once they are done.
      await page.waitForTimeout(250)
      await app.screenshot(`terminals-${name}${scheme === 'dark' ? '-dark' : ''}`)
    }
    await page.emulateMedia({ colorScheme: 'light' })
  }

  it('asks the first time with the command, folder, terminal and process id; Allow runs it, and the next command is not asked', async () => {
    await start()
    const terminal = keyhold(['secret', 'get', 'stripe', '--field', 'client-secret'])
    await dialog().waitFor()
    expect(await dialog().getByTestId('terminal-command').textContent()).toBe('keyhold secret get stripe --field client-secret')
    expect(await dialog().getByTestId('terminal-folder').textContent()).toBe(process.cwd())
    // Started with pipes, not from a terminal: no tty to show.
    expect(await dialog().getByTestId('terminal-tty').textContent()).toBe('Not known')
    expect(await dialog().getByTestId('terminal-pid').textContent()).toBe(String(terminal.child.pid))
    await dialog().getByText('Commands from this terminal run without the master password until it has been idle 10 minutes or 12 hours have passed, or Keyhold locks.').waitFor()
    expect(await dialog().getByRole('timer').textContent()).toMatch(/^(1:00|0:[0-5]\d)$/)
    expect(await focused()).toBe('Deny')
    await screenshots('01-allow-this-terminal')

    await dialog().getByRole('button', { name: 'Allow' }).click()
    await dialog().waitFor({ state: 'detached' })
    // While the dialog was up, the terminal said what it waited for (once the answer took over a second).
    expect(await result(terminal)).toEqual({ status: 0, stdout: 'sk_live_stripe\n', stderr: expect.stringMatching(/^(Waiting for you to allow this terminal in the Keyhold app \(60 s\)…\n)?$/) })

    const list = await result(keyhold(['secret', 'list']))
    expect(list).toMatchObject({ status: 0, stdout: expect.stringContaining('GitHub CI') })
    expect(await dialog().count()).toBe(0)
    expect(app.bridge.services.agent.prompts()).toEqual([])
  })

  it('denies with Escape: the command is refused with FORBIDDEN and runs nothing', async () => {
    await start()
    const terminal = keyhold(['secret', 'rm', 'stripe'])
    await dialog().waitFor()
    expect(await focused()).toBe('Deny')
    await page.keyboard.press('Escape')
    await dialog().waitFor({ state: 'detached' })
    expect(await result(terminal)).toEqual({ status: 1, stdout: '', stderr: refusedTerminal(REFUSAL.terminal) })
    expect((await app.bridge.services.secrets.list({})).total).toBe(3)
  })

  it('closes the dialog by itself when the terminal leaves, and when nobody answers in time', async () => {
    await start({ agentTimings: { approvalMs: 3_000 } })
    const leaving = keyhold(['secret', 'list'])
    await dialog().waitFor()
    leaving.child.kill('SIGKILL')
    await dialog().waitFor({ state: 'detached', timeout: 5_000 })

    const waiting = keyhold(['secret', 'list'])
    await dialog().waitFor()
    await dialog().waitFor({ state: 'detached', timeout: 6_000 })
    // It said what it waits for, and where.
    expect(await result(waiting)).toMatchObject({ status: 1, stderr: `Waiting for you to allow this terminal in the Keyhold app (60 s)…\nkeyhold: FORBIDDEN: ${REFUSAL.terminal}\n` })
  })
})
