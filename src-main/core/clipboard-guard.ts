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
 * The clipboard answers asynchronously (main's, from the core's thread), so the guard's clipboard
 * calls run one after another: a clear that has read its copy back is never overtaken by a newer
 * copy, which it would then clear.
 *
 * SECURITY: only a SHA-256 digest of the copied text is kept for the comparison, so the secret
 * does not linger in this object for the delay; it is never logged.
 */
export class ClipboardGuard {
  private copied: Buffer | null = null
  private timer: ReturnType<typeof setTimeout> | undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly clipboard: Clipboard,
    private readonly clearAfter: ClearAfter = DEFAULT_CLIPBOARD_CLEAR_MS,
  ) {}

  /** Writes `text` to the clipboard and schedules taking it back; answers the delay. */
  copy(text: string): Promise<ClipboardCopy> {
    return this.inOrder(async () => {
      const delay = typeof this.clearAfter === 'function' ? this.clearAfter() : this.clearAfter
      await this.clipboard.writeText(text)
      const copied = (this.copied = digest(text))
      clearTimeout(this.timer)
      this.timer = setTimeout(() => void this.inOrder(() => this.takeBack(copied)), delay)
      this.timer.unref?.()
      return { clearsAfterMs: delay }
    })
  }

  /** Clears the clipboard now if it still holds the last copy (on lock); forgets the copy either way. */
  clearIfOurs(): Promise<void> {
    return this.inOrder(() => this.takeBack(this.copied))
  }

  /** Takes `copied` back unless a newer copy replaced it; a clipboard that fails is left as it is. */
  private async takeBack(copied: Buffer | null): Promise<void> {
    if (!copied || copied !== this.copied) return
    clearTimeout(this.timer)
    this.timer = undefined
    this.copied = null
    try {
      if (timingSafeEqual(digest(await this.clipboard.readText()), copied)) await this.clipboard.clear()
    } catch {
      // Nothing to take back from a clipboard that cannot be read or cleared.
    }
  }

  private inOrder<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job)
    this.queue = run.catch(() => undefined)
    return run
  }
}
