/**
 * Clears a copied Client ID or client secret from the clipboard after the delay, if the
 * clipboard still holds it (the same rule as Keyhold's window). It keeps only the copy's
 * SHA-256, never the value, and watches one copy at a time: a newer copy replaces the watch
 * (the older value is no longer on the clipboard anyway). Runs where the clipboard outlives
 * the popup: Chromium's offscreen document, Firefox's background page.
 */

/** Keyhold's default clipboard delay. The agent does not tell companions the vault's own setting. */
export const CLIPBOARD_CLEAR_MS = 30_000

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

/** Popup → background: watch this copy. Background → offscreen document: the same, forwarded. */
export interface WatchRequest {
  t: 'clipboard.watch' | 'offscreen.watch'
  digest: string
  afterMs: number
}

/** Offscreen document → background: nothing is watched any more, the document may close. */
export const CLIPBOARD_IDLE = 'clipboard.idle'

export function isWatchRequest(value: unknown, t: WatchRequest['t']): value is WatchRequest {
  if (typeof value !== 'object' || value === null) return false
  const { t: kind, digest, afterMs } = value as Record<string, unknown>
  return kind === t && typeof digest === 'string' && /^[0-9a-f]{64}$/.test(digest) && typeof afterMs === 'number' && afterMs >= 1_000 && afterMs <= 600_000
}
