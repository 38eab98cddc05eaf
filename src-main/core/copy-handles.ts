import { randomBytes } from 'node:crypto'
import { KeyholdError } from '../../src-shared/errors'
import type { Clock } from './ports'

/** How long the token screen may copy a new token: the screen is meant to be read and closed. */
export const TOKEN_COPY_TTL_MS = 5 * 60_000

/**
 * A one-time screen's copy button without storing what it shows: the token screen's (a new
 * application key's token) and the key screen's (an authorization key's code). SECURITY: a generated token is
 * never written to the vault, a log or a second IPC payload. Main keeps it in memory under a
 * random handle that the generate answer carries; the renderer asks main to copy by handle.
 * The handle dies when the screen closes (`forget`), when the vault locks (`clear`) or
 * TOKEN_COPY_TTL_MS after generation, whichever comes first. The copy itself goes through the
 * ClipboardGuard every copy uses (taken back after the person's delay, and on lock).
 */
export class TokenCopies {
  private readonly held = new Map<string, { token: string; expiresAt: number }>()

  constructor(
    private readonly clock: Clock,
    /** What NOT_FOUND says once a handle is gone (the token's words by default). */
    private readonly goneMessage = 'This token can no longer be copied: Keyhold shows it only once and does not keep it. If you did not save it, deactivate the key and generate a new one.',
  ) {}

  /** Holds `token` for the token screen and returns its copy handle. */
  hold(token: string): string {
    this.prune()
    const handle = randomBytes(16).toString('hex')
    this.held.set(handle, { token, expiresAt: this.clock.now() + TOKEN_COPY_TTL_MS })
    return handle
  }

  /** The token held under `handle`, to copy; NOT_FOUND once the handle is gone. */
  token(handle: string): string {
    this.prune()
    const entry = this.held.get(handle)
    if (!entry) throw new KeyholdError('NOT_FOUND', this.goneMessage)
    return entry.token
  }

  /** The token screen was closed: its token cannot be copied any more. */
  forget(handle: string): void {
    this.held.delete(handle)
  }

  /** On lock: drop every held token. */
  clear(): void {
    this.held.clear()
  }

  private prune(): void {
    const now = this.clock.now()
    for (const [handle, entry] of this.held) if (entry.expiresAt <= now) this.held.delete(handle)
  }
}
