import type { browserChannels } from '../../src-shared/ipc/browser.contract'
import type { Services } from '../core/services'
import type { Handlers } from './handle'

type BrowserHandlers = Pick<Handlers, keyof typeof browserChannels>

/** Settings > Browser integration. */
export function browserHandlers({ browser }: Services): BrowserHandlers {
  return {
    browserStatus: () => browser.status(),
    browserInstall: (input) => browser.install(input.browsers),
    browserUninstall: (input) => browser.uninstall(input.browsers),
  }
}
