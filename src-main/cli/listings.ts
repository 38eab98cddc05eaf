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
  bytes: Uint8Array
}

/**
 * At most this many forms are kept (a pipe's and a terminal's, say), and this many bytes in all:
 * the table of 100,000 secrets (20 MB) is kept, beside nothing else that large, so the app's
 * memory at that size stays near its 300 MiB target.
 */
const MAX_FORMS = 2
const MAX_BYTES = 32 * 1024 * 1024

/**
 * The agent's rendered `secret list` of every secret (docs/terminal-sessions.md §5): the one
 * command whose output grows with the vault (20 MB and ~450 ms of reading and formatting at
 * 100,000 secrets) is printed again from what it printed last, while that is current: the same
 * database and no write of the secret table since. A stale one is never printed. Locking drops
 * them. SECURITY: it holds what the table shows (no client secret, no notes), only while unlocked.
 */
export class Listings {
  private kept: Kept[] = []
  private refreshing: Promise<void> | null = null
  /** How many times the list was read and formatted here (tests read it: a kept form is not). */
  rendered = 0

  constructor(private readonly services: Services) {
    services.vault.onLock(() => {
      this.kept = []
    })
  }

  /** The whole list in `form`: as kept while current, else read, formatted and kept. */
  async list(form: ListForm): Promise<Uint8Array> {
    const kept = this.kept.find((entry) => same(entry.form, form))
    if (!kept || !this.isCurrent(kept)) return this.render(form)
    // The form used last is kept longest.
    this.kept = [kept, ...this.kept.filter((entry) => entry !== kept)]
    return kept.bytes
  }

  /** Renders again, in the background, each kept form a change made stale (called after a terminal's command). */
  refresh(): void {
    if (this.refreshing || !this.services.vault.isUnlocked || this.kept.every((entry) => this.isCurrent(entry))) return
    this.refreshing = (async () => {
      for (const entry of [...this.kept]) if (this.services.vault.isUnlocked && !this.isCurrent(entry)) await this.render(entry.form)
    })()
      .catch(() => undefined)
      .finally(() => {
        this.refreshing = null
      })
  }

  private isCurrent(entry: Kept): boolean {
    if (!this.services.vault.isUnlocked) return false
    const now = this.services.secrets.revision()
    return entry.db.deref() === now.db && entry.writes === now.writes
  }

  private async render(form: ListForm): Promise<Uint8Array> {
    // The revision before the read: a write meanwhile leaves what is kept stale, never wrong.
    const revision: SecretsRevision = this.services.secrets.revision()
    const bytes = Buffer.from(await listing(this.services, {}, form.json, form.width))
    this.rendered++
    this.kept = this.kept.filter((entry) => !same(entry.form, form))
    if (bytes.length <= MAX_BYTES && this.services.vault.isUnlocked) {
      this.kept.unshift({ form, db: new WeakRef(revision.db), writes: revision.writes, bytes })
      // The forms used longest ago go first.
      let total = 0
      this.kept = this.kept.filter((entry, i) => i < MAX_FORMS && (total += entry.bytes.length) <= MAX_BYTES)
    }
    return bytes
  }
}

const same = (a: ListForm, b: ListForm) => a.json === b.json && a.width === b.width
