import type { Result } from '../../src-shared/errors'
import type { KdfParams } from '../../src-shared/types/vault'
import type { BrowserServiceOptions } from '../core/browser/browser.service'
import type { SaveFileDialog } from '../core/ports'

/**
 * What the core's worker thread and Electron's main thread say to each other. The core (vault,
 * sql.js, every service) lives in the worker, so a save of a large vault, which blocks its
 * thread while sql.js exports the image, never freezes the window or the IPC of main.
 */

/** What the worker serves to main. */
export type CoreApi = {
  /** One IPC request, already past main's sender check: validated and answered by the core. */
  dispatch(channel: string, input: unknown): Promise<Result<unknown>>
  /** Locks now (screen lock, suspend, quit); resolves once the keys are out of memory and a copy is off the clipboard. */
  lock(): Promise<void>
  /** Resolves once every save under way or queued is durable (or failed). */
  settle(): Promise<void>
  /** Stops the local access agent (quit): its socket and public facts file are removed. */
  shutdown(): Promise<void>
  /**
   * Ends the thread from inside, right after answering (close). Never `worker.terminate()` while
   * the core may be working: Node 20 aborts the whole process when a termination lands inside an
   * fs.promises call (node_file.cc OpenFileHandle, "Assertion failed: (argc) == (5)").
   */
  exit(): Promise<void>
}

/** What main serves to the worker: the OS boundary, which lives on the main thread. */
export type HostApi = {
  keyStoreGet(account: string): Promise<string | null>
  keyStoreSet(account: string, secret: string): Promise<void>
  keyStoreDelete(account: string): Promise<boolean>
  chooseSavePath(options: Parameters<SaveFileDialog['choosePath']>[0]): Promise<string | null>
  clipboardReadText(): Promise<string>
  clipboardWriteText(text: string): Promise<void>
  clipboardClear(): Promise<void>
  /** Event (`$callEvent`): the vault locked, whatever locked it (idle timer, lock button, main). */
  locked(): void
  /** Event: the agent needs the person (an approval or reveal question, or a companion asked to unlock): bring the window forward. */
  attention(): void
}

/** The worker's `workerData`. */
export interface CoreWorkerData {
  vaultPath: string
  /** Whether main has a save dialog (the CLI and some tests have none). */
  hasSaveFileDialog: boolean
  /** Fixed KDF (tests); calibrated on this machine when absent. */
  kdf?: KdfParams
  autoLockMs?: number
  clipboardClearMs?: number
  /** The app's version, which the agent's hello names. */
  software: string
  /** How browsers start this Keyhold's native messaging host (Settings > Browser integration). */
  browser?: BrowserServiceOptions
}
