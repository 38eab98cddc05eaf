/** The person's preferences, kept inside the encrypted vault (so every device that opens it agrees). */
export interface Settings {
  /** Seconds after a copy (Client ID, client secret, token) until Keyhold clears the clipboard, if it still holds the copy. */
  clipboardClearSeconds: number
  /** Minutes without activity until the vault locks itself (the app's; the CLI agent has its own --lock-after). */
  autoLockMinutes: number
}

/** A change of settings: only the fields given change (each Settings form saves its own). */
export type SettingsInput = Partial<Settings>

export const CLIPBOARD_CLEAR_DEFAULT_SECONDS = 30
export const CLIPBOARD_CLEAR_MIN_SECONDS = 5
/** Ten minutes: a copied secret should not sit on the clipboard for the rest of the day. */
export const CLIPBOARD_CLEAR_MAX_SECONDS = 600

export const AUTO_LOCK_DEFAULT_MINUTES = 5
export const AUTO_LOCK_MIN_MINUTES = 1
/** Four hours: an open vault left for longer should need the password again. */
export const AUTO_LOCK_MAX_MINUTES = 240

/** The answer to a copy: main wrote the clipboard and clears it after `clearsAfterMs` if it still holds the copy. */
export interface ClipboardCopy {
  clearsAfterMs: number
}
