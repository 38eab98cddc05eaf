import { createHash, timingSafeEqual } from 'node:crypto'
import { CLIPBOARD_CLEAR_DEFAULT_SECONDS } from '../../../src-shared/types/settings'
import type { Clipboard } from '../ports'

/** How long a copied Client ID or client secret stays on the clipboard by default. */
export const DEFAULT_CLIPBOARD_CLEAR_MS = CLIPBOARD_CLEAR_DEFAULT_SECONDS * 1000

/** A fixed delay, or where to read the current one (the person's setting) at each copy. */
export type ClearAfter = number | (() => number)

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()

/**
 * Copies made by main, taken back later. After `clearAfterMs` (and on lock) the clipboard
 * is cleared, but only if it still holds what was copied: whatever the person copied since
 * is left alone.
 *
 * SECURITY: only a SHA-256 digest of the copied text is kept for the comparison, so the
 * secret does not linger in this object for the 30 seconds; it is never logged.
 */
export class ClipboardGuard {
  private copied: Buffer | null = null
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly clipboard: Clipboard,
    private readonly clearAfter: ClearAfter = DEFAULT_CLIPBOARD_CLEAR_MS,
  ) {}

  /** The delay the next copy gets. */
  get clearAfterMs(): number {
    return typeof this.clearAfter === 'function' ? this.clearAfter() : this.clearAfter
  }

  /** Writes `text` to the clipboard and schedules taking it back. Returns the delay, in ms. */
  copy(text: string): number {
    const delay = this.clearAfterMs
    this.clipboard.writeText(text)
    this.copied = digest(text)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.clearIfOurs(), delay)
    this.timer.unref?.()
    return delay
  }

  /** Clears the clipboard now if it still holds the last copy; forgets the copy either way. */
  clearIfOurs(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const copied = this.copied
    this.copied = null
    if (!copied) return
    let current: string
    try {
      current = this.clipboard.readText()
    } catch {
      return
    }
    if (timingSafeEqual(digest(current), copied)) this.clipboard.clear()
  }
}
