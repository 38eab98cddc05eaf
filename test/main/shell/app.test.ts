import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../../src-shared/csp'
import { contract } from '../../../src-shared/ipc/contract'
import { createServices } from '../../../src-main/core/services'
import { CORE_STOPPED } from '../../../src-main/worker/core-host'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

type Electron = typeof import('../../fakes/electron')

/** Starts src-main/index.ts (the composition root) against a fresh fake electron. */
async function launch(options: { lockAcquired?: boolean; appData: string; packaged?: boolean }): Promise<Electron> {
  vi.resetModules()
  const electron = await import('../../fakes/electron')
  electron.app.setPath('appData', options.appData)
  electron.app.singleInstanceLock = options.lockAcquired ?? true
  electron.app.isPackaged = options.packaged ?? false
  await import('../../../src-main/index')
  await new Promise((resolve) => setImmediate(resolve))
  return electron
}

/** A locked vault with the fast test KDF where the app will look for it. */
async function createVaultAt(appData: string): Promise<string> {
  mkdirSync(join(appData, 'Keyhold'), { recursive: true })
  const path = join(appData, 'Keyhold', 'vault.keyhold')
  const services = createServices({ vaultPath: path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
  await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
  services.vault.lock()
  return path
}

function mainWindow(electron: Electron) {
  const [window, ...others] = electron.createdWindows()
  expect(others).toEqual([])
  return window!
}

/** A call from our window's main frame, as the renderer makes it through the preload. */
function call(electron: Electron, channel: string, input: unknown = {}) {
  const { webContents } = mainWindow(electron)
  return electron.ipcMain.invoke(channel, { sender: webContents, senderFrame: webContents.mainFrame }, input)
}

describe('the composition root (src-main/index.ts)', () => {
  let dir: ReturnType<typeof tempDir>
  beforeEach(() => {
    dir = tempDir()
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined)
  })
  afterEach(() => {
    vi.unstubAllEnvs()
    dir.cleanup()
  })

  describe('when another Keyhold already runs', () => {
    it('quits without opening a window or answering any IPC', async () => {
      const electron = await launch({ lockAcquired: false, appData: dir.dir })
      expect(electron.app.lockRequests).toBe(1)
      expect(electron.app.quitCount).toBe(1)
      expect(electron.createdWindows()).toEqual([])
      expect(electron.ipcMain.handlers.size).toBe(0)
      expect(electron.app.listenerCount('second-instance')).toBe(0)
    })
  })

  describe('as the only instance', () => {
    let electron: Electron
    beforeEach(async () => {
      electron = await launch({ appData: dir.dir })
    })
    afterEach(() => {
      electron.app.emit('before-quit', electron.fakeEvent())
    })

    it('keeps its data in <appData>/Keyhold, where the CLI looks for the vault', () => {
      expect(electron.app.getPath('userData')).toBe(join(dir.dir, 'Keyhold'))
    })

    it('sandboxes every renderer', () => {
      expect(electron.app.sandboxEnabled).toBe(true)
    })

    it('opens one window with the hardened options', () => {
      const prefs = mainWindow(electron).options.webPreferences as Record<string, unknown>
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false })
      expect(prefs.preload).toMatch(/preload[\\/]index\.cjs$/)
    })

    it('focuses and restores the existing window when a second instance starts', () => {
      const window = mainWindow(electron)
      window.minimize()
      electron.app.emit('second-instance', electron.fakeEvent(), ['keyhold'], '/')
      expect(window.isMinimized()).toBe(false)
      expect(window.focusCount).toBe(1)
      expect(electron.createdWindows()).toHaveLength(1)
    })

    it('ignores a second instance after its window has closed instead of touching the destroyed window', () => {
      mainWindow(electron).close()
      expect(() => electron.app.emit('second-instance', electron.fakeEvent(), ['keyhold'], '/')).not.toThrow()
    })

    it('hardens every WebContents created later, not only the main window', () => {
      const contents = new electron.WebContents()
      electron.app.emit('web-contents-created', electron.fakeEvent(), contents)
      const navigation = electron.fakeEvent()
      const webview = electron.fakeEvent()
      contents.emit('will-navigate', navigation, 'https://evil.example/')
      contents.emit('will-attach-webview', webview, {}, {})
      expect(navigation.defaultPrevented).toBe(true)
      expect(webview.defaultPrevented).toBe(true)
      expect(contents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
    })

    it('denies every permission on the default session', () => {
      const session = electron.session.defaultSession
      const answers: boolean[] = []
      session.permissionRequestHandler!(mainWindow(electron).webContents, 'media', (granted: boolean) => answers.push(granted), {})
      expect(answers).toEqual([false])
      expect(session.permissionCheckHandler!(null, 'clipboard-read', 'file://', {})).toBe(false)
    })

    it('sends the strict CSP with every response', () => {
      let headers: unknown
      electron.session.defaultSession.webRequest.headersReceived!({ responseHeaders: {} }, (response) => {
        headers = response.responseHeaders
      })
      expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
    })

    it("answers every contract channel for our window's main frame", async () => {
      expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(Object.values(contract).map((c) => c.name).sort())
      expect(await call(electron, 'vault:status')).toMatchObject({ ok: true, value: { state: 'absent' } })
    })

    it('refuses calls once its window is closed', async () => {
      const window = mainWindow(electron)
      window.close()
      electron.app.emit('window-all-closed')
      const result = await electron.ipcMain.invoke('vault:status', { sender: window.webContents, senderFrame: window.webContents.mainFrame }, {})
      expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    })

    it('quits when the last window is closed', () => {
      electron.app.emit('window-all-closed')
      expect(electron.app.quitCount).toBe(1)
    })
  })

  describe('with a vault on disk', () => {
    let electron: Electron
    beforeEach(async () => {
      await createVaultAt(dir.dir)
      electron = await launch({ appData: dir.dir })
      expect(await call(electron, 'vault:unlock', { password: PASSWORD })).toMatchObject({ ok: true, value: { state: 'unlocked' } })
    })
    afterEach(async () => {
      electron.app.emit('before-quit', electron.fakeEvent())
      // The lock at quit writes the activity log's last entries: the folder goes once that is done.
      await vi.waitFor(() => expect(electron.app.quitCount).toBeGreaterThan(0), { timeout: 5_000 })
    })

    it.each(['suspend', 'lock-screen'])('locks the vault when the system emits %s', async (event) => {
      electron.powerMonitor.emit(event)
      expect(await call(electron, 'vault:status')).toMatchObject({ ok: true, value: { state: 'locked' } })
    })

    it('tells the window when the vault locks, so it can drop what it shows', async () => {
      const contents = electron.createdWindows()[0]!.webContents
      expect(contents.sent).toEqual([])
      electron.powerMonitor.emit('lock-screen')
      await vi.waitFor(() => expect(contents.sent).toEqual([{ channel: 'vault:locked', args: [] }]))
    })

    it('keeps the vault open on resume', async () => {
      electron.powerMonitor.emit('resume')
      expect(await call(electron, 'vault:status')).toMatchObject({ ok: true, value: { state: 'unlocked' } })
    })

    it('locks the vault, then stops the core, before quitting', async () => {
      const contents = electron.createdWindows()[0]!.webContents
      electron.app.quit()
      await vi.waitFor(() => expect(electron.app.quitCount).toBe(2))
      expect(contents.sent).toEqual([{ channel: 'vault:locked', args: [] }])
      expect(await call(electron, 'vault:status')).toEqual(CORE_STOPPED)
    })

    it('lets a save under way finish before it locks and quits', async () => {
      const saving = call(electron, 'secrets:add', { name: 'Billing API', url: 'https://billing.example.com', clientId: 'client-1' })
      electron.app.quit()
      expect(await saving).toMatchObject({ ok: true })
      await vi.waitFor(() => expect(electron.app.quitCount).toBe(2))
      const services = createServices({ vaultPath: join(dir.dir, 'Keyhold', 'vault.keyhold'), keyStore: new MemoryKeyStore() })
      await services.vault.unlock({ password: PASSWORD })
      expect(await services.secrets.list({})).toMatchObject({ total: 1 })
      services.vault.lock()
    })
  })

  describe('with a non-loopback ELECTRON_RENDERER_URL', () => {
    it('refuses to start, opens no window and exits with status 1', async () => {
      vi.stubEnv('ELECTRON_RENDERER_URL', 'https://evil.example/')
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
      const electron = await launch({ appData: dir.dir })
      expect(electron.createdWindows()).toEqual([])
      expect(electron.ipcMain.handlers.size).toBe(0)
      expect(electron.app.exitCodes).toEqual([1])
      expect(errors).toHaveBeenCalledWith(expect.stringContaining('localhost'))
      errors.mockRestore()
    })
  })

  it('packaged, Browser integration points the launcher at the installed app: never into a temporary folder (an AppImage mount)', async () => {
    vi.stubEnv('APPIMAGE', join(tmpdir(), '.mount_KeyholdAbC', 'keyhold'))
    const electron = await launch({ appData: dir.dir, packaged: true })
    try {
      expect(await call(electron, 'browser:status')).toMatchObject({ ok: true, value: { available: false, problem: expect.stringMatching(/temporary folder/) } })
    } finally {
      electron.app.emit('before-quit', electron.fakeEvent())
    }
    vi.stubEnv('APPIMAGE', '/home/me/Applications/Keyhold.AppImage')
    const installed = await launch({ appData: dir.dir, packaged: true })
    try {
      expect(await call(installed, 'browser:status')).toMatchObject({ ok: true, value: { available: true, problem: null } })
    } finally {
      installed.app.emit('before-quit', installed.fakeEvent())
    }
  })

  it('started by a browser with --native-host, it runs only the host (no lock, no window) and exits with its status', async () => {
    const argv = process.argv
    const written: Buffer[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(Buffer.from(chunk as Uint8Array))
      return true
    })
    process.argv = [...argv.slice(0, 1), '--native-host', 'chrome-extension://not-ours/']
    try {
      const { app, createdWindows } = await launch({ appData: dir.dir })
      for (let i = 0; i < 100 && app.exitCodes.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(app.exitCodes).toEqual([1])
      expect(app.lockRequests).toBe(0)
      expect(createdWindows()).toHaveLength(0)
      expect(Buffer.concat(written).subarray(4).toString()).toMatch(/"code":"FORBIDDEN"/)
    } finally {
      process.argv = argv
      write.mockRestore()
    }
  })
})
