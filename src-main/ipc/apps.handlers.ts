import type { Services } from '../core/services'
import type { appsChannels } from '../../src-shared/ipc/apps.contract'
import type { Handlers } from './handle'

type AppsHandlers = Pick<Handlers, keyof typeof appsChannels>

/** My apps. SECURITY: only `appsCreate` returns the key (once); every other answer is summaries (a copy puts it on the clipboard, never in an answer). */
export function appsHandlers({ apps }: Services): AppsHandlers {
  return {
    appsList: (input) => apps.list(input.filter ?? 'current'),
    appsCreate: (input) => apps.create(input),
    appsEdit: (input) => apps.edit(input),
    appsRevoke: (input) => apps.revoke(input.id),
    appsCopyCode: (input) => apps.copyCode(input.handle),
    appsForgetCode: (input) => {
      apps.forgetCode(input.handle)
      return null
    },
  }
}
