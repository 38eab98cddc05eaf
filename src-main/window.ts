import { join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron'
import { CONTENT_SECURITY_POLICY } from '../src-shared/csp'

/**
 * Where the renderer is loaded from: the built `out/renderer/index.html`, or Vite's dev
 * server under `electron-vite dev`. The IPC sender check trusts exactly this and nothing else.
 */
export type RendererSource = { kind: 'file'; path: string } | { kind: 'dev-server'; url: string; origin: string }

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Picks the renderer source. `baseDir` is the folder of the built main bundle (`out/main`).
 * SECURITY: ELECTRON_RENDERER_URL is honoured only in an unpackaged app and only for a
 * loopback http origin: an environment variable must never point a packaged Keyhold at
 * another page, which the IPC sender check would then trust.
 */
export function rendererSource(
  options: { env?: NodeJS.ProcessEnv; isPackaged?: boolean; baseDir?: string } = {},
): RendererSource {
  const env = options.env ?? process.env
  const isPackaged = options.isPackaged ?? app.isPackaged
  const baseDir = options.baseDir ?? __dirname
  const devUrl = env.ELECTRON_RENDERER_URL
  if (!isPackaged && devUrl) {
    const url = new URL(devUrl)
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname))
      throw new Error('ELECTRON_RENDERER_URL must be an http://localhost address (the electron-vite dev server).')
    return { kind: 'dev-server', url: url.href, origin: url.origin }
  }
  return { kind: 'file', path: join(baseDir, '../renderer/index.html') }
}

/** The sandboxed preload bundle, next to the built main bundle. */
export function preloadPath(baseDir: string = __dirname): string {
  return join(baseDir, '../preload/index.cjs')
}

/**
 * Whether `url` is our renderer's page: the exact index.html file (any hash or query, which
 * the router may use), or a page of the dev server's origin.
 */
export function isRendererUrl(url: string, source: RendererSource): boolean {
  const parsed = parseUrl(url)
  if (!parsed) return false
  if (source.kind === 'dev-server') return parsed.origin === source.origin
  return filePath(parsed) === normalize(source.path)
}

/**
 * Whether the renderer may fetch `url` at all: its own files (or the dev server, including
 * its hot-reload socket), data: images and DevTools.
 * SECURITY: everything else is cancelled before it leaves, a second wall behind the CSP,
 * which a file:// page only gets from its meta tag.
 */
export function isAllowedRequest(url: string, source: RendererSource): boolean {
  const parsed = parseUrl(url)
  if (!parsed) return false
  if (parsed.protocol === 'data:' || parsed.protocol === 'devtools:') return true
  if (source.kind === 'dev-server') {
    const dev = new URL(source.origin)
    if (parsed.protocol === 'ws:') return parsed.host === dev.host
    return parsed.origin === source.origin
  }
  const path = filePath(parsed)
  const folder = normalize(join(source.path, '..'))
  return path !== undefined && path.startsWith(folder + sep)
}

/**
 * The options of Keyhold's only window.
 * SECURITY: every flag below is a rule of DESIGN.md ("Security rules for the Electron shell");
 * the shell tests assert each one. The renderer gets no Node, no Electron, and talks to main
 * only through the preload's named methods.
 */
export function mainWindowOptions(preload: string, isPackaged: boolean = app.isPackaged): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: 'Keyhold',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // SECURITY: no DevTools in the packaged app, so an unlocked vault cannot be read through a console.
      devTools: !isPackaged,
    },
  }
}

/**
 * Applied to every WebContents Keyhold ever creates (from `web-contents-created`) and to the
 * main window directly.
 * SECURITY: the page can never leave our renderer: no navigation of any frame, no new
 * windows (links included), no <webview>.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-frame-navigate', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
}

/**
 * Locks down the session the window uses.
 * SECURITY: every permission (camera, notifications, clipboard read, USB, ...) is refused,
 * requests outside our renderer are cancelled, and every response carries the strict CSP.
 */
export function hardenSession(session: Session, source: RendererSource): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url, source) }))
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) }),
  )
}

/** Response headers with our CSP as the only Content-Security-Policy. */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const kept = Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy')
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] }
}

/** Creates the hardened main window, loads the renderer, and shows it once it has painted. */
export function createMainWindow(source: RendererSource = rendererSource()): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath()))
  hardenWebContents(window.webContents)
  window.once('ready-to-show', () => window.show())
  const loading = source.kind === 'dev-server' ? window.loadURL(source.url) : window.loadFile(source.path)
  loading.catch((error: unknown) => {
    console.error(`Keyhold could not load its window: ${error instanceof Error ? error.message : String(error)}`)
  })
  return window
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}

function filePath(url: URL): string | undefined {
  if (url.protocol !== 'file:') return undefined
  try {
    return normalize(fileURLToPath(url))
  } catch {
    return undefined
  }
}
