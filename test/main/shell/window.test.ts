import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../../src-shared/csp'
import {
  createMainWindow,
  hardenSession,
  hardenWebContents,
  isAllowedRequest,
  isRendererUrl,
  mainWindowOptions,
  preloadPath,
  rendererSource,
  type RendererSource,
} from '../../../src-main/window'
import * as electron from '../../fakes/electron'

const OUT = '/opt/keyhold/out'
const FILE_SOURCE: RendererSource = { kind: 'file', path: join(OUT, 'renderer/index.html') }
const DEV_SOURCE: RendererSource = { kind: 'dev-server', url: 'http://localhost:5173/', origin: 'http://localhost:5173' }

beforeEach(() => electron.resetElectronFake())

describe('mainWindowOptions', () => {
  const prefs = mainWindowOptions('/app/out/preload/index.cjs', true).webPreferences!

  it('isolates the renderer from Node and Electron', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
    })
  })

  it('keeps web security on and refuses insecure content, webviews and experimental features', () => {
    expect(prefs).toMatchObject({
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    })
  })

  it('turns the spellchecker off so typed secrets are not sent to a dictionary service', () => {
    expect(prefs.spellcheck).toBe(false)
  })

  it('uses the sandboxed preload bundle and enables no Blink feature', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs')
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
  })

  it('offers DevTools only in an unpackaged build', () => {
    expect(prefs.devTools).toBe(false)
    expect(mainWindowOptions('/p.cjs', false).webPreferences!.devTools).toBe(true)
  })

  it('keeps the window hidden until it has painted', () => {
    expect(mainWindowOptions('/p.cjs').show).toBe(false)
  })
})

describe('preloadPath', () => {
  it('points at out/preload/index.cjs next to the built main bundle', () => {
    expect(preloadPath(join(OUT, 'main'))).toBe(join(OUT, 'preload/index.cjs'))
  })
})

