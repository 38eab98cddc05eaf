import { normalizePassword } from '../../src-shared/password'
import { MASTER_PASSWORD_MIN } from '../../src-shared/ipc/vault.contract'
import { t } from '../i18n'

/** A code, not a word: the meter shows it through `shell.strength.<label>` and styles itself by it. */
export type StrengthLabel = 'weak' | 'fair' | 'strong'

export interface PasswordStrength {
  label: StrengthLabel
  /** 0..3, for the meter: 0 is empty, 1 weak, 2 fair, 3 strong. */
  score: 0 | 1 | 2 | 3
  /** One sentence saying why, or how to do better, in the app's language. */
  hint: string
  /** Weak passwords are refused as a master password; fair and strong are accepted. */
  acceptable: boolean
}

/**
 * A few dozen of the most used passwords (from public breach top lists), compared after
 * lower-casing and dropping trailing digits and symbols, so "Password123!" matches too.
 */
const COMMON = new Set([
  'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'qwerty', 'qwertyuiop', 'qwertyui', 'asdfghjkl', 'azerty',
  'iloveyou', 'letmein', 'welcome', 'admin', 'administrator', 'monkey', 'dragon', 'football', 'baseball',
  'sunshine', 'princess', 'starwars', 'superman', 'batman', 'trustno', 'whatever', 'shadow', 'master',
  'michael', 'jennifer', 'jordan', 'hunter', 'charlie', 'freedom', 'secret', 'changeme', 'default',
  'login', 'access', 'mustang', 'computer', 'internet', 'soccer', 'hello', 'loveme',
  'keyhold', 'masterpassword', 'mypassword', 'abc', 'qazwsx', 'zaq', '1q2w3e4r', '1qaz2wsx',
])

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiopasdfghjklzxcvbnm']

function isSequence(text: string): boolean {
  const lower = text.toLowerCase()
  return SEQUENCES.some((seq) => seq.includes(lower) || [...seq].reverse().join('').includes(lower))
}

function classesOf(text: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(text)).length
}

/**
 * An honest, small estimator: length, character classes, repeats, sequences and a list
 * of common passwords. It does not claim bits of entropy; it sorts into three labels.
 */
export function passwordStrength(password: string): PasswordStrength {
  if (password.length === 0) return { label: 'weak', score: 0, hint: t('shell.strength.hintEmpty', { min: MASTER_PASSWORD_MIN }), acceptable: false }
  const weak = (hint: string): PasswordStrength => ({ label: 'weak', score: 1, hint, acceptable: false })
  // Counted as main counts it: in NFC, so a decomposed accent is one character.
  const length = [...normalizePassword(password)].length
  if (length < MASTER_PASSWORD_MIN) return weak(t('shell.strength.hintTooShort', { min: MASTER_PASSWORD_MIN }))
  const stem = password.toLowerCase().replace(/[\d\W_]+$/u, '')
  if (COMMON.has(stem) || COMMON.has(password.toLowerCase()) || /^\d+$/.test(password))
    return weak(t('shell.strength.hintCommon'))
  if (new Set(password).size < Math.min(5, length / 2) || isSequence(password))
    return weak(t('shell.strength.hintRepeated'))
  const classes = classesOf(password)
  if (classes === 1 && length < 12) return weak(t('shell.strength.hintSimple'))
  if (length >= 16 || (length >= 12 && classes >= 3))
    return { label: 'strong', score: 3, hint: t('shell.strength.hintStrong'), acceptable: true }
  return {
    label: 'fair',
    score: 2,
    hint: t('shell.strength.hintFair'),
    acceptable: true,
  }
}
