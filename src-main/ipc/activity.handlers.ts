import type { activityChannels } from '../../src-shared/ipc/activity.contract'
import type { Services } from '../core/services'
import type { Handlers } from './handle'

type ActivityHandlers = Pick<Handlers, keyof typeof activityChannels>

/** Activity: the log's list, its check, its export. */
export function activityHandlers({ activity }: Services): ActivityHandlers {
  return {
    activityList: (input) => activity.list(input),
    activityVerify: () => activity.verify(),
    activityExport: (input) => activity.exportWithDialog(input.format),
    activityRetention: async () => activity.retention(),
    activitySetRetention: (input) => activity.setRetention(input),
    activityAcceptRestore: () => activity.acceptRestore(),
  }
}
