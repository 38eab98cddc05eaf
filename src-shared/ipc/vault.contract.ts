import { z } from 'zod'
import type { VaultStatus } from '../types/vault'
import { channel } from './define'

/** Bounds shared by every form and command that takes a master password. */
export const MASTER_PASSWORD_MIN = 8
export const MASTER_PASSWORD_MAX = 1024

export const masterPassword = z
  .string()
  .min(MASTER_PASSWORD_MIN, `The master password must have at least ${MASTER_PASSWORD_MIN} characters.`)
  .max(MASTER_PASSWORD_MAX, `The master password can have at most ${MASTER_PASSWORD_MAX} characters.`)

/** An existing password is only bounded above: a shorter one may predate the rule. */
const existingPassword = z.string().min(1, 'Enter your master password.').max(MASTER_PASSWORD_MAX)

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
  /** Confirms the master password again before managing keys (valid for 5 minutes). */
  vaultConfirmPassword: channel<null>()('vault:confirm-password', z.strictObject({ password: existingPassword })),
  /** Tells main the person is active, so the idle timer restarts. */
  vaultActivity: channel<null>()('vault:activity', z.strictObject({})),
} as const
