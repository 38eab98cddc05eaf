import { KeyholdError } from '../../../src-shared/errors'
import { CLIPBOARD_CLEAR_DEFAULT_SECONDS, type Settings, type SettingsInput } from '../../../src-shared/types/settings'
import type { VaultStatus } from '../../../src-shared/types/vault'
import { readMeta, writeMeta } from '../vault/meta'
import type { VaultService } from '../vault/vault.service'

const CLIPBOARD_KEY = 'clipboard_clear_seconds'

/**
 * The person's preferences, stored in the vault's `meta` table (inside the encrypted image,
 * so they travel with the vault): how long a copy stays on the clipboard, and how long the
 * vault stays open without activity (kept by the vault service, which runs the idle timer).
 * "Unlock with this device" is not a stored preference but a key slot plus the OS keychain;
 * Settings switches it here too. Input arrives validated and bounded by the contract
 * (settings.contract.ts).
 */
export class SettingsService {
  constructor(
    private readonly vault: VaultService,
    /** Used when the vault has no setting yet (30 s unless a test or the caller says otherwise). */
    private readonly defaultClipboardClearSeconds = CLIPBOARD_CLEAR_DEFAULT_SECONDS,
  ) {}

  get(): Settings {
    const seconds = Number(this.vault.vault().read((db) => readMeta(db, CLIPBOARD_KEY)))
    return {
      clipboardClearSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : this.defaultClipboardClearSeconds,
      autoLockMinutes: this.vault.autoLockMs / 60_000,
    }
  }

  /** Changes the settings given; the others stay as they are. */
  async update(input: SettingsInput): Promise<Settings> {
    const { clipboardClearSeconds, autoLockMinutes } = input
    if (clipboardClearSeconds !== undefined) await this.vault.vault().mutate((db) => writeMeta(db, CLIPBOARD_KEY, String(clipboardClearSeconds)))
    if (autoLockMinutes !== undefined) await this.vault.setAutoLockMinutes(autoLockMinutes)
    return this.get()
  }

  /**
   * Turns "Unlock with this device" on or off for the open vault.
   * SECURITY: turning it on lets this computer's account open the vault without the master
   * password from then on, so it needs a recent master-password confirmation, as unlocking
   * with the password gives: someone at an unlocked, unattended window cannot turn it on.
   * Turning it off needs none.
   */
  async setDeviceUnlock(enabled: boolean): Promise<VaultStatus> {
    if (enabled) {
      try {
        this.vault.requireRecentConfirmation()
      } catch (error) {
        if (error instanceof KeyholdError && error.code === 'REAUTH_REQUIRED')
          throw new KeyholdError('REAUTH_REQUIRED', 'Confirm your master password to let this computer unlock the vault without it.')
        throw error
      }
    }
    return this.vault.withRemember(enabled)
  }

  /** How long the next copy stays on the clipboard: the vault's setting, or the default while locked. */
  clipboardClearMs(): number {
    const seconds = this.vault.isUnlocked ? this.get().clipboardClearSeconds : this.defaultClipboardClearSeconds
    return seconds * 1000
  }
}
