import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Result } from '../../src-shared/errors'
import { client } from '../api/client'
import { useVaultStore } from './vault.store'

/**
 * Master-password re-confirmation for sensitive actions (managing keys). A store calls
 * `withConfirmation(call)`: when main answers REAUTH_REQUIRED, `pending` is set, the screen
 * shows ConfirmPasswordDialog, and once the password is confirmed the call is made again.
 * Cancelling returns the REAUTH_REQUIRED result unchanged. The password is sent to main and
 * never kept here.
 */
export const useReauthStore = defineStore('reauth', () => {
  /** Why a confirmation is asked for (main's message), while the dialog should be open. */
  const pending = ref<string | null>(null)
  let settle: ((confirmed: boolean) => void) | null = null

  function request(reason: string): Promise<boolean> {
    settle?.(false)
    pending.value = reason
    return new Promise((resolve) => {
      settle = resolve
    })
  }

  function finish(confirmed: boolean): void {
    pending.value = null
    const done = settle
    settle = null
    done?.(confirmed)
  }

  /** Sends the password to main; on success the waiting call is retried. */
  async function confirm(password: string): Promise<Result<null>> {
    const result = await client.vaultConfirmPassword({ password })
    if (result.ok) finish(true)
    return result
  }

  function cancel(): void {
    finish(false)
  }

  // A lock ends the question: the call it was for is answered VAULT_LOCKED anyway.
  useVaultStore().onLocked(cancel)

  async function withConfirmation<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
    const result = await call()
    if (result.ok || result.error.code !== 'REAUTH_REQUIRED') return result
    return (await request(result.error.message)) ? call() : result
  }

  return { pending, confirm, cancel, withConfirmation }
})
