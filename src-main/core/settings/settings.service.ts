import { CLIPBOARD_CLEAR_DEFAULT_SECONDS, type Settings } from '../../../src-shared/types/settings'
import { readMeta, writeMeta } from '../vault/meta'
import type { VaultService } from '../vault/vault.service'

const CLIPBOARD_KEY = 'clipboard_clear_seconds'

/**
 * The person's preferences, stored in the vault's `meta` table (inside the encrypted image,
 * so they travel with the vault). Only one so far: how long a copy stays on the clipboard.
 * Input arrives validated and bounded by the contract (settings.contract.ts).
 */
export class SettingsService {
  constructor(
    private readonly vault: VaultService,
    /** Used when the vault has no setting yet (30 s unless a test or the caller says otherwise). */
    private readonly defaultClipboardClearSeconds = CLIPBOARD_CLEAR_DEFAULT_SECONDS,
  ) {}

  get(): Settings {
    const seconds = Number(this.vault.vault().read((db) => readMeta(db, CLIPBOARD_KEY)))
    return { clipboardClearSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : this.defaultClipboardClearSeconds }
  }

  async update(input: Settings): Promise<Settings> {
    await this.vault.vault().mutate((db) => writeMeta(db, CLIPBOARD_KEY, String(input.clipboardClearSeconds)))
    return this.get()
  }

  /** How long the next copy stays on the clipboard: the vault's setting, or the default while locked. */
  clipboardClearMs(): number {
    const seconds = this.vault.isUnlocked ? this.get().clipboardClearSeconds : this.defaultClipboardClearSeconds
    return seconds * 1000
  }
}
