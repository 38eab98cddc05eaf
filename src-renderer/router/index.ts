import { watch } from 'vue'
import { createRouter, createWebHashHistory, type RouteLocationNormalized, type RouteLocationRaw, type Router, type RouterHistory } from 'vue-router'
import type { VaultStatus } from '../../src-shared/types/vault'
import { i18n, t } from '../i18n'
import { useVaultStore } from '../stores/vault.store'
import { routes } from './routes'

/**
 * Where the app belongs for a vault state: create when there is no vault, unlock when it
 * is locked (remembering the open screen it came from), and back there or home once open.
 */
export function entryFor(router: Router, state: VaultStatus['state'], from: RouteLocationNormalized): RouteLocationRaw {
  if (state === 'absent') return { name: 'create' }
  if (state === 'locked') {
    const next = from.meta.access === 'unlocked' && from.name !== 'home' ? from.fullPath : undefined
    return next ? { name: 'unlock', query: { next } } : { name: 'unlock' }
  }
  const next = from.query.next
  if (typeof next === 'string' && next.startsWith('/') && router.resolve(next).meta.access === 'unlocked') return next
  return { name: 'home' }
}

/**
 * The app's router. Hash history, because the window loads from file://. Every navigation
 * is checked against the vault's state, read from main before the first one. The window's
 * title is the screen's, in the app's language (again when the language changes).
 */
export function createAppRouter(history: RouterHistory = createWebHashHistory()): Router {
  const router = createRouter({ history, routes })
  router.beforeEach(async (to) => {
    const vault = useVaultStore()
    if (vault.state === 'unknown') await vault.refresh()
    if (vault.state === 'unknown' || to.meta.access === vault.state) return true
    return entryFor(router, vault.state, to)
  })
  const setTitle = (to: RouteLocationNormalized): void => {
    document.title = to.meta.title ? `${t(to.meta.title)} · Keyhold` : 'Keyhold'
  }
  router.afterEach(setTitle)
  watch(i18n.global.locale, () => setTitle(router.currentRoute.value))
  return router
}
