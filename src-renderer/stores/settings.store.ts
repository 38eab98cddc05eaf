import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Result } from '../../src-shared/errors'
import type { Settings, SettingsInput } from '../../src-shared/types/settings'
import type { VaultStatus } from '../../src-shared/types/vault'
import { client } from '../api/client'
import { errorText } from '../api/errors'
import { useReauthStore } from './reauth.store'
import { useVaultStore } from './vault.store'

/** The person's preferences, kept in the vault (so they are read once it is unlocked), and this device's unlock. */
export const useSettingsStore = defineStore('settings', () => {
  const vault = useVaultStore()
  const reauth = useReauthStore()
  const settings = ref<Settings | null>(null)
  const loadError = ref<string | null>(null)

  async function load(): Promise<void> {
    const result = await client.settingsGet({})
    loadError.value = result.ok ? null : errorText(result.error)
    settings.value = result.ok ? result.value : null
  }

  /** Saves the settings given. A new auto-lock delay changes the vault's status, which is read again. */
  async function update(next: SettingsInput): Promise<Result<Settings>> {
    const result = await client.settingsUpdate(next)
    if (result.ok) {
      settings.value = result.value
      if (next.autoLockMinutes !== undefined) await vault.refresh()
    }
    return result
  }

  /** "Unlock with this device" on or off; turning it on asks for the master password again when main wants it. */
  async function setDeviceUnlock(enabled: boolean): Promise<Result<VaultStatus>> {
    const result = await reauth.withConfirmation(() => client.settingsSetDeviceUnlock({ enabled }))
    await vault.refresh()
    return result
  }

  function reset(): void {
    settings.value = null
    loadError.value = null
  }
  vault.onLocked(reset)

  return { settings, loadError, load, update, setDeviceUnlock }
})
