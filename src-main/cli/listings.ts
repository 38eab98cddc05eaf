import type { Services } from '../core/services'
import type { SecretsRevision } from '../core/secrets/secrets.service'
import { listText } from './secrets.format'

/** What `secret list` prints: the secrets matching `search` and `tag`, as the table fitting `width` or as JSON. */
export async function listing(services: Services, query: { search?: string; tag?: string }, json: boolean, width: number | undefined): Promise<string> {
  const page = await services.secrets.listOnce({ ...query, limit: Number.MAX_SAFE_INTEGER })
  const shown = () => page.items.filter((item) => item.identifier === null).map((item) => item.id)
  return listText(page.items, page.total, json, () => services.secrets.shortIdLength(shown()), width)
}

/** A form of the whole list: the table at a terminal's width (none for a pipe or a file), or JSON. */
export interface ListForm {
  json: boolean
  width: number | undefined
}

interface Kept {
  form: ListForm
  /** The database it was read from, held weakly: a closed one is not kept alive for this. */
  db: WeakRef<object>
  writes: number
  bytes: Buffer
}

/**
 * At most this many forms are kept (a pipe's and a terminal's, say), and this many bytes in all:
 * the table of 100,000 secrets (20 MB) is kept, beside nothing else that large, so the app's
 * memory at that size stays near its 300 MiB target.
 */
const MAX_FORMS = 2
const MAX_BYTES = 32 * 1024 * 1024
/** Kept forms a change made stale are made again once terminals were quiet this long (a script's edits come faster). */
export const REFRESH_QUIET_MS = 1_000

/**
 * The agent's rendered `secret list` of every secret (docs/terminal-sessions.md §5): the one
 * command whose output grows with the vault (20 MB and ~450 ms of reading and formatting at
 * 100,000 secrets) is printed again from what it printed last, while that is current: the same
 * database and no write of the secret table since. A stale one is never printed.
 * SECURITY: it holds what the table shows (no client secret, no notes), only while unlocked:
 * locking wipes and drops it.
 */
export class Listings {
  private kept: Kept[] = []
  /** Forms dropped while unlocked (replaced, or over the bounds): wiped at the lock too. */
  private retired = new Set<Buffer>()
  private refreshing = false
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly services: Services) {
    services.vault.onLock(() => {
      clearTimeout(this.timer)
      this.timer = undefined
      for (const entry of this.kept) entry.bytes.fill(0)
      for (const bytes of this.retired) bytes.fill(0)
      this.kept = []
      this.retired.clear()
    })
  }

  /** Bytes kept now, and dropped but not yet wiped (tests: nothing once locked). */
  get keptBytes(): number {
    return this.kept.reduce((sum, entry) => sum + entry.bytes.length, 0) + [...this.retired].reduce((sum, bytes) => sum + bytes.length, 0)
  }

  /**
   * The whole list in `form`: what is kept while current, else read, formatted and kept. Not a
   * copy (20 MB at 100,000 secrets, whose every copy the collector would count): the lock that
   * wipes it also ends every terminal's connection, in the same turn (agent.ts `locked`, a lock
   * listener as this one), and a command's output is sealed a frame at a time after an await
   * (requests.ts), so nothing of it is sealed once it is wiped: the terminal gets a part of the
   * list, never zeros.
   */
  async list(form: ListForm): Promise<Uint8Array> {
    const kept = this.kept.find((entry) => same(entry.form, form))
    if (!kept || !this.isCurrent(kept)) return this.render(form)
    // The form used last is kept longest.
    this.kept = [kept, ...this.kept.filter((entry) => entry !== kept)]
    return kept.bytes
  }

  /**
   * After a terminal's command: once terminals were quiet for REFRESH_QUIET_MS, the kept forms a
   * change made stale are made again, in the background (reading 100,000 secrets holds the
   * agent's thread for about half a second, so not after each command of a script's burst).
   */
  refreshLater(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.refresh(), REFRESH_QUIET_MS)
    this.timer.unref?.()
  }

  /** Whether a refresh is under way or waiting (tests wait for it to end). */
  get busy(): boolean {
    return this.refreshing || this.timer !== undefined
  }

  private async refresh(): Promise<void> {
    this.timer = undefined
    if (this.refreshing) return
    this.refreshing = true
    try {
      // The form used longest ago first, so the order of use stays as it was.
      for (const entry of [...this.kept].reverse()) if (this.services.vault.isUnlocked && !this.isCurrent(entry)) await this.render(entry.form)
    } catch {
      // Locked meanwhile: nothing is kept then.
    } finally {
      this.refreshing = false
    }
  }

  private isCurrent(entry: Kept): boolean {
    if (!this.services.vault.isUnlocked) return false
    const now = this.services.secrets.revision()
    return entry.db.deref() === now.db && entry.writes === now.writes
  }

  private async render(form: ListForm): Promise<Buffer> {
    // The revision before the read: a write meanwhile leaves what is kept stale, never wrong.
    const revision: SecretsRevision = this.services.secrets.revision()
    const bytes = Buffer.from(await listing(this.services, {}, form.json, form.width))
    const others = this.kept.filter((entry) => !same(entry.form, form))
    let kept = others
    if (bytes.length <= MAX_BYTES && this.services.vault.isUnlocked) {
      // The forms used longest ago go first.
      let total = 0
      kept = [{ form, db: new WeakRef(revision.db), writes: revision.writes, bytes }, ...others].filter((entry, i) => i < MAX_FORMS && (total += entry.bytes.length) <= MAX_BYTES)
    }
    // A form dropped now is wiped at the lock, not now: it may be being sent.
    for (const entry of this.kept) if (!kept.includes(entry)) this.retired.add(entry.bytes)
    this.kept = kept
    return bytes
  }
}

const same = (a: ListForm, b: ListForm) => a.json === b.json && a.width === b.width