describe('rendererSource', () => {
  it('loads out/renderer/index.html next to the built main bundle by default', () => {
    expect(rendererSource({ env: {}, isPackaged: false, baseDir: join(OUT, 'main') })).toEqual(FILE_SOURCE)
  })

  it('loads the electron-vite dev server in an unpackaged build', () => {
    const source = rendererSource({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' }, isPackaged: false, baseDir: OUT })
    expect(source).toEqual(DEV_SOURCE)
  })

  it('ignores ELECTRON_RENDERER_URL in a packaged app', () => {
    const source = rendererSource({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' }, isPackaged: true, baseDir: join(OUT, 'main') })
    expect(source).toEqual(FILE_SOURCE)
  })

  it.each(['https://evil.example/', 'http://evil.example:5173/', 'file:///tmp/page.html', 'http://192.168.1.4:5173/'])(
    'refuses a dev-server address that is not loopback http: %s',
    (url) => {
      expect(() => rendererSource({ env: { ELECTRON_RENDERER_URL: url }, isPackaged: false, baseDir: OUT })).toThrow(/localhost/)
    },
  )
})

describe('isRendererUrl', () => {
  const index = pathToFileURL(FILE_SOURCE.kind === 'file' ? FILE_SOURCE.path : '').href

  it('accepts our index.html, with or without a router hash', () => {
    expect(isRendererUrl(index, FILE_SOURCE)).toBe(true)
    expect(isRendererUrl(`${index}#/secrets`, FILE_SOURCE)).toBe(true)
  })

  it.each([
    ['another local file', pathToFileURL('/tmp/evil.html').href],
    ['a sibling file of our renderer', pathToFileURL(join(OUT, 'renderer/other.html')).href],
    ['a path that climbs back to index.html through an encoded slash', `file://${OUT}/renderer/assets%2F..%2Findex.html`],
    ['a remote page', 'https://evil.example/index.html'],
    ['a file URL with a host', `file://evil.example${OUT}/renderer/index.html`],
    ['about:blank', 'about:blank'],
    ['garbage', 'not a url'],
  ])('refuses %s', (_name, url) => {
    expect(isRendererUrl(url, FILE_SOURCE)).toBe(false)
  })

  it('accepts only the dev server origin in development', () => {
    expect(isRendererUrl('http://localhost:5173/#/apps', DEV_SOURCE)).toBe(true)
    expect(isRendererUrl('http://localhost:5174/', DEV_SOURCE)).toBe(false)
    expect(isRendererUrl('http://127.0.0.1:5173/', DEV_SOURCE)).toBe(false)
  })
})

describe('isAllowedRequest', () => {
  it('lets the renderer load its own files, data: images and DevTools', () => {
    expect(isAllowedRequest(pathToFileURL(join(OUT, 'renderer/assets/index-abc.js')).href, FILE_SOURCE)).toBe(true)
    expect(isAllowedRequest('data:image/png;base64,iVBORw0KGgo=', FILE_SOURCE)).toBe(true)
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', FILE_SOURCE)).toBe(true)
  })

  it.each([
    'https://cdn.example/lib.js',
    'http://localhost:5173/',
    'wss://evil.example/socket',
    'file:///etc/passwd',
    `file://${OUT}/renderer/../main/index.js`,
    `file://${OUT}/renderer-evil/index.html`,
    'blob:https://evil.example/1',
  ])('cancels %s in the packaged renderer', (url) => {
    expect(isAllowedRequest(url, FILE_SOURCE)).toBe(false)
  })

  it('allows the dev server and its hot-reload socket in development, and nothing remote', () => {
    expect(isAllowedRequest('http://localhost:5173/src/main.ts', DEV_SOURCE)).toBe(true)
    expect(isAllowedRequest('ws://localhost:5173/?token=x', DEV_SOURCE)).toBe(true)
    expect(isAllowedRequest('ws://localhost:9229/', DEV_SOURCE)).toBe(false)
    expect(isAllowedRequest('https://fonts.example/font.woff2', DEV_SOURCE)).toBe(false)
    expect(isAllowedRequest(pathToFileURL('/etc/passwd').href, DEV_SOURCE)).toBe(false)
  })
})

describe('hardenWebContents', () => {
  function hardened(): electron.WebContents {
    const contents = new electron.WebContents()
    hardenWebContents(contents as never)
    return contents
  }

  it('prevents every navigation of the main frame', () => {
    const contents = hardened()
    const event = electron.fakeEvent({ url: 'https://evil.example/' })
    contents.emit('will-navigate', event, 'https://evil.example/')
    expect(event.defaultPrevented).toBe(true)
  })

  it('prevents navigation in any subframe', () => {
    const contents = hardened()
    const event = electron.fakeEvent({ url: 'https://evil.example/', isMainFrame: false })
    contents.emit('will-frame-navigate', event)
    expect(event.defaultPrevented).toBe(true)
  })

  it('denies window.open and target=_blank links', () => {
    expect(hardened().windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
  })

  it('refuses to attach a webview', () => {
    const contents = hardened()
    const event = electron.fakeEvent()
    contents.emit('will-attach-webview', event, {}, { src: 'https://evil.example/' })
    expect(event.defaultPrevented).toBe(true)
  })
})

describe('hardenSession', () => {
  function hardened(source: RendererSource = FILE_SOURCE) {
    const session = electron.session.defaultSession
    hardenSession(session as never, source)
    return session
  }

  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen'])(
    'denies a request for the %s permission',
    (permission) => {
      const answers: boolean[] = []
      hardened().permissionRequestHandler!(new electron.WebContents(), permission, (granted: boolean) => answers.push(granted), {})
      expect(answers).toEqual([false])
    },
  )

  it.each(['media', 'hid', 'serial', 'usb', 'clipboard-sanitized-write'])('answers no to a check of the %s permission', (permission) => {
    expect(hardened().permissionCheckHandler!(null, permission, 'file:///', {})).toBe(false)
  })

  it('denies access to every device', () => {
    expect(hardened().devicePermissionHandler!({ deviceType: 'usb', origin: 'file://' })).toBe(false)
  })

  it('cancels a request for remote content and lets our own files through', () => {
    const session = hardened()
    const answers: unknown[] = []
    session.webRequest.beforeRequest!({ url: 'https://tracker.example/pixel.gif' }, (r) => answers.push(r))
    session.webRequest.beforeRequest!({ url: pathToFileURL(join(OUT, 'renderer/assets/app.css')).href }, (r) => answers.push(r))
    expect(answers).toEqual([{ cancel: true }, { cancel: false }])
  })

  it('sets our Content-Security-Policy on every response, replacing any other', () => {
    const session = hardened(DEV_SOURCE)
    let headers: Record<string, string[]> | undefined
    session.webRequest.headersReceived!(
      { url: 'http://localhost:5173/', responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } },
      (response) => {
        headers = response.responseHeaders as Record<string, string[]>
      },
    )
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  })
})

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/)
      return [name!, values]
    }),
  )

  it('refuses everything it does not list', () => {
    expect(directives.get('default-src')).toEqual(["'none'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('base-uri')).toEqual(["'none'"])
    expect(directives.get('form-action')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
  })

  it('loads scripts, styles, fonts and connections only from the app itself', () => {
    for (const name of ['script-src', 'style-src', 'font-src', 'connect-src']) expect(directives.get(name)).toEqual(["'self'"])
    expect(directives.get('img-src')).toEqual(["'self'", 'data:'])
  })

  it('allows no inline code, no eval, no wildcard and no remote origin', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|https?:|wss?:|blob:|strict-dynamic/)
  })

  it("is the policy the renderer's index.html declares, which is what a file:// page gets", () => {
    const html = readFileSync(resolve(__dirname, '../../../src-renderer/index.html'), 'utf8')
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)].map((m) => m[1])
    expect(metas).toEqual([CONTENT_SECURITY_POLICY])
  })
})

describe('createMainWindow', () => {
  it('builds the window from mainWindowOptions with the built preload', () => {
    const window = createMainWindow(FILE_SOURCE) as unknown as electron.BrowserWindow
    expect(window.options).toEqual(mainWindowOptions(preloadPath()))
    expect((window.options.webPreferences as { preload: string }).preload).toMatch(/preload[\\/]index\.cjs$/)
  })

  it('loads the renderer file in production and the dev server in development', () => {
    const built = createMainWindow(FILE_SOURCE) as unknown as electron.BrowserWindow
    const dev = createMainWindow(DEV_SOURCE) as unknown as electron.BrowserWindow
    expect(built.loaded).toEqual([{ file: join(OUT, 'renderer/index.html') }])
    expect(dev.loaded).toEqual([{ url: 'http://localhost:5173/' }])
  })

  it('shows the window only once it is ready to show', () => {
    const window = createMainWindow(FILE_SOURCE) as unknown as electron.BrowserWindow
    expect(window.shown).toBe(false)
    window.emit('ready-to-show')
    expect(window.shown).toBe(true)
  })

  it('prevents navigation and denies new windows on its own contents', () => {
    const window = createMainWindow(FILE_SOURCE) as unknown as electron.BrowserWindow
    const event = electron.fakeEvent()
    window.webContents.emit('will-navigate', event, 'https://evil.example/')
    expect(event.defaultPrevented).toBe(true)
    expect(window.webContents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' })
  })
})
