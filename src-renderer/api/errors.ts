import type { ErrorCode, SerializedError } from '../../src-shared/errors'
import { t } from '../i18n'
import { translateCoreMessage } from '../i18n/core-messages'

/**
 * Words for each code (locales' errors.json), for when main sends none. Main's own messages
 * are written for people (and main already reduces anything unexpected to a generic INTERNAL
 * sentence); they come in English and are shown in the app's language (translateCoreMessage).
 */
const WORDS: Record<ErrorCode, string> = {
  VAULT_LOCKED: 'errors.codes.vaultLocked',
  VAULT_NOT_FOUND: 'errors.codes.vaultNotFound',
  VAULT_EXISTS: 'errors.codes.vaultExists',
  WRONG_PASSWORD: 'errors.codes.wrongPassword',
  INVALID_INPUT: 'errors.codes.invalidInput',
  NOT_FOUND: 'errors.codes.notFound',
  CONFLICT: 'errors.codes.conflict',
  VAULT_CORRUPT: 'errors.codes.vaultCorrupt',
  VAULT_VERSION_UNSUPPORTED: 'errors.codes.vaultVersionUnsupported',
  VAULT_CHANGED_ON_DISK: 'errors.codes.vaultChangedOnDisk',
  KEYCHAIN_UNAVAILABLE: 'errors.codes.keychainUnavailable',
  REAUTH_REQUIRED: 'errors.codes.reauthRequired',
  FORBIDDEN: 'errors.codes.forbidden',
  NOT_A_VAULT: 'errors.codes.notAVault',
  VAULT_FOLDER_UNSAFE: 'errors.codes.vaultFolderUnsafe',
  DISK_FULL: 'errors.codes.diskFull',
  FILE_ACCESS_DENIED: 'errors.codes.fileAccessDenied',
  TOO_MANY_OPEN_FILES: 'errors.codes.tooManyOpenFiles',
  FILE_SYSTEM_ERROR: 'errors.codes.fileSystemError',
  PROTOCOL_ERROR: 'errors.codes.protocolError',
  UNSUPPORTED_VERSION: 'errors.codes.unsupportedVersion',
  RATE_LIMITED: 'errors.codes.rateLimited',
  TIMEOUT: 'errors.codes.timeout',
  AGENT_NOT_RUNNING: 'errors.codes.agentNotRunning',
  INTERNAL: 'errors.codes.internal',
}

/** The sentence to show a person for an error that came back from main, in the app's language. */
export function errorText(error: SerializedError): string {
  const message = error.message?.trim()
  if (message) return translateCoreMessage(message)
  return t(Object.hasOwn(WORDS, error.code) ? WORDS[error.code] : WORDS.INTERNAL)
}
