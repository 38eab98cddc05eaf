/**
 * The one fake of the `electron` module (vitest's 'main' project aliases `electron` here), so
 * the shell runs under plain Node. It records what the shell asked for and lets tests fire
 * the events Electron would. Call `resetElectronFake()` between tests, or re-import it after
 * `vi.resetModules()` to get a fresh one. Electron itself is never launched in a test.
 */
import { EventEmitter } from 'node:events'
import { pathToFileURL } from 'node:url'

/** An Electron event object: records whether a listener prevented the default action. */
export interface FakeEvent {
  defaultPrevented: boolean
  preventDefault(): void
}

export function fakeEvent<T extends object>(extra?: T): FakeEvent & T {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true
    },
    ...extra,
  } as FakeEvent & T
  return event
}

let nextId = 1

export class WebFrameMain {
  url = ''
  destroyed = false
  constructor(
    readonly processId: number,
    readonly routingId: number,
    readonly parent: WebFrameMain | null = null,
  ) {}

  isDestroyed(): boolean {
    return this.destroyed
  }
}

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' }

export class WebContents extends EventEmitter {
  readonly id = nextId++
  readonly mainFrame = new WebFrameMain(1000 + this.id, 1)
  windowOpenHandler: WindowOpenHandler | undefined
  destroyed = false
  /** Every `send(channel, ...args)` from main to this renderer. */
  readonly sent: Array<{ channel: string; args: unknown[] }> = []

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push({ channel, args })
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler
  }

  /** A child frame of the main frame, for tests of subframe senders. */
  createSubframe(url: string): WebFrameMain {
    const frame = new WebFrameMain(this.mainFrame.processId, nextId++, this.mainFrame)
    frame.url = url
    return frame
  }

  isDestroyed(): boolean {
    return this.destroyed
  }
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows(): BrowserWindow[] {
    return state.windows.filter((w) => !w.destroyed)
  }

  readonly webContents = new WebContents()
  readonly loaded: Array<{ file: string } | { url: string }> = []
  shown = false
  focusCount = 0
  minimized = false
  destroyed = false

  constructor(readonly options: Record<string, unknown> = {}) {
    super()
    state.windows.push(this)
  }

  async loadFile(file: string): Promise<void> {
    this.alive()
    this.loaded.push({ file })
    this.webContents.mainFrame.url = pathToFileURL(file).href
  }

  async loadURL(url: string): Promise<void> {
    this.alive()
    this.loaded.push({ url })
    this.webContents.mainFrame.url = url
  }

  show(): void {
    this.alive()
    this.shown = true
  }

  focus(): void {
    this.alive()
    this.focusCount++
  }

  minimize(): void {
    this.alive()
    this.minimized = true
  }

  isMinimized(): boolean {
    this.alive()
    return this.minimized
  }

  restore(): void {
    this.alive()
    this.minimized = false
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  /** Like Electron, a destroyed window throws on use. */
  private alive(): void {
    if (this.destroyed) throw new TypeError('Object has been destroyed')
  }

  close(): void {
    this.alive()
    this.destroyed = true
    this.webContents.destroyed = true
    this.webContents.mainFrame.destroyed = true
    this.emit('closed')
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false
  /** What requestSingleInstanceLock() answers. */
  singleInstanceLock = true
  lockRequests = 0
  quitCount = 0
  exitCodes: number[] = []
  sandboxEnabled = false
  readonly paths = new Map<string, string>()

  requestSingleInstanceLock(): boolean {
    this.lockRequests++
    return this.singleInstanceLock
  }

  /** Like Electron: `before-quit` first, then the app would close its windows and exit. */
  quit(): void {
    this.quitCount++
    this.emit('before-quit', fakeEvent())
  }

  exit(code = 0): void {
    this.exitCodes.push(code)
  }

  whenReady(): Promise<void> {
    return Promise.resolve()
  }

  enableSandbox(): void {
    this.sandboxEnabled = true
  }

  getVersion(): string {
    return '0.1.0'
  }

  getAppPath(): string {
    return '/fake/app'
  }

  getPath(name: string): string {
    const path = this.paths.get(name)
    if (path === undefined) throw new Error(`fake electron: app.getPath('${name}') was not set by the test`)
    return path
  }

  setPath(name: string, path: string): void {
    this.paths.set(name, path)
  }
}

type InvokeListener = (event: unknown, ...args: unknown[]) => unknown

class FakeIpcMain {
  readonly handlers = new Map<string, InvokeListener>()

  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }

  /** What Electron does when a renderer calls `ipcRenderer.invoke(channel, ...args)`. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const listener = this.handlers.get(channel)
    if (!listener) throw new Error(`No handler registered for '${channel}'`)
    return listener(event, ...args)
  }
}

class FakeIpcRenderer extends EventEmitter {
  readonly calls: Array<{ channel: string; args: unknown[] }> = []
  response: unknown = { ok: true, value: null }

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.calls.push({ channel, args })
    return Promise.resolve(this.response)
  }
}

class FakeContextBridge {
  readonly exposed = new Map<string, unknown>()

  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`)
    this.exposed.set(key, api)
  }
}

type Listener = (details: Record<string, unknown>, callback: (response: Record<string, unknown>) => void) => void

class FakeWebRequest {
  beforeRequest: Listener | undefined
  headersReceived: Listener | undefined

  onBeforeRequest(listener: Listener): void {
    this.beforeRequest = listener
  }

  onHeadersReceived(listener: Listener): void {
    this.headersReceived = listener
  }
}

class FakeSession {
  readonly webRequest = new FakeWebRequest()
  permissionRequestHandler: ((...args: unknown[]) => void) | null | undefined
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null | undefined
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null | undefined

  setPermissionRequestHandler(handler: ((...args: unknown[]) => void) | null): void {
    this.permissionRequestHandler = handler
  }

  setPermissionCheckHandler(handler: ((...args: unknown[]) => boolean) | null): void {
    this.permissionCheckHandler = handler
  }

  setDevicePermissionHandler(handler: ((...args: unknown[]) => boolean) | null): void {
    this.devicePermissionHandler = handler
  }
}

class FakeClipboard {
  text = ''
  readText(): string {
    return this.text
  }
  writeText(text: string): void {
    this.text = text
  }
  clear(): void {
    this.text = ''
  }
}

const state = { windows: [] as BrowserWindow[] }

export let app = new FakeApp()
export let ipcMain = new FakeIpcMain()
export let ipcRenderer = new FakeIpcRenderer()
export let contextBridge = new FakeContextBridge()
export const session = { defaultSession: new FakeSession() }
export let powerMonitor = new EventEmitter()
export let clipboard = new FakeClipboard()

/** Every BrowserWindow constructed since the last reset, in order. */
export function createdWindows(): readonly BrowserWindow[] {
  return state.windows
}

/** Forgets every recorded call, handler and window. */
export function resetElectronFake(): void {
  state.windows = []
  app = new FakeApp()
  ipcMain = new FakeIpcMain()
  ipcRenderer = new FakeIpcRenderer()
  contextBridge = new FakeContextBridge()
  session.defaultSession = new FakeSession()
  powerMonitor = new EventEmitter()
  clipboard = new FakeClipboard()
}
