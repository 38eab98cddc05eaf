import { createHash, timingSafeEqual } from 'node:crypto'
import type { Clipboard } from '../ports'

/** How long a copied Client ID or client secret stays on the clipboard by default. */
export const DEFAULT_CLIPBOARD_CLEAR_MS = 30_000

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
    readonly clearAfterMs: number = DEFAULT_CLIPBOARD_CLEAR_MS,
  ) {}

  /** Writes `text` to the clipboard and schedules taking it back. */
  copy(text: string): void {
    this.clipboard.writeText(text)
    this.copied = digest(text)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.clearIfOurs(), this.clearAfterMs)
    this.timer.unref?.()
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
