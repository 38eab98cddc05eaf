import { z } from 'zod'
import { CLIPBOARD_CLEAR_MAX_SECONDS, CLIPBOARD_CLEAR_MIN_SECONDS, type Settings } from '../types/settings'
import { channel } from './define'

const clipboardClearSeconds = z
  .number({ message: 'The clipboard delay must be a number of seconds.' })
  .int('The clipboard delay must be a whole number of seconds.')
  .min(CLIPBOARD_CLEAR_MIN_SECONDS, `Keyhold clears the clipboard after at least ${CLIPBOARD_CLEAR_MIN_SECONDS} seconds.`)
  .max(CLIPBOARD_CLEAR_MAX_SECONDS, `Keyhold clears the clipboard after at most ${CLIPBOARD_CLEAR_MAX_SECONDS} seconds (10 minutes).`)

export const settingsChannels = {
  settingsGet: channel<Settings>()('settings:get', z.strictObject({})),
  settingsUpdate: channel<Settings>()('settings:update', z.strictObject({ clipboardClearSeconds })),
} as const
