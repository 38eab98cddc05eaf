import { setFlagsFromString } from 'node:v8'
import { Worker } from 'node:worker_threads'
import type { Result } from '../../src-shared/errors'
import type { KdfParams } from '../../src-shared/types/vault'
import type { BrowserServiceOptions } from '../core/browser/browser.service'
import type { Clipboard, KeyStore, SaveFileDialog } from '../core/ports'
import type { Dispatch } from '../ipc/handle'
import type { CoreApi, CoreWorkerData, HostApi } from './protocol'
import { connect, type Rpc } from './rpc'

/** How long a closing core has to end itself before it is terminated. */
const EXIT_GRACE_MS = 5_000

export interface CoreHostOptions {
  /** The built core.worker script. */
  workerPath: string
  vaultPath: string
  keyStore: KeyStore
  clipboard: Clipboard
  saveFileDialog?: SaveFileDialog
  /** Fixed KDF (tests); calibrated on this machine when absent. */
  kdf?: KdfParams
  autoLockMs?: number
  clipboardClearMs?: number
  /** The app's version, which the local access agent names in its hello. */
  software?: string
  /** The agent needs the person: bring the window forward. */
  onAttention?: () => void
  /** How browsers start this Keyhold's native messaging host. */
  browser?: BrowserServiceOptions
}

/** What a request gets when the core's thread died under it; the keys died with it. */
export const CORE_STOPPED: Result<never> = Object.freeze({
  ok: false,
  error: Object.freeze({
    code: 'INTERNAL',
    message: "Keyhold's vault engine stopped unexpectedly, so the vault is locked. Unlock it again; if this keeps happening, restart Keyhold.",
  }),
})

/**
 * The core frees AES-GCM's dead output buffers with `gc` as it opens and saves vaults
 * (see cipher-garbage.ts).
 * The flag adds a `gc` function to the contexts this process creates from now on (the core's
 * worker, and any other worker or vm context main makes later; as Jest's leak detector uses
 * it); main's own context has none, and renderers are other processes. At worst, code there
 * could force collections. Electron starts V8 with its flags unfrozen, so setting one now is
 * allowed.
 */
function exposeGcToNewContexts(): void {
  // Setting it again (a restarted core) changes nothing.
  setFlagsFromString('--expose-gc')
}

/**
 * Main's handle on the core, which runs in a worker thread (core.worker.ts): `dispatch` is
 * the same validated, Result-returning entry point as in-process, so ipcMain does not know
 * the difference. Main answers the worker's keychain, clipboard and save-dialog calls with
 * the real adapters. If the worker dies, waiting requests get CORE_STOPPED, listeners hear
 * that the vault locked, and the next request starts a fresh worker.
 */
export class CoreHost {
  private worker: Worker | null = null
  private rpc: Rpc<CoreApi, HostApi> | null = null
  private closed = false
  private closing: Promise<void> | null = null
  private readonly lockListeners = new Set<() => void>()

  constructor(private readonly options: CoreHostOptions) {
    this.connect()
  }

  readonly dispatch: Dispatch = async (channel, input) => {
    if (this.closed) return CORE_STOPPED
    try {
      return await this.connect().dispatch(channel, input)
    } catch {
      return CORE_STOPPED
    }
  }

  /** Locks the vault (screen lock, suspend, quit). Resolves once it is locked. */
  async lock(): Promise<void> {
    await this.rpc?.lock().catch(() => undefined)
  }

  /** Resolves once every save under way or queued is durable (or failed). */
  async settle(): Promise<void> {
    await this.rpc?.settle().catch(() => undefined)
  }

  /** Stops the local access agent (quit), removing its socket. */
  async shutdown(): Promise<void> {
    await this.rpc?.shutdown().catch(() => undefined)
  }

  /** Calls `listener` whenever the vault locks, whatever locked it. Returns the unsubscribe. */
  onLocked(listener: () => void): () => void {
    this.lockListeners.add(listener)
    return () => this.lockListeners.delete(listener)
  }

  /**
   * Stops the worker (after lock, at quit); resolves once the thread is gone. Later requests get
   * CORE_STOPPED. The thread ends itself (see CoreApi.exit); terminate only if it does not answer.
   */
  close(): Promise<void> {
    // A second call (a second quit while the first is settling) waits for the same end.
    this.closing ??= this.end()
    return this.closing
  }

  private async end(): Promise<void> {
    this.closed = true
    const worker = this.worker
    const rpc = this.rpc
    this.worker = null
    this.rpc = null
    if (!worker) return
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    const stuck = setTimeout(() => void worker.terminate(), EXIT_GRACE_MS)
    void rpc?.exit().catch(() => undefined)
    await exited
    clearTimeout(stuck)
  }

  private emitLocked(): void {
    for (const listener of this.lockListeners) listener()
  }

  private connect(): Rpc<CoreApi, HostApi> {
    if (this.rpc) return this.rpc
    const { workerPath, keyStore, clipboard, saveFileDialog } = this.options
    const data: CoreWorkerData = {
      vaultPath: this.options.vaultPath,
      hasSaveFileDialog: !!saveFileDialog,
      kdf: this.options.kdf,
      autoLockMs: this.options.autoLockMs,
      clipboardClearMs: this.options.clipboardClearMs,
      software: this.options.software ?? 'keyhold',
      browser: this.options.browser,
    }
    // V8's default young generation (up to 32 MiB of semi-spaces here) stays committed after
    // the search index's build has passed through it; 8 MiB keeps about 25 MiB of RSS off a
    // 100,000-secret vault, with no measurable cost to search or save (npm run bench).
    exposeGcToNewContexts()
    const worker = new Worker(workerPath, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 8 } })
    // Main's lifetime is the app's (or the test's), not the worker's.
    worker.unref()
    const rpc = connect<HostApi, CoreApi>(worker, {
      keyStoreGet: (account) => keyStore.get(account),
      keyStoreSet: (account, secret) => keyStore.set(account, secret),
      keyStoreDelete: (account) => keyStore.delete(account),
      chooseSavePath: async (options) => (saveFileDialog ? saveFileDialog.choosePath(options) : null),
      clipboardReadText: () => clipboard.readText(),
      clipboardWriteText: (text) => clipboard.writeText(text),
      clipboardClear: () => clipboard.clear(),
      locked: () => this.emitLocked(),
      attention: () => this.options.onAttention?.(),
    })
    // SECURITY: an uncaught error's text could quote anything; it is not logged. 'exit' follows.
    worker.on('error', () => undefined)
    worker.once('exit', () => {
      rpc.$close(new Error('the core stopped'))
      if (this.worker !== worker) return
      this.worker = null
      this.rpc = null
      this.emitLocked()
    })
    this.worker = worker
    this.rpc = rpc
    return rpc
  }
}
