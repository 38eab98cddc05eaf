import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { appStatus } from '../../src-shared/apps/app-status'
import type { Result } from '../../src-shared/errors'
import type { AppCreated, AppId, AppStatus, AppSummary, AppType } from '../../src-shared/types/apps'
import { client } from '../api/client'
import { errorText } from '../api/errors'
import { useVaultStore } from './vault.store'

/** What the report shows: pending and active apps, expired and revoked ones, or all. */
export type AppsFilter = 'current' | 'inactive' | 'all'

const INACTIVE: readonly AppStatus[] = ['expired', 'revoked']

/**
 * My apps as the screens see them: the report rows (never a key) and the actions. A created
 * key (code, URI, QR) is handed to the caller, the one-time screen, and never kept here.
 */
export const useAppsStore = defineStore('apps', () => {
  const vault = useVaultStore()

  const apps = ref<AppSummary[]>([])
  const loaded = ref(false)
  const loadError = ref<string | null>(null)
  /** The renderer's clock, advanced by the report page so statuses follow it without asking main. */
  const now = ref(Date.now())

  /**
   * Main's status, moved on to `expired` once the shared rule (`appStatus`) says so on this
   * clock. Never the other way: main's clock is the authority, this only keeps an open page honest.
   */
  function statusOf(app: AppSummary): AppStatus {
    const current = app.status === 'pending' || app.status === 'active'
    return current && appStatus(app, now.value) === 'expired' ? 'expired' : app.status
  }

  const rows = computed(() => apps.value.map((app) => ({ ...app, status: statusOf(app) })))
  const counts = computed(() => {
    const inactive = rows.value.filter((app) => INACTIVE.includes(app.status)).length
    return { current: rows.value.length - inactive, inactive, all: rows.value.length }
  })

  function filtered(filter: AppsFilter): AppSummary[] {
    if (filter === 'all') return rows.value
    return rows.value.filter((app) => INACTIVE.includes(app.status) === (filter === 'inactive'))
  }

  async function load(): Promise<void> {
    const result = await client.appsList({ filter: 'all' })
    now.value = Date.now()
    if (result.ok) apps.value = result.value
    loadError.value = result.ok ? null : errorText(result.error)
    loaded.value = result.ok
  }

  function keep(summary: AppSummary): void {
    const others = apps.value.filter((app) => app.id !== summary.id)
    apps.value = [summary, ...others].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  /** "+ New key". SECURITY: the result (key, URI, QR) goes to the caller only; the store keeps the summary. */
  async function create(input: { name: string; type: AppType; expiresAt: string | null }): Promise<Result<AppCreated>> {
    const result = await client.appsCreate(input)
    if (result.ok) keep(result.value.app)
    return result
  }

  async function edit(input: { id: AppId; name?: string; expiresAt?: string | null }): Promise<Result<AppSummary>> {
    const result = await client.appsEdit(input)
    if (result.ok) keep(result.value)
    return result
  }

  async function revoke(id: AppId): Promise<Result<AppSummary>> {
    const result = await client.appsRevoke({ id })
    if (result.ok) keep(result.value)
    return result
  }

  function tick(): void {
    now.value = Date.now()
  }

  function reset(): void {
    apps.value = []
    loaded.value = false
    loadError.value = null
  }
  vault.onLocked(reset)

  /** The key screen's "Copy code" (main copies, and clears it after the person's delay), and forgetting it when the screen closes. */
  const copyCode = (handle: string) => client.appsCopyCode({ handle })
  const forgetCode = (handle: string) => client.appsForgetCode({ handle })

  return { apps, loaded, loadError, now, rows, counts, statusOf, filtered, load, create, edit, revoke, tick, copyCode, forgetCode }
})
