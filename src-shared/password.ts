/**
 * The one form of a master password that is hashed and measured: NFC, so "é" typed as one
 * character or as "e" and a combining accent is the same password on every keyboard and
 * system. deriveKey, the password schemas and the CLI all use this: changing it would change
 * the key of every vault.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFC')
}

/** The most characters (of its NFC form) a master password may have (in a zod-free module: the CLI's read path bounds it too). */
export const MASTER_PASSWORD_MAX = 1024

/** A password's length as its bounds count it: characters of its NFC form. */
export function passwordLength(password: string): number {
  return normalizePassword(password).length
}

/**
 * NFC composes at most 4 UTF-16 units into one (U+1F82 from its 4-point decomposition):
 * a text more than this many times a bound is over it however it is normalised.
 */
export const NFC_MAX_UNITS_PER_CHARACTER = 4
