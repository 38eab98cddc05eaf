import { computed, type Ref } from 'vue'
import { useReauthStore } from '../stores/reauth.store'

/**
 * A key form's busy state as the person should see it: while main waits for the master
 * password (ConfirmPasswordDialog is open), the form has not been sent yet, so its button
 * does not say "Generating…" or "Saving…" under the password question.
 */
export function useSendingBusy(busy: Ref<boolean>) {
  const reauth = useReauthStore()
  return computed(() => busy.value && reauth.pending === null)
}
