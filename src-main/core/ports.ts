/**
 * What the core needs from the outside world. The Electron shell and the CLI provide
 * real adapters; unit tests provide fakes. The core never imports electron.
 */

/** The OS keychain (keytar in production). A missing entry is `null`; failures throw. */
export interface KeyStore {
  get(account: string): Promise<string | null>
  set(account: string, secret: string): Promise<void>
  delete(account: string): Promise<boolean>
}

/** Wall-clock time, injectable so expiry, idle lock and re-confirmation windows can be tested. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A keychain that is simply not there (e.g. a headless server): every call fails the same way. */
export const noKeyStore: KeyStore = {
  get: () => Promise.reject(new Error('no keychain')),
  set: () => Promise.reject(new Error('no keychain')),
  delete: () => Promise.reject(new Error('no keychain')),
}

/**
 * The system clipboard (Electron's in the app). Copies of secrets are made by main only. Async:
 * the core runs in a worker thread, and Electron's clipboard answers on main's thread.
 */
export interface Clipboard {
  readText(): Promise<string>
  writeText(text: string): Promise<void>
  clear(): Promise<void>
}

/** A process-local clipboard for the CLI and tests. */
export class MemoryClipboard implements Clipboard {
  private text = ''
  async readText(): Promise<string> {
    return this.text
  }
  async writeText(text: string): Promise<void> {
    this.text = text
  }
  async clear(): Promise<void> {
    this.text = ''
  }
}

/**
 * Asks the person where to save a file (Electron's save dialog in the app). Resolves to the
 * chosen path, or null when the dialog was cancelled. The core writes the file itself.
 */
export interface SaveFileDialog {
  choosePath(options: { title: string; defaultName: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null>
}
