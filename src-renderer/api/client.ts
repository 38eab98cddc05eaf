import { contract, type KeyholdApi, type Method } from '../../src-shared/ipc/contract'
import type { Result } from '../../src-shared/errors'
import type { KeyholdEvents } from '../../src-shared/ipc/events'

/** Called after every call with its method and result; used for auto-lock and VAULT_LOCKED. */
export type SettledListener = (method: Method, result: Result<unknown>) => void

/** The preload's object; fakes and the test bridge may leave the event subscriptions out. */
type Bridge = KeyholdApi & Partial<KeyholdEvents>

let bridge: Bridge | undefined
const listeners = new Set<SettledListener>()

const missingBridge: Result<never> = {
  ok: false,
  error: { code: 'INTERNAL', message: 'Keyhold cannot reach its vault. Close this window and start Keyhold again.' },
}

function currentBridge(): Bridge | undefined {
  // SECURITY: the preload's named methods are the renderer's only door to main; nothing else reads window.keyhold.
  bridge ??= window.keyhold
  return bridge
}

async function call(method: Method, input: unknown): Promise<Result<unknown>> {
  const api = currentBridge()
  let result: Result<unknown>
  try {
    result = api ? await (api[method] as (input: unknown) => Promise<Result<unknown>>)(input) : missingBridge
  } catch {
    result = missingBridge
  }
  for (const listener of listeners) listener(method, result)
  return result
}

/**
 * The one module that talks to main: the same methods as `window.keyhold`, each returning
 * a Result (a failed transport becomes an INTERNAL error, never a throw). Stores use this,
 * never `window`, so tests swap the bridge with `setClient`.
 */
export const client: KeyholdApi = Object.fromEntries(
  (Object.keys(contract) as Method[]).map((method) => [method, (input: unknown) => call(method, input)]),
) as KeyholdApi

/**
 * Calls `listener` when main locks the vault on its own (idle, suspend, screen lock).
 * Returns the unsubscribe; a bridge without events (tests) never calls it.
 */
export function onVaultLocked(listener: () => void): () => void {
  return currentBridge()?.onVaultLocked?.(listener) ?? (() => undefined)
}

/** Subscribes to every settled call. Returns the unsubscribe. */
export function onSettled(listener: SettledListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/**
 * Replaces the bridge (tests pass a fake; `undefined` goes back to `window.keyhold`) and
 * forgets every listener, as a new bridge means a new app.
 */
export function setClient(next: Bridge | undefined): void {
  bridge = next
  listeners.clear()
}
