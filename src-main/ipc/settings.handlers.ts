import type { Services } from '../core/services'
import type { Handlers } from './handle'

type SettingsHandlers = Pick<Handlers, 'settingsGet' | 'settingsUpdate'>

export function settingsHandlers({ settings }: Services): SettingsHandlers {
  return {
    settingsGet: () => settings.get(),
    settingsUpdate: (input) => settings.update(input),
  }
}
