import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Result } from '../../src-shared/errors'
import type { AppKeyId, AppKeysExport, AppKeySummary, GeneratedAppKey, Permission, Role } from '../../src-shared/types/app-keys'
import { client } from '../api/client'
import { errorText } from '../api/errors'
import { useReauthStore } from './reauth.store'
import { useVaultStore } from './vault.store'

/**
 * Application keys and roles as the screens see them: the key list (never a token), the
 * roles, and the actions. Changes go through the master-password re-confirmation. A
 * generated token is handed to the caller (the token screen) and never kept here.
 */
export const useAppKeysStore = defineStore('appKeys', () => {
  const vault = useVaultStore()
  const reauth = useReauthStore()

  const keys = ref<AppKeySummary[]>([])
  const roles = ref<Role[]>([])
  const loaded = ref(false)
  const loadError = ref<string | null>(null)
  /**
   * The last action's outcome, for the page to show. Kept here rather than in the row that
   * ran it, because the row may leave the list (a removed key, a key without roles).
   */
  const notice = ref<{ message: string; tone: 'success' | 'error' } | null>(null)

  function say(message: string, tone: 'success' | 'error' = 'success'): void {
    notice.value = { message, tone }
  }

  function dismissNotice(): void {
    notice.value = null
  }

  /** "Application Keys": every key with at least one role, internal or external. */
  const withAccess = computed(() => keys.value.filter((key) => key.roles.length > 0))
  /** "My Keys": the internal keys. */
  const myKeys = computed(() => keys.value.filter((key) => key.type === 'internal'))

  async function load(): Promise<void> {
    const [keyList, roleList] = await Promise.all([client.appKeysList({}), client.rolesList({})])
    if (keyList.ok) keys.value = keyList.value
    if (roleList.ok) roles.value = roleList.value
    const failed = !keyList.ok ? keyList : !roleList.ok ? roleList : null
    loadError.value = failed && !failed.ok ? errorText(failed.error) : null
    loaded.value = !failed
  }

  function keep(summary: AppKeySummary): void {
    const index = keys.value.findIndex((key) => key.key === summary.key)
    if (index < 0) keys.value = [...keys.value, summary]
    else keys.value = keys.value.map((key, i) => (i === index ? summary : key))
  }

  /** Runs a change (with re-confirmation), keeps the key it returns and refreshes role counts. */
  async function change(call: () => Promise<Result<AppKeySummary>>): Promise<Result<AppKeySummary>> {
    const result = await reauth.withConfirmation(call)
    if (result.ok) {
      keep(result.value)
      await refreshRoles()
    }
    return result
  }

  async function refreshRoles(): Promise<void> {
    const result = await client.rolesList({})
    if (result.ok) roles.value = result.value
  }

  /** SECURITY: the token is returned to the caller only; the store keeps the summary. */
  async function generate(input: { label: string; roleIds: string[] }): Promise<Result<GeneratedAppKey>> {
    const result = await reauth.withConfirmation(() => client.appKeysGenerate({ label: input.label, roleIds: input.roleIds }))
    if (result.ok) {
      keep(result.value.key)
      await refreshRoles()
    }
    return result
  }

  const copyToken = (handle: string) => client.appKeysCopyToken({ handle })
  const forgetToken = (handle: string) => client.appKeysForgetToken({ handle })

  const addExternal = (input: { key: string; account: string; roleIds: string[]; publicKey?: string }) =>
    change(() =>
      client.appKeysAddExternal({ key: input.key, account: input.account || undefined, roleIds: input.roleIds, ...(input.publicKey && { publicKey: input.publicKey }) }),
    )
  const setRoles = (key: AppKeyId, roleIds: string[]) => change(() => client.appKeysSetRoles({ key, roleIds }))
  const activate = (key: AppKeyId) => change(() => client.appKeysActivate({ key }))
  const deactivate = (key: AppKeyId) => change(() => client.appKeysDeactivate({ key }))
  const remove = (key: AppKeyId) => change(() => client.appKeysRemove({ key }))

  async function createRole(input: { name: string; permissions: Permission[]; tags: string[] }): Promise<Result<Role>> {
    const result = await reauth.withConfirmation(() => client.rolesCreate(input))
    if (result.ok) await refreshRoles()
    return result
  }

  async function deleteRole(id: Role['id']): Promise<Result<null>> {
    const result = await reauth.withConfirmation(() => client.rolesDelete({ id }))
    if (result.ok) await refreshRoles()
    return result
  }

  const exportCsv = (): Promise<Result<AppKeysExport>> => client.appKeysExportCsv({})

  function reset(): void {
    keys.value = []
    roles.value = []
    loaded.value = false
    loadError.value = null
    notice.value = null
  }
  vault.onLocked(reset)

  return {
    keys,
    roles,
    loaded,
    loadError,
    notice,
    say,
    dismissNotice,
    withAccess,
    myKeys,
    load,
    generate,
    copyToken,
    forgetToken,
    addExternal,
    setRoles,
    activate,
    deactivate,
    remove,
    createRole,
    deleteRole,
    exportCsv,
  }
})
