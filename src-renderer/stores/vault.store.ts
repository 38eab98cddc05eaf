import { defineStore } from 'pinia'
import { computed, onScopeDispose, ref } from 'vue'
import type { Result } from '../../src-shared/errors'
import { POLLED_METHODS as POLLED } from '../../src-shared/ipc/agent.contract'
import type { Method } from '../../src-shared/ipc/contract'
import type { VaultStatus } from '../../src-shared/types/vault'
import { client, onSettled, onVaultLocked } from '../api/client'
import { errorText } from '../api/errors'

/** The vault's state as the renderer knows it; `unknown` until main first answered. */
export type VaultState = VaultStatus['state'] | 'unknown'

/** At most one activity ping per this interval (or a quarter of the auto-lock time, if shorter). */
export const ACTIVITY_INTERVAL_MS = 15_000
/** How long after main's idle deadline the renderer asks whether the vault locked itself. */
export const IDLE_CHECK_MARGIN_MS = 1_500
/**
 * The calls the window polls, which main does not count as activity (src-main/ipc/handlers.ts):
 * they restart neither main's idle timer nor, here, the idle check and the activity ping's
 * throttle (else a poll every second would keep the person's input from ever reaching main,
 * and the vault would lock under their hands).
 */
export const POLLED_METHODS: ReadonlySet<Method> = new Set<Method>(POLLED)

/**
 * The vault's lifecycle as seen by the screens: status, create, unlock (password or this
 * device), lock, change password, and keeping main's idle timer honest. Any call, by any
 * store, that comes back VAULT_LOCKED moves the state to `locked`; feature stores drop
 * what they loaded through `onLocked`.
 */
export const useVaultStore = defineStore('vault', () => {
  const status = ref<VaultStatus | null>(null)
  /** Why the status could not be read at start, if it could not. */
  const loadError = ref<string | null>(null)
  /** A one-off message for the next screen (e.g. the keychain could not remember this device). */
  const notice = ref<string | null>(null)

  const state = computed<VaultState>(() => status.value?.state ?? 'unknown')
  const rememberedOnDevice = computed(() => status.value?.rememberedOnDevice ?? false)
  const autoLockMinutes = computed(() => (status.value ? Math.max(1, Math.round(status.value.autoLockMs / 60_000)) : null))

  const lockListeners = new Set<() => void>()
  let lastContactAt = 0
  let idleCheck: ReturnType<typeof setTimeout> | undefined

  function apply(next: VaultStatus): void {
    const was = status.value?.state
    const { warning, ...rest } = next
    status.value = rest
    if (warning) notice.value = warning.message
    if (was === 'unlocked' && next.state !== 'unlocked') for (const listener of lockListeners) listener()
    scheduleIdleCheck()
  }

  /**
   * Main locks on its own after `autoLockMs` without a call. Every call resets that timer,
   * so checking just after the deadline of the last call finds the vault locked, never
   * keeps it open.
   */
  function scheduleIdleCheck(): void {
    clearTimeout(idleCheck)
    if (status.value?.state !== 'unlocked') return
    idleCheck = setTimeout(() => void refresh(), status.value.autoLockMs + IDLE_CHECK_MARGIN_MS)
  }

  const unsubscribe = onSettled((method, result) => {
    if (!result.ok && result.error.code === 'VAULT_LOCKED' && status.value?.state === 'unlocked') apply({ ...status.value, state: 'locked' })
    else if (!POLLED_METHODS.has(method)) {
      lastContactAt = Date.now()
      scheduleIdleCheck()
    }
  })
  // SECURITY: when main locks by itself, what the screens show (a one-time token, a QR code) goes at once.
  const stopLockedEvents = onVaultLocked(() => {
    if (status.value?.state === 'unlocked') apply({ ...status.value, state: 'locked' })
  })
  onScopeDispose(() => {
    unsubscribe()
    stopLockedEvents()
    clearTimeout(idleCheck)
  })

  async function track(call: Promise<Result<VaultStatus>>): Promise<Result<VaultStatus>> {
    const result = await call
    if (result.ok) apply(result.value)
    return result
  }

  /** Asks main for the status (at start, on window focus, after the idle deadline). */
  async function refresh(): Promise<Result<VaultStatus>> {
    const result = await client.vaultStatus({})
    if (result.ok) {
      loadError.value = null
      apply(result.value)
    } else if (status.value === null) {
      loadError.value = errorText(result.error)
    }
    return result
  }

  function create(input: { password: string; rememberOnDevice: boolean }): Promise<Result<VaultStatus>> {
    return track(client.vaultCreate(input))
  }

  function unlock(input: { password: string; rememberOnDevice?: boolean }): Promise<Result<VaultStatus>> {
    return track(client.vaultUnlock(input))
  }

  function unlockWithDevice(): Promise<Result<VaultStatus>> {
    return track(client.vaultUnlockWithDevice({}))
  }

  function lock(): Promise<Result<VaultStatus>> {
    return track(client.vaultLock({}))
  }

  function changePassword(input: { current: string; next: string }): Promise<Result<VaultStatus>> {
    return track(client.vaultChangePassword(input))
  }

  function rotateKey(input: { password: string }): Promise<Result<VaultStatus>> {
    return track(client.vaultRotateKey(input))
  }

  /** Called on the person's input: tells main (throttled) so its idle timer restarts. */
  function activity(): void {
    if (status.value?.state !== 'unlocked') return
    const interval = Math.min(ACTIVITY_INTERVAL_MS, status.value.autoLockMs / 4)
    if (Date.now() - lastContactAt < interval) return
    lastContactAt = Date.now()
    void client.vaultActivity({})
  }

  /** Runs `listener` whenever the vault goes from unlocked to locked. Returns the unsubscribe. */
  function onLocked(listener: () => void): () => void {
    lockListeners.add(listener)
    return () => lockListeners.delete(listener)
  }

  function dismissNotice(): void {
    notice.value = null
  }

  return {
    status,
    loadError,
    notice,
    state,
    rememberedOnDevice,
    autoLockMinutes,
    refresh,
    create,
    unlock,
    unlockWithDevice,
    lock,
    changePassword,
    rotateKey,
    activity,
    onLocked,
    dismissNotice,
  }
})
