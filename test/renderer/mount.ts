import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import type { Component } from 'vue'
import { createMemoryHistory, type Router } from 'vue-router'
import App from '../../src-renderer/App.vue'
import { setClient } from '../../src-renderer/api/client'
import { applyLocale, i18n, type Locale } from '../../src-renderer/i18n'
import { createAppRouter } from '../../src-renderer/router'
import type { KeyholdApi } from '../../src-shared/ipc/contract'

export interface Mounted {
  wrapper: VueWrapper
  router: Router
  pinia: Pinia
}

/**
 * Mounts a component (the whole App by default) in English (or `locale`) with a fresh Pinia, the app's real router
 * on memory history, and `api` as the bridge. Attached to the document so focus is real.
 */
export async function mountWith(api: KeyholdApi, options: { component?: Component; path?: string; locale?: Locale } = {}): Promise<Mounted> {
  setClient(api)
  applyLocale(options.locale ?? 'en')
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(createMemoryHistory())
  await router.push(options.path ?? '/')
  const wrapper = mount(options.component ?? App, { global: { plugins: [i18n, pinia, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router, pinia }
}
