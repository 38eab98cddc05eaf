import type { AppStatus, AppType } from '../../../src-shared/types/apps'
import { t } from '../../i18n'

/**
 * The app types' and statuses' words on screen, by their shared codes (src-shared's own
 * labels stay English for the CLI). Read inside a render or a computed, they follow the language.
 */
export function appTypeLabel(type: AppType): string {
  return t(`apps.types.${type}`)
}

export function appStatusLabel(status: AppStatus): string {
  return t(`apps.status.${status}`)
}
