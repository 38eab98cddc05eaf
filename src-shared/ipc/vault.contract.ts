import { z } from 'zod'
import { MASTER_PASSWORD_MAX, NFC_MAX_UNITS_PER_CHARACTER, passwordLength } from '../password'
import type { VaultStatus } from '../types/vault'
import { channel } from './define'

/** Bounds shared by every form and command that takes a master password. */
export const MASTER_PASSWORD_MIN = 8
export { MASTER_PASSWORD_MAX }

const TOO_LONG = `The master password can have at most ${MASTER_PASSWORD_MAX} characters.`

/**
 * A password bounded in characters of its NFC form (see normalizePassword), so a password
 * typed composed or decomposed counts the same. A text too long to fit once composed is
 * refused before it is normalised: normalising megabytes would take a while.
 * SECURITY: a lone surrogate is refused because hashing encodes the password as UTF-8, where
 * every lone surrogate becomes U+FFFD: two such passwords would open the same vault.
 */
const password = (min: number, tooShort: string) =>
  z
    .string()
    .max(MASTER_PASSWORD_MAX * NFC_MAX_UNITS_PER_CHARACTER, { message: TOO_LONG, abort: true })
    .superRefine((value, ctx) => {
      const length = passwordLength(value)
      if (length < min) ctx.addIssue({ code: 'custom', message: tooShort })
      if (length > MASTER_PASSWORD_MAX) ctx.addIssue({ code: 'custom', message: TOO_LONG })
      if (/\p{Cs}/u.test(value)) ctx.addIssue({ code: 'custom', message: 'The master password has a character that is not valid text. Type it again.' })
    })

/** A new master password, as create and change-password take it. */
export const masterPassword = password(MASTER_PASSWORD_MIN, `The master password must have at least ${MASTER_PASSWORD_MIN} characters.`)

/** An existing password is only bounded above: a shorter one may predate the rule. */
const existingPassword = password(1, 'Enter your master password.')

export const vaultChannels = {
  vaultStatus: channel<VaultStatus>()('vault:status', z.strictObject({})),
  vaultCreate: channel<VaultStatus>()(
    'vault:create',
    z.strictObject({ password: masterPassword, rememberOnDevice: z.boolean() }),
  ),
  vaultUnlock: channel<VaultStatus>()(
    'vault:unlock',
    z.strictObject({ password: existingPassword, rememberOnDevice: z.boolean().optional() }),
  ),
  /** Unlock with the device key from the OS keychain; fails with KEYCHAIN_UNAVAILABLE, never crashes. */
  vaultUnlockWithDevice: channel<VaultStatus>()('vault:unlock-with-device', z.strictObject({})),
  vaultLock: channel<VaultStatus>()('vault:lock', z.strictObject({})),
  vaultChangePassword: channel<VaultStatus>()(
    'vault:change-password',
    z.strictObject({ current: existingPassword, next: masterPassword }),
  ),
  /**
   * "Rotate encryption key": re-encrypts the vault with a new random data key (the master
   * password stays; a remembered device gets a new device key, or is forgotten with a warning).
   */
  vaultRotateKey: channel<VaultStatus>()('vault:rotate-key', z.strictObject({ password: existingPassword })),
  /** Confirms the master password again before managing keys (valid for 5 minutes). */
  vaultConfirmPassword: channel<null>()('vault:confirm-password', z.strictObject({ password: existingPassword })),
  /** Tells main the person is active, so the idle timer restarts. */
  vaultActivity: channel<null>()('vault:activity', z.strictObject({})),
} as const
