/**
 * The closed list of error codes that may cross a process boundary (IPC, CLI).
 * Scripts depend on these strings: never rename one, only add.
 */
export const ERROR_CODES = [
  'VAULT_LOCKED',
  'VAULT_NOT_FOUND',
  'VAULT_EXISTS',
  'WRONG_PASSWORD',
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'VAULT_CORRUPT',
  'VAULT_VERSION_UNSUPPORTED',
  'VAULT_CHANGED_ON_DISK',
  'KEYCHAIN_UNAVAILABLE',
  'REAUTH_REQUIRED',
  'FORBIDDEN',
  'NOT_A_VAULT',
  'VAULT_FOLDER_UNSAFE',
  'DISK_FULL',
  'FILE_ACCESS_DENIED',
  'TOO_MANY_OPEN_FILES',
  'FILE_SYSTEM_ERROR',
  'PROTOCOL_ERROR',
  'UNSUPPORTED_VERSION',
  'RATE_LIMITED',
  'TIMEOUT',
  'AGENT_NOT_RUNNING',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * An error as it travels: a code for programs and a sentence for people. Never a secret.
 * `fields`, when the error is about fields of the request, gives each one's problem by the
 * field's name in the request, so a form shows it next to that field; `message` still says it all.
 */
export interface SerializedError {
  code: ErrorCode
  message: string
  fields?: Record<string, string>
}

/** What every IPC call returns: errors are values, because Electron keeps only an error's message. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedError }

/**
 * What an error is about, for a front end that words it its own way: the screen's message
 * names its buttons and pages, the CLI names its commands (src-main/cli/helpers.ts cliWords).
 * `id` is `feature.what` (e.g. `appkey.already-added`); `subject` the key, role or name the
 * sentence is about. Stays in the process: it is not part of SerializedError. Never a secret.
 */
export interface ErrorReason {
  id: string
  subject?: string
}

/**
 * The one exception type the core throws. The message is shown to a person as is,
 * so it must say what happened and what to do, and must never contain a secret.
 */
export class KeyholdError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    /** Set where another front end says it in other words (ErrorReason). */
    readonly reason?: ErrorReason,
  ) {
    super(message)
    this.name = 'KeyholdError'
  }

  toJSON(): SerializedError {
    return this.fields ? { code: this.code, message: this.message, fields: { ...this.fields } } : { code: this.code, message: this.message }
  }
}

/** Turns anything thrown into a SerializedError without leaking internals (stack, paths, values). */
export function toSerializedError(error: unknown): SerializedError {
  if (error instanceof KeyholdError) return error.toJSON()
  return {
    code: 'INTERNAL',
    message: 'Something went wrong inside Keyhold. Your vault was not changed; try again, and restart Keyhold if it persists.',
  }
}
