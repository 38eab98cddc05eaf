import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Result } from '../../src-shared/errors'
import type { Settings } from '../../src-shared/types/settings'
import { client } from '../api/client'
import { errorText } from '../api/errors'
import { useVaultStore } from './vault.store'

/** The person's preferences, kept in the vault (so they are read once it is unlocked). */
export const useSettingsStore = defineStore('settings', () => {
  const vault = useVaultStore()
  const settings = ref<Settings | null>(null)
  const loadError = ref<string | null>(null)

  async function load(): Promise<void> {
    const result = await client.settingsGet({})
    loadError.value = result.ok ? null : errorText(result.error)
    settings.value = result.ok ? result.value : null
  }

  async function update(next: Settings): Promise<Result<Settings>> {
    const result = await client.settingsUpdate(next)
    if (result.ok) settings.value = result.value
    return result
  }

  function reset(): void {
    settings.value = null
    loadError.value = null
  }
  vault.onLocked(reset)

  return { settings, loadError, load, update }
})
