import { randomBytes } from 'node:crypto'
import { KeyholdError } from '../../../src-shared/errors'
import type { Clipboard, Clock } from '../ports'
import { ClipboardGuard, DEFAULT_CLIPBOARD_CLEAR_MS, type ClearAfter } from '../secrets/clipboard-guard'

/** How long the token screen may copy a new token: the screen is meant to be read and closed. */
export const TOKEN_COPY_TTL_MS = 5 * 60_000
/** The clipboard is cleared this long after a copy, if it still holds the token (as for API secrets). */
export const CLIPBOARD_CLEAR_MS = DEFAULT_CLIPBOARD_CLEAR_MS

/**
 * The token screen's copy button without storing the token. SECURITY: a generated token is
 * never written to the vault, a log or a second IPC payload. Main keeps it in memory under a
 * random handle that the generate answer carries; the renderer asks main to copy by handle.
 * The handle dies when the screen closes (`forget`), when the vault locks (`clear`) or
 * TOKEN_COPY_TTL_MS after generation, whichever comes first. Copies go through the same
 * ClipboardGuard as API secrets: cleared after `clearAfterMs` (and on lock) unless the
 * person copied something else meanwhile.
 */
export class TokenCopies {
  private readonly held = new Map<string, { token: string; expiresAt: number }>()
  private readonly guard: ClipboardGuard

  constructor(
    private readonly clock: Clock,
    clipboard: Clipboard,
    clearAfter: ClearAfter = CLIPBOARD_CLEAR_MS,
  ) {
    this.guard = new ClipboardGuard(clipboard, clearAfter)
  }

  /** Holds `token` for the token screen and returns its copy handle. */
  hold(token: string): string {
    this.prune()
    const handle = randomBytes(16).toString('hex')
    this.held.set(handle, { token, expiresAt: this.clock.now() + TOKEN_COPY_TTL_MS })
    return handle
  }

  /** Copies the held token to the clipboard; NOT_FOUND once the handle is gone. Returns the delay until it is cleared, in ms. */
  copy(handle: string): number {
    this.prune()
    const entry = this.held.get(handle)
    if (!entry)
      throw new KeyholdError(
        'NOT_FOUND',
        'This token can no longer be copied: Keyhold shows it only once and does not keep it. If you did not save it, deactivate the key and generate a new one.',
      )
    return this.guard.copy(entry.token)
  }

  /** The token screen was closed: its token cannot be copied any more. */
  forget(handle: string): void {
    this.held.delete(handle)
  }

  /** On lock: drop every held token and take a copied one off the clipboard. */
  clear(): void {
    this.held.clear()
    this.guard.clearIfOurs()
  }

  private prune(): void {
    const now = this.clock.now()
    for (const [handle, entry] of this.held) if (entry.expiresAt <= now) this.held.delete(handle)
  }
}
