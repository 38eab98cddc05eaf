import { CLIPBOARD_CLEAR_MAX_SECONDS } from '../../src-shared/types/settings'

/**
 * Clears a copied Client ID or client secret from the clipboard after the delay, if the
 * clipboard still holds it (the same rule as Keyhold's window). It keeps only the copy's
 * SHA-256, never the value, and watches one copy at a time: a newer copy replaces the watch
 * (the older value is no longer on the clipboard anyway). Runs where the clipboard outlives
 * the popup: Chromium's offscreen document, Firefox's background page.
 */

/** The shortest watch the background takes. */
const WATCH_MIN_MS = 1_000
/** SECURITY: the longest watch is Keyhold's own longest delay; a copy never stays longer than the person could choose. */
const WATCH_MAX_MS = CLIPBOARD_CLEAR_MAX_SECONDS * 1000

/** The watch for a copy from a session whose vault clears copies after `seconds` (`Session.clipboardClearSeconds`), within the bounds the background takes. */
export function watchDelayMs(seconds: number): number {
  return Math.min(WATCH_MAX_MS, Math.max(WATCH_MIN_MS, Math.round(seconds) * 1000))
}

/** "30 seconds", "1 minute", "2 minutes", "90 seconds": how long a copy stays on the clipboard, as Keyhold's window says it. */
export function delayWords(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds >= 60 && seconds % 60 === 0) {
    const minutes = seconds / 60
    return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`
  }
  return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`
}

/** The clipboard, as the page that runs the watch can reach it. */
export interface ClipboardAccess {
  /** The clipboard's text; null when it cannot be read. */
  readText(): Promise<string | null>
  /** Empties the clipboard; false when the browser refused. */
  clear(): Promise<boolean>
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** What happened at the end of a watch, for the caller's housekeeping and the tests. */
export type WatchOutcome = 'cleared' | 'changed' | 'failed'

export class ClipboardWatch {
  private timer: unknown = null

  constructor(
    private readonly clipboard: ClipboardAccess,
    private readonly digestOf: (text: string) => Promise<string>,
    private readonly onDone: (outcome: WatchOutcome) => void = () => {},
    private readonly timers: Timers = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) },
  ) {}

  get watching(): boolean {
    return this.timer !== null
  }

  /** Watches the copy whose SHA-256 (hex) is `digest`, replacing any earlier watch. */
  watch(digest: string, afterMs: number): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer)
    this.timer = this.timers.setTimeout(() => {
      this.timer = null
      void this.expire(digest).then(this.onDone)
    }, afterMs)
  }

  private async expire(digest: string): Promise<WatchOutcome> {
    const text = await this.clipboard.readText().catch(() => null)
    // SECURITY: a clipboard that cannot be read is cleared anyway: the copy may still be on it.
    if (text !== null && (await this.digestOf(text)) !== digest) return 'changed'
    return (await this.clipboard.clear().catch(() => false)) ? 'cleared' : 'failed'
  }
}

/** SHA-256 of UTF-8 text, as hex, with WebCrypto (popup, offscreen document and background page alike). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/**
 * Popup → background: watch this copy. Background → offscreen document: the same, forwarded.
 * Each answers WATCHING once the watch is set; any other answer, or none, means it is not.
 */
export interface WatchRequest {
  t: 'clipboard.watch' | 'offscreen.watch'
  digest: string
  afterMs: number
}

/** Offscreen document → background: nothing is watched any more, the document may close. */
export const CLIPBOARD_IDLE = 'clipboard.idle'

/** The answer to a WatchRequest whose watch is set. */
export const WATCHING = { watching: true } as const

/** Whether the answer to a WatchRequest says the watch is set (no answer, an error or anything else: it is not). */
export function isWatching(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && (answer as Record<string, unknown>).watching === true
}

export function isWatchRequest(value: unknown, t: WatchRequest['t']): value is WatchRequest {
  if (typeof value !== 'object' || value === null) return false
  const { t: kind, digest, afterMs } = value as Record<string, unknown>
  return kind === t && typeof digest === 'string' && /^[0-9a-f]{64}$/.test(digest) && typeof afterMs === 'number' && afterMs >= WATCH_MIN_MS && afterMs <= WATCH_MAX_MS
}
