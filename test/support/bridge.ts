import { timingSafeEqual, randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { methodByChannel } from '../../src-shared/ipc/contract'
import { cliTerminalHost } from '../../src-main/cli/terminal-host'
import { agentEndpoint, type AgentEndpoint } from '../../src-main/core/agent/agent-paths'
import type { ConnectionTimings } from '../../src-main/core/agent/limits'
import type { Clock, SaveFileDialog } from '../../src-main/core/ports'
import { createServices, type Services } from '../../src-main/core/services'
import { createAppDispatch } from '../../src-main/ipc/handlers'
import { MemoryKeyStore } from '../fakes/memory.key-store'
import { FAST_KDF, tempDir } from './vault'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The built renderer (test/support/build-renderer.global.ts puts it there). */
export const RENDERER_DIR = resolve(ROOT, 'out/renderer')

const TOKEN_HEADER = 'x-keyhold-bridge-token'
const MAX_BODY = 1024 * 1024
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
}

export interface BridgeOptions {
  /** Auto-lock after this many ms of inactivity (main's default otherwise). */
  autoLockMs?: number
  /** The app's save dialog (Export CSV); a fake that answers with a temp path. */
  saveFileDialog?: SaveFileDialog
  /** A settable clock (re-confirmation window, dates on screen). */
  clock?: Clock
  /** Shorter waits for the local access agent (an approval that times out in seconds). */
  agentTimings?: Partial<ConnectionTimings>
}

/** A running bridge: the page's origin, and the real services behind it for assertions. */
export interface Bridge {
  /** `http://127.0.0.1:<port>/`: open this in the browser. */
  url: string
  /** What the page needs as `window.keyhold`: pass to `page.addInitScript`. */
  initScript: string
  services: Services
  /** The OS keychain stand-in; set `broken = true` to make it fail like a locked keychain. */
  keyStore: MemoryKeyStore
  vaultPath: string
  /** The agent's socket folder (mode 0700, in the bridge's temp folder). */
  agentFolder: string
  /** Where the agent of the open vault listens (the reference client connects there). */
  agentEndpoint(): AgentEndpoint
  close(): Promise<void>
}

/**
 * The test stand-in for Electron's main process: a loopback-only HTTP server that serves
 * the BUILT renderer and answers `POST /ipc/<channel>` with the same dispatch ipcMain uses,
 * over real services (real vault file in a temp folder, real Argon2id at FAST_KDF), with
 * only the OS keychain faked. As in the app, the local access agent listens after each unlock
 * (while Settings > Connected apps has it on), on a real socket in the bridge's temp folder,
 * and serves terminals (`keyhold` with KEYHOLD_AGENT_DIR set to `agentFolder`).
 * Lives under test/ and is never part of a build.
 * SECURITY: it listens on 127.0.0.1 only, on a random port; every /ipc call must carry the
 * per-run random token, come with our own Host (against DNS rebinding) and, when the browser
 * sends one, our own Origin.
 */
