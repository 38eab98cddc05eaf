import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { contract } from '../../../src-shared/ipc/contract'
import { createSenderCheck, FORBIDDEN, isTrustedSender, registerIpc } from '../../../src-main/ipc/electron-ipc'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import type { Dispatch } from '../../../src-main/ipc/handle'
import type { RendererSource } from '../../../src-main/window'
import * as electron from '../../fakes/electron'
import { PASSWORD, unlockedServices } from '../../support/vault'

const INDEX = '/opt/keyhold/out/renderer/index.html'
const SOURCE: RendererSource = { kind: 'file', path: INDEX }

/** Our window, showing our renderer, as the shell would have created it. */
async function ourWindow(): Promise<electron.BrowserWindow> {
  const window = new electron.BrowserWindow()
  await window.loadFile(INDEX)
  return window
}

/** The event Electron passes to an ipcMain.handle listener for a call from `frame`. */
function eventFrom(contents: electron.WebContents, frame: electron.WebFrameMain | null = contents.mainFrame) {
  return { sender: contents, senderFrame: frame, processId: frame?.processId ?? 0, frameId: frame?.routingId ?? 0 }
}

beforeEach(() => electron.resetElectronFake())

describe('isTrustedSender', () => {
  it("trusts the main frame of our window showing our renderer's page", async () => {
    const window = await ourWindow()
    expect(isTrustedSender(eventFrom(window.webContents) as never, window as never, SOURCE)).toBe(true)
  })

  it('trusts our main frame while the router changes the hash', async () => {
    const window = await ourWindow()
    window.webContents.mainFrame.url += '#/secrets/new'
    expect(isTrustedSender(eventFrom(window.webContents) as never, window as never, SOURCE)).toBe(true)
  })

  it('refuses a subframe of our window, even one showing our own page', async () => {
    const window = await ourWindow()
    const frame = window.webContents.createSubframe(pathToFileURL(INDEX).href)
    expect(isTrustedSender(eventFrom(window.webContents, frame) as never, window as never, SOURCE)).toBe(false)
  })

  it('refuses the main frame of another window', async () => {
    const window = await ourWindow()
    const other = await ourWindow()
    expect(isTrustedSender(eventFrom(other.webContents) as never, window as never, SOURCE)).toBe(false)
  })

  it('refuses a frame that claims our WebContents but is not its main frame', async () => {
    const window = await ourWindow()
    const other = await ourWindow()
    expect(isTrustedSender(eventFrom(window.webContents, other.webContents.mainFrame) as never, window as never, SOURCE)).toBe(false)
  })

  it('refuses our main frame once it shows a page that is not ours', async () => {
    const window = await ourWindow()
    await window.loadURL('https://evil.example/')
    expect(isTrustedSender(eventFrom(window.webContents) as never, window as never, SOURCE)).toBe(false)
  })

  it('refuses a sender whose frame is gone', async () => {
    const window = await ourWindow()
    expect(isTrustedSender(eventFrom(window.webContents, null) as never, window as never, SOURCE)).toBe(false)
  })

  it('refuses everything when there is no window or it was destroyed', async () => {
    const window = await ourWindow()
    const event = eventFrom(window.webContents)
    expect(isTrustedSender(event as never, null, SOURCE)).toBe(false)
    window.close()
    expect(isTrustedSender(event as never, window as never, SOURCE)).toBe(false)
  })

  it('refuses when inspecting the frame throws', async () => {
    const window = await ourWindow()
    const frame = window.webContents.mainFrame
    Object.defineProperty(frame, 'url', {
      get() {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed')
      },
    })
    expect(isTrustedSender(eventFrom(window.webContents) as never, window as never, SOURCE)).toBe(false)
  })
})

