/** The person's preferences, kept inside the encrypted vault (so every device that opens it agrees). */
export interface Settings {
  /** Seconds after a copy (Client ID, client secret, token) until Keyhold clears the clipboard, if it still holds the copy. */
  clipboardClearSeconds: number
}

export const CLIPBOARD_CLEAR_DEFAULT_SECONDS = 30
export const CLIPBOARD_CLEAR_MIN_SECONDS = 5
/** Ten minutes: a copied secret should not sit on the clipboard for the rest of the day. */
export const CLIPBOARD_CLEAR_MAX_SECONDS = 600

/** The answer to a copy: main wrote the clipboard and clears it after `clearsAfterMs` if it still holds the copy. */
export interface ClipboardCopy {
  clearsAfterMs: number
}
