import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Browser, BrowserIntegration } from '../../src-shared/types/browser'
import { client } from '../api/client'
import { errorText } from '../api/errors'

/** Settings > Browser integration: which browsers can start Keyhold's native messaging host. */
export const useBrowserStore = defineStore('browser', () => {
  const integration = ref<BrowserIntegration | null>(null)
  const error = ref<string | null>(null)
  const busy = ref(false)

  async function run(call: () => ReturnType<typeof client.browserStatus>): Promise<boolean> {
    busy.value = true
    try {
      const result = await call()
      error.value = result.ok ? null : errorText(result.error)
      if (result.ok) integration.value = result.value
      return result.ok
    } finally {
      busy.value = false
    }
  }

  const load = () => run(() => client.browserStatus({}))
  const install = (browsers?: Browser[]) => run(() => client.browserInstall(browsers ? { browsers } : {}))
  const uninstall = (browsers?: Browser[]) => run(() => client.browserUninstall(browsers ? { browsers } : {}))

  return { integration, error, busy, load, install, uninstall }
})
