import type { DeviceClaim, PairingView } from '../../../src-shared/local-access/messages'
import type { AppId } from '../../../src-shared/types/apps'
import type { PairingId } from '../../../src-shared/types/pairings'
import type { ClaimedApp } from '../pairings/pairings.service'
import type { AgentContext } from './agent-context'

/** How an approval wait ended for a companion still connected. */
export type ApprovalOutcome = { approved: PairingView } | { refused: 'denied' | 'timeout' | 'locked' | 'cancelled' }

/**
 * The approval wait (docs/pairing-protocol.md §5.3), after a claim. Whatever ends it (an
 * answer, the timeout, a lock, or `abort`, which the connection fires when the companion
 * leaves, sends a bad frame or the agent stops), the key is either paired or burned, never
 * left claimed. Null when the companion is gone (`stillHere`): a pairing approved as it left
 * is ended again, since it never learned it.
 */
export async function waitForApproval(
  ctx: AgentContext,
  request: { app: ClaimedApp; claim: DeviceClaim; phrase: string; companionKey: Uint8Array },
  abort: AbortController,
  stillHere: () => boolean,
): Promise<ApprovalOutcome | null> {
  const { app, claim, phrase, companionKey } = request
  const pairings = ctx.services.pairings
  let timedOut = false
  let lockedMeanwhile = false
  const timer = setTimeout(() => {
    timedOut = true
    abort.abort()
  }, ctx.timings.approvalMs)
  const stopLock = ctx.onLocked(() => {
    lockedMeanwhile = true
    abort.abort()
  })
  const aborted = new Promise<{ approved: false }>((resolve) => abort.signal.addEventListener('abort', () => resolve({ approved: false }), { once: true }))
  try {
    const deadline = new Date(ctx.clock.now() + ctx.timings.approvalMs).toISOString()
    const decision = await Promise.race([
      ctx.approver.approvePairing({ app, claim, phrase, contested: false, deadline }, abort.signal).catch(() => ({ approved: false as const })),
      aborted,
    ])
    if (!decision.approved || abort.signal.aborted || !stillHere()) {
      const reason = timedOut ? 'timeout' : lockedMeanwhile ? 'locked' : !stillHere() ? 'cancelled' : 'denied'
      await burnKey(ctx, app.id, reason === 'locked' ? 'denied' : reason)
      return stillHere() ? { refused: reason } : null
    }
    const view = await pairings.approve(app.id, { publicKey: companionKey, claim }, decision)
    if (stillHere()) return { approved: view }
    await pairings.end(view.id as PairingId, 'revoked').catch(() => undefined)
    return null
  } finally {
    clearTimeout(timer)
    stopLock()
  }
}

/** Burns a claimed key; while the vault is locked, at the next unlock. */
export async function burnKey(ctx: AgentContext, appId: AppId, reason: 'denied' | 'timeout' | 'cancelled'): Promise<void> {
  try {
    await ctx.services.pairings.burn(appId, reason)
  } catch {
    const stop = ctx.onUnlocked(() => {
      stop()
      void ctx.services.pairings.burn(appId, reason).catch(() => undefined)
    })
  }
}
