import { POLLED_METHODS } from '../../src-shared/ipc/agent.contract'
import type { Services } from '../core/services'
import { activityHandlers } from './activity.handlers'
import { agentHandlers } from './agent.handlers'
import { appsHandlers } from './apps.handlers'
import { browserHandlers } from './browser.handlers'
import { appKeysHandlers } from './app-keys.handlers'
import { createDispatch, type Dispatch, type Handlers } from './handle'
import { secretsHandlers } from './secrets.handlers'
import { settingsHandlers } from './settings.handlers'
import { vaultHandlers } from './vault.handlers'

/** Every feature's handlers, one file each; the type checks that no contract method is missing. */
export function createHandlers(services: Services): Handlers {
  return {
    ...vaultHandlers(services),
    ...appKeysHandlers(services),
    ...secretsHandlers(services),
    ...appsHandlers(services),
    ...settingsHandlers(services),
    ...agentHandlers(services),
    ...browserHandlers(services),
    ...activityHandlers(services),
  }
}

/**
 * The dispatch used by ipcMain and by the test bridge. Every call counts as activity for the
 * idle lock except a status check, which the renderer makes on its own (window focus, idle
 * checks) and which must never keep the vault open.
 */
export function createAppDispatch(services: Services): Dispatch {
  return createDispatch(createHandlers(services), (method) => {
    // The window polls these on its own; they must never keep the vault open either.
    if (method !== 'vaultStatus' && !(POLLED_METHODS as readonly string[]).includes(method)) services.vault.activity()
  })
}
