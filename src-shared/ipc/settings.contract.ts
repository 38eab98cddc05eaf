import { z } from 'zod'
import {
  AUTO_LOCK_MAX_MINUTES,
  AUTO_LOCK_MIN_MINUTES,
  CLIPBOARD_CLEAR_MAX_SECONDS,
  CLIPBOARD_CLEAR_MIN_SECONDS,
  type Settings,
} from '../types/settings'
import type { VaultStatus } from '../types/vault'
import { channel } from './define'

const clipboardClearSeconds = z
  .number({ message: 'The clipboard delay must be a number of seconds.' })
  .int('The clipboard delay must be a whole number of seconds.')
  .min(CLIPBOARD_CLEAR_MIN_SECONDS, `Keyhold clears the clipboard after at least ${CLIPBOARD_CLEAR_MIN_SECONDS} seconds.`)
  .max(CLIPBOARD_CLEAR_MAX_SECONDS, `Keyhold clears the clipboard after at most ${CLIPBOARD_CLEAR_MAX_SECONDS} seconds (10 minutes).`)

const autoLockMinutes = z
  .number({ message: 'The auto-lock delay must be a number of minutes.' })
  .int('The auto-lock delay must be a whole number of minutes.')
  .min(AUTO_LOCK_MIN_MINUTES, `Keyhold locks after at least ${AUTO_LOCK_MIN_MINUTES} minute without activity.`)
  .max(AUTO_LOCK_MAX_MINUTES, `Keyhold locks after at most ${AUTO_LOCK_MAX_MINUTES} minutes (4 hours) without activity.`)

export const settingsChannels = {
  settingsGet: channel<Settings>()('settings:get', z.strictObject({})),
  /** Changes the settings given (at least one); the others stay. */
  settingsUpdate: channel<Settings>()(
    'settings:update',
    z
      .strictObject({ clipboardClearSeconds: clipboardClearSeconds.optional(), autoLockMinutes: autoLockMinutes.optional() })
      .refine((input) => Object.values(input).some((value) => value !== undefined), 'Give a setting to change.'),
  ),
  /**
   * "Unlock with this device" on or off for the open vault: on keeps a device key in the OS
   * keychain (a KEYCHAIN_UNAVAILABLE warning when it cannot), off removes it and its key slot.
   */
  settingsSetDeviceUnlock: channel<VaultStatus>()('settings:set-device-unlock', z.strictObject({ enabled: z.boolean() })),
} as const
