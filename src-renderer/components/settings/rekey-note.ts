import type { VaultStatus } from '../../../src-shared/types/vault'
import { t } from '../../i18n'

/**
 * The last words of a success message after a re-key (password change, key rotation). When
 * the keychain could not take the new device key, the status carries a warning that the
 * vault store shows as its notice at the top of the window; this points the person to it.
 */
export function rekeyNote(status: VaultStatus): string {
  return status.warning ? t('settings.rekeyNote') : ''
}
