import { CompanionError } from '../../src-shared/local-access/client'
import { HOST_MISSING, HOST_REFUSED, RelayError } from './relay'

/**
 * What a failed connection means for the popup, from the error alone. Only the agent's
 * FORBIDDEN says the pairing ended; the relay's errors (the browser's or the host's) never do.
 */
export type SessionFailure = 'ended' | 'not-running' | 'host-missing' | 'host-refused' | 'locked' | 'other'

export function sessionFailure(error: unknown): SessionFailure {
  if (!(error instanceof CompanionError)) return 'other'
  // SECURITY: the stored pairing is erased on 'ended' only: a refusal by the host must not erase a pairing that is still active in Keyhold.
  if (error.code === 'FORBIDDEN') return error instanceof RelayError ? 'host-refused' : 'ended'
  if (error.code === HOST_REFUSED) return 'host-refused'
  if (error.code === HOST_MISSING) return 'host-missing'
  if (error.code === 'AGENT_NOT_RUNNING') return 'not-running'
  if (error.code === 'VAULT_LOCKED') return 'locked'
  return 'other'
}

/**
 * Whether a sign-out that did not get its answer still signed out. The agent ends the pairing
 * before it answers, and the `pairing.ended` it sends its connections can close the session
 * ahead of the answer: the request then fails with that ending (the agent's FORBIDDEN), and
 * the pairing is over all the same.
 */
export function signedOutAnyway(error: unknown): boolean {
  return sessionFailure(error) === 'ended'
}
