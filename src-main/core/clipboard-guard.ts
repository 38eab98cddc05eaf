import { createHash, timingSafeEqual } from 'node:crypto'
import { CLIPBOARD_CLEAR_DEFAULT_SECONDS, type ClipboardCopy } from '../../src-shared/types/settings'
import type { Clipboard } from './ports'

/** How long a copy (a Client ID, a client secret, a new token) stays on the clipboard by default. */
export const DEFAULT_CLIPBOARD_CLEAR_MS = CLIPBOARD_CLEAR_DEFAULT_SECONDS * 1000

/** A fixed delay, or where to read the current one (the person's setting) at each copy. */
export type ClearAfter = number | (() => number)

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest()

/**
 * Every copy the core makes (API secrets and new tokens alike), taken back later: one guard per
 * process (createServices), so the last copy is the one it watches. After the delay, and when the
 * vault locks, the clipboard is cleared, but only if it still holds what was copied: whatever the
 * person copied since is left alone.
 *
 * SECURITY: only a SHA-256 digest of the copied text is kept for the comparison, so the secret
 * does not linger in this object for the delay; it is never logged.
 */
export class ClipboardGuard {
  private copied: Buffer | null = null
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly clipboard: Clipboard,
    private readonly clearAfter: ClearAfter = DEFAULT_CLIPBOARD_CLEAR_MS,
  ) {}

  /** Writes `text` to the clipboard and schedules taking it back; answers the delay. */
  copy(text: string): ClipboardCopy {
    const delay = typeof this.clearAfter === 'function' ? this.clearAfter() : this.clearAfter
    this.clipboard.writeText(text)
    this.copied = digest(text)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.clearIfOurs(), delay)
    this.timer.unref?.()
    return { clearsAfterMs: delay }
  }

  /** Clears the clipboard now if it still holds the last copy (on lock); forgets the copy either way. */
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