export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const { dir, cleanup } = tempDir('keyhold-e2e-')
  const vaultPath = join(dir, 'vault.keyhold')
  const keyStore = new MemoryKeyStore()
  const agentFolder = join(dir, 'agent')
  // SECURITY: the agent refuses a socket folder others may enter; mkdir's mode is masked by the umask.
  mkdirSync(agentFolder, { mode: 0o700 })
  chmodSync(agentFolder, 0o700)
  const services = createServices({
    vaultPath,
    keyStore,
    kdf: FAST_KDF,
    autoLockMs: options.autoLockMs,
    saveFileDialog: options.saveFileDialog,
    clock: options.clock,
    agent: {
      holder: 'app',
      software: 'keyhold/test',
      folder: agentFolder,
      timings: options.agentTimings,
      // Phones on this network listens on loopback only in tests.
      networkAddresses: () => [{ address: '127.0.0.1', family: 'IPv4', interface: 'lo', loopback: true }],
      // Terminals, as the app's core thread serves them (core.worker.ts): the window allows each.
      terminals: (allow) => cliTerminalHost(services, allow),
    },
    // Browser integration writes under a home of the test's own, never the person's browser profiles.
    browser: {
      home: join(dir, 'home'),
      command: { launcher: join(dir, 'native-host', 'keyhold-native-host'), argv: [process.execPath, resolve(ROOT, 'bin/keyhold.js'), 'native-host'] },
    },
  })
  const dispatch = createAppDispatch(services)
  const token = randomBytes(32).toString('hex')
  let origin = ''

  const server = createServer((request, response) => {
    void handle(request, response).catch(() => send(response, 500, 'text/plain', 'bridge error'))
  })

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (`http://${request.headers.host}` !== origin) return send(response, 421, 'text/plain', 'wrong host')
    const url = new URL(request.url ?? '/', origin)
    if (url.pathname.startsWith('/ipc/')) {
      if (request.method !== 'POST') return send(response, 405, 'text/plain', 'POST only')
      if (!sameToken(request.headers[TOKEN_HEADER], token)) return send(response, 403, 'text/plain', 'bad token')
      if (request.headers.origin !== undefined && request.headers.origin !== origin) return send(response, 403, 'text/plain', 'bad origin')
      const body = await readBody(request)
      if (body === undefined) return send(response, 413, 'text/plain', 'too large')
      let input: unknown
      try {
        input = body.length ? JSON.parse(body) : {}
      } catch {
        return send(response, 400, 'text/plain', 'not JSON')
      }
      const result = await dispatch(decodeURIComponent(url.pathname.slice('/ipc/'.length)), input)
      return send(response, 200, 'application/json', JSON.stringify(result))
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'text/plain', 'GET only')
    const file = staticFile(url.pathname)
    if (!file) return send(response, 404, 'text/plain', 'not found')
    const content = await readFile(file).catch(() => undefined)
    if (!content) return send(response, 404, 'text/plain', 'not found')
    return send(response, 200, TYPES[extname(file)] ?? 'application/octet-stream', content)
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolveListen())
  })
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: `${origin}/`,
    initScript: bridgeInitScript(token),
    services,
    keyStore,
    vaultPath,
    agentFolder,
    agentEndpoint: () => agentEndpoint(services.vault.vault().id, agentFolder),
    async close() {
      await services.agent.stop()
      services.vault.lock()
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
      cleanup()
    },
  }
}

/**
 * The page's `window.keyhold`, generated from the contract: the same method names as the
 * preload, each a same-origin fetch to the bridge that resolves to the Result.
 */
export function bridgeInitScript(token: string): string {
  const channels = Object.fromEntries([...methodByChannel].map(([channel, method]) => [method, channel]))
  return `(() => {
  const token = ${JSON.stringify(token)};
  const channels = ${JSON.stringify(channels)};
  const call = async (channel, input) => {
    try {
      const response = await fetch('/ipc/' + encodeURIComponent(channel), {
        method: 'POST',
        headers: { 'content-type': 'application/json', '${TOKEN_HEADER}': token },
        body: JSON.stringify(input === undefined ? {} : input),
      });
      return await response.json();
    } catch {
      return { ok: false, error: { code: 'INTERNAL', message: 'The test bridge did not answer.' } };
    }
  };
  const api = {};
  for (const [method, channel] of Object.entries(channels)) api[method] = (input) => call(channel, input);
  Object.defineProperty(window, 'keyhold', { value: Object.freeze(api), enumerable: true });
})();`
}

function sameToken(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(token))
}

function staticFile(pathname: string): string | undefined {
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '')
  const file = normalize(join(RENDERER_DIR, relative))
  return file.startsWith(RENDERER_DIR + sep) ? file : undefined
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  if (response.headersSent) return
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
  response.end(body)
}
