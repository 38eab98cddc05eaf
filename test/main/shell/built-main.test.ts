import Module, { createRequire } from 'node:module'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveConfig } from 'electron-vite'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { tempDir } from '../../support/vault'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
type Electron = typeof import('../../fakes/electron')
type Resolver = (request: string, ...rest: unknown[]) => string
const loader = Module as unknown as { _resolveFilename: Resolver }

/**
 * The main bundle as electron-vite builds it (electron.vite.config.ts, main part only, into a
 * temp folder), loaded by Node's own require with the fake electron module in place of the
 * real one: the core's worker thread must start from the file the build emitted and answer.
 */
describe('the built main bundle', () => {
  // Inside the project, so the bundle's external packages resolve from its node_modules.
  const cache = join(ROOT, 'node_modules/.cache')
  mkdirSync(cache, { recursive: true })
  const out = { dir: mkdtempSync(join(cache, 'keyhold-main-build-')) }
  const appData = tempDir('keyhold-appdata-')
  let electron: Electron
  let restore: () => void

  beforeAll(async () => {
    process.env.NODE_ENV_ELECTRON_VITE = 'production'
    const resolved = await resolveConfig({ root: ROOT, logLevel: 'error' }, 'build', 'production')
    const main = resolved.config?.main
    if (!main) throw new Error('electron.vite.config.ts has no main config.')
    await build({ ...main, logLevel: 'error', build: { ...main.build, outDir: out.dir } })

    vi.resetModules()
    electron = await import('../../fakes/electron')
    electron.app.setPath('appData', appData.dir)
    const require = createRequire(import.meta.url)
    const fakePath = join(out.dir, 'electron-fake.js')
    require.cache[fakePath] = { id: fakePath, filename: fakePath, loaded: true, exports: electron } as unknown as NodeJS.Module
    const original = loader._resolveFilename
    loader._resolveFilename = function (request, ...rest) {
      return request === 'electron' ? fakePath : original.call(this, request, ...rest)
    }
    restore = () => {
      loader._resolveFilename = original
      delete require.cache[fakePath]
    }
    require(join(out.dir, 'index.js'))
    await new Promise((done) => setImmediate(done))
  }, 120_000)

  afterAll(() => {
    electron?.app.emit('before-quit', electron.fakeEvent())
    restore?.()
    rmSync(out.dir, { recursive: true, force: true })
    appData.cleanup()
  })

  it('emits the core worker as a file of its own, without electron in it', () => {
    const files = readdirSync(out.dir)
    expect(files).toContain('index.js')
    expect(files.filter((f) => /^core\.worker.*\.js$/.test(f))).toHaveLength(1)
  })

  it('starts the core from that file: IPC from the window is answered by the worker', async () => {
    const [window] = electron.createdWindows()
    const contents = window!.webContents
    const status = await electron.ipcMain.invoke('vault:status', { sender: contents, senderFrame: contents.mainFrame }, {})
    expect(status).toMatchObject({ ok: true, value: { state: 'absent' } })
    expect(resolve(electron.app.getPath('userData'))).toBe(join(appData.dir, 'Keyhold'))
  })
})
