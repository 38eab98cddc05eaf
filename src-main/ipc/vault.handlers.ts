import type { Services } from '../core/services'
import type { Handlers } from './handle'

type VaultHandlers = Pick<
  Handlers,
    | 'vaultStatus'
  | 'vaultCreate'
  | 'vaultUnlock'
  | 'vaultUnlockWithDevice'
  | 'vaultLock'
  | 'vaultChangePassword'
  | 'vaultRotateKey'
  | 'vaultConfirmPassword'
  | 'vaultActivity'
>

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
