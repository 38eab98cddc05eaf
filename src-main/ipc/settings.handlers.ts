import type { Services } from '../core/services'
import type { settingsChannels } from '../../src-shared/ipc/settings.contract'
import type { Handlers } from './handle'

type SettingsHandlers = Pick<Handlers, keyof typeof settingsChannels>

export function settingsHandlers({ settings }: Services): SettingsHandlers {
  return {
    settingsGet: () => settings.get(),
    settingsUpdate: (input) => settings.update(input),
    settingsSetDeviceUnlock: (input) => settings.setDeviceUnlock(input.enabled),
  }
}
