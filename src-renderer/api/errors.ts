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
  INTERNAL: 'Something went wrong inside Keyhold. Your vault was not changed; try again, and restart Keyhold if it persists.',
}

/** The sentence to show a person for an error that came back from main. */
export function errorText(error: SerializedError): string {
  return error.message?.trim() || WORDS[error.code] || WORDS.INTERNAL
}
