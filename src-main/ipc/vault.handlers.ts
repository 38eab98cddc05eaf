import type { Services } from '../core/services'
import type { vaultChannels } from '../../src-shared/ipc/vault.contract'
import type { Handlers } from './handle'

type VaultHandlers = Pick<Handlers, keyof typeof vaultChannels>

export function vaultHandlers({ vault }: Services): VaultHandlers {
  return {
    vaultStatus: () => vault.status(),
    vaultCreate: (input) => vault.create(input),
    vaultUnlock: (input) => vault.unlock(input),
    vaultUnlockWithDevice: () => vault.unlockWithDevice(),
    vaultLock: () => vault.lock(),
    vaultChangePassword: (input) => vault.changePassword(input),
    vaultRotateKey: (input) => vault.rotateKey(input),
    vaultConfirmPassword: async (input) => {
      await vault.confirmPassword(input.password)
      return null
    },
    vaultActivity: () => {
      vault.activity()
      return null
    },
  }
}
