import type { ErrorCode, SerializedError } from '../../src-shared/errors'

/**
 * Words for each code, for when main sends none. Main's own messages are written for
 * people (and main already reduces anything unexpected to a generic INTERNAL sentence).
 */
const WORDS: Record<ErrorCode, string> = {
  VAULT_LOCKED: 'The vault is locked. Unlock it with your master password to continue.',
  VAULT_NOT_FOUND: 'There is no vault yet. Create one first.',
  VAULT_EXISTS: 'A vault already exists. Unlock it instead.',
  WRONG_PASSWORD: 'That master password is not correct. Check Caps Lock and the keyboard layout, and try again.',
  INVALID_INPUT: 'Some of the information is not valid. Check the fields and try again.',
  NOT_FOUND: 'That item no longer exists. It may have been deleted.',
  CONFLICT: 'That conflicts with something already in your vault.',
  VAULT_CORRUPT: 'The vault file is damaged. Keyhold did not change it; restore it from its .bak copy or a backup.',
  VAULT_VERSION_UNSUPPORTED: 'This vault was made by a newer Keyhold. Update Keyhold to open it.',
  VAULT_CHANGED_ON_DISK: 'The vault file was changed by another program. Lock and unlock again, then retry.',
  KEYCHAIN_UNAVAILABLE: 'The system keychain is not available. Unlock with your master password.',
  REAUTH_REQUIRED: 'Confirm your master password to continue.',
  FORBIDDEN: 'That is not allowed.',
  NOT_A_VAULT: 'That file is not a Keyhold vault. Keyhold did not change it.',
  VAULT_FOLDER_UNSAFE: 'Other users can write to the vault\'s folder. Move the vault to a folder only you can write to.',
  DISK_FULL: 'The disk is full, so nothing was saved. Free some space and try again.',
  FILE_ACCESS_DENIED: 'Keyhold may not read or write the vault\'s folder. Nothing was changed; check its permissions.',
  TOO_MANY_OPEN_FILES: 'The system has too many files open. Nothing was changed; close some programs and try again.',
  FILE_SYSTEM_ERROR: 'The disk reported an error. Nothing was changed; check the disk and try again.',
  PROTOCOL_ERROR: 'A connected app sent something Keyhold does not understand, so Keyhold closed the connection.',
  UNSUPPORTED_VERSION: 'A connected app uses a version of the connection that this Keyhold does not know. Update the app or Keyhold.',
  RATE_LIMITED: 'Too many tries in a short time. Wait a moment and try again.',
  TIMEOUT: 'Nobody answered in time, so Keyhold refused the request.',
  AGENT_NOT_RUNNING: 'Keyhold is not accepting connections for this vault. Turn them on in Settings > Connected apps.',
  INTERNAL: 'Something went wrong inside Keyhold. Your vault was not changed; try again, and restart Keyhold if it persists.',
}

/** The sentence to show a person for an error that came back from main. */
export function errorText(error: SerializedError): string {
  return error.message?.trim() || WORDS[error.code] || WORDS.INTERNAL
}
