import type { Services } from '../core/services'
import type { appKeysChannels } from '../../src-shared/ipc/app-keys.contract'
import type { Handlers } from './handle'

type AppKeysHandlers = Pick<Handlers, keyof typeof appKeysChannels>

export function appKeysHandlers({ appKeys }: Services): AppKeysHandlers {
  return {
    appKeysList: (input) => appKeys.list(input),
    appKeysGenerate: (input) => appKeys.generate(input),
    appKeysCopyToken: (input) => appKeys.copyToken(input.handle),
    appKeysForgetToken: (input) => {
      appKeys.forgetToken(input.handle)
      return null
    },
    appKeysAddExternal: (input) => appKeys.addExternal(input),
    appKeysSetRoles: (input) => appKeys.setRoles(input.key, input.roleIds),
    appKeysActivate: (input) => appKeys.activate(input.key),
    appKeysDeactivate: (input) => appKeys.deactivate(input.key),
    appKeysRemove: (input) => appKeys.remove(input.key),
    appKeysExportCsv: () => appKeys.exportCsvWithDialog(),
    rolesList: () => appKeys.listRoles(),
    rolesCreate: (input) => appKeys.createRole(input),
    rolesDelete: async (input) => {
      await appKeys.deleteRole(input.id)
      return null
    },
  }
}