describe('registerIpc', () => {
  let ctx: Awaited<ReturnType<typeof unlockedServices>>
  let window: electron.BrowserWindow
  let calls: Array<[string, unknown]>

  beforeEach(async () => {
    ctx = await unlockedServices()
    window = await ourWindow()
    calls = []
    const real = createAppDispatch(ctx.services)
    const dispatch: Dispatch = (channel, input) => {
      calls.push([channel, input])
      return real(channel, input)
    }
    registerIpc(electron.ipcMain as never, dispatch, createSenderCheck(() => window as never, SOURCE))
  })
  afterEach(() => ctx.cleanup())

  it('registers exactly one handler per contract channel', () => {
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(Object.values(contract).map((c) => c.name).sort())
  })

  it('runs the call through the dispatch for our own frame', async () => {
    const result = await electron.ipcMain.invoke('vault:lock', eventFrom(window.webContents), {})
    expect(result).toMatchObject({ ok: true, value: { state: 'locked' } })
    expect(calls).toEqual([['vault:lock', {}]])
    expect(ctx.services.vault.isUnlocked).toBe(false)
  })

  it('answers FORBIDDEN to a foreign frame, and neither the dispatch nor the service runs', async () => {
    const intruder = await ourWindow()
    const result = await electron.ipcMain.invoke('vault:lock', eventFrom(intruder.webContents), {})
    expect(result).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } })
    expect(result).toBe(FORBIDDEN)
    expect(calls).toEqual([])
    expect(ctx.services.vault.isUnlocked).toBe(true)
  })

  it('answers FORBIDDEN to a subframe trying to change the master password, and the file is untouched', async () => {
    const before = readFileSync(ctx.path)
    const frame = window.webContents.createSubframe('https://evil.example/')
    const result = await electron.ipcMain.invoke('vault:change-password', eventFrom(window.webContents, frame), {
      current: PASSWORD,
      next: 'attacker chosen password',
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(readFileSync(ctx.path).equals(before)).toBe(true)
  })

  it('removes every handler with the function it returns', () => {
    const ipcMain = new (electron.ipcMain.constructor as new () => typeof electron.ipcMain)()
    const unregister = registerIpc(ipcMain as never, async () => ({ ok: true, value: null }), () => true)
    unregister()
    expect(ipcMain.handlers.size).toBe(0)
  })

  describe('input validation through the real dispatch', () => {
    const bad: Array<[string, unknown]> = [
      ['a number as the password', { password: 12345678 }],
      ['an extra field', { password: PASSWORD, admin: true }],
      ['an own __proto__ key', JSON.parse(`{"__proto__":{"x":1},"password":"${PASSWORD}"}`)],
      ['a nested __proto__ in an extra field', JSON.parse(`{"password":"${PASSWORD}","o":{"__proto__":{"x":1}}}`)],
      ['null instead of a boolean', { password: PASSWORD, rememberOnDevice: null }],
      ['a bare string', PASSWORD],
      ['an array', [PASSWORD]],
    ]

    for (const [name, input] of bad) {
      it(`answers INVALID_INPUT to ${name} and leaves the vault as it was`, async () => {
        ctx.services.vault.lock()
        const before = readFileSync(ctx.path)
        const result = await electron.ipcMain.invoke('vault:unlock', eventFrom(window.webContents), input)
        expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
        expect(ctx.services.vault.isUnlocked).toBe(false)
        expect(readFileSync(ctx.path).equals(before)).toBe(true)
        expect(({} as Record<string, unknown>).x).toBeUndefined()
      })
    }

    it('answers INVALID_INPUT to a wrong type for a new master password and keeps the old one', async () => {
      const result = await electron.ipcMain.invoke('vault:change-password', eventFrom(window.webContents), {
        current: PASSWORD,
        next: ['not', 'a', 'string'],
      })
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
      ctx.services.vault.lock()
      expect(await electron.ipcMain.invoke('vault:unlock', eventFrom(window.webContents), { password: PASSWORD })).toMatchObject({ ok: true })
    })

    it('accepts a well-formed call from our frame', async () => {
      ctx.services.vault.lock()
      const result = await electron.ipcMain.invoke('vault:unlock', eventFrom(window.webContents), { password: PASSWORD })
      expect(result).toMatchObject({ ok: true, value: { state: 'unlocked' } })
    })
  })
})

describe('createSenderCheck', () => {
  it('follows the current window, so a closed and reopened window is checked against the new one', async () => {
    let current: electron.BrowserWindow | null = await ourWindow()
    const check = createSenderCheck(() => current as never, SOURCE)
    const first = current
    expect(check(eventFrom(first.webContents) as never)).toBe(true)
    current = await ourWindow()
    expect(check(eventFrom(first.webContents) as never)).toBe(false)
    expect(check(eventFrom(current.webContents) as never)).toBe(true)
  })

  it('trusts the dev server origin only in development', async () => {
    const window = new electron.BrowserWindow()
    await window.loadURL('http://localhost:5173/')
    const dev: RendererSource = { kind: 'dev-server', url: 'http://localhost:5173/', origin: 'http://localhost:5173' }
    expect(createSenderCheck(() => window as never, dev)(eventFrom(window.webContents) as never)).toBe(true)
    expect(createSenderCheck(() => window as never, { kind: 'file', path: join('/opt', 'index.html') })(eventFrom(window.webContents) as never)).toBe(false)
  })
})
