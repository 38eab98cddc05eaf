import { onMounted } from 'vue'
import { useAppKeysStore } from '../stores/app-keys.store'
import { useReauthStore } from '../stores/reauth.store'

/**
 * What both key pages (Application Keys, My Keys) share: the keys, listed afresh on each
 * visit without the notice of the page before, and the password re-confirmation that
 * their changes may ask for (shown while `reauth.pending`).
 */
export function useKeyPage() {
  const store = useAppKeysStore()
  const reauth = useReauthStore()
  onMounted(() => {
    store.dismissNotice()
    void store.load()
  })
  return { store, reauth, say: store.say }
}
