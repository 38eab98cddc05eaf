import type { TerminalClaim } from '../../../src-shared/local-access/messages'
import type { AgentContext } from './agent-context'
import { commandWords, grantKey, MAX_TERMINALS_ASKED } from './terminals'

type Grant = { until: string; idleMs: number }

/** What a terminal's claim gets: a session (for its grant's key; lock-only when not asked), or a refusal. */
export type ClaimAnswer =
  | { ok: true; key: string; grant: Grant | null; lockOnly?: true }
  | { ok: false; code: 'FORBIDDEN' | 'RATE_LIMITED' }

/**
 * Decides a terminal's claim (docs/terminal-sessions.md §2, §3): allowed at once while its
 * grant lives, else the person is asked (the app) or it is allowed (keyhold agent), one
 * question per terminal and at most MAX_TERMINALS_ASKED at a time. The connection calls
 * `waiting` with the wait's abort before it waits (its terminal-wait state), and `gone` ends the
 * wait when the terminal leaves. The answer is recorded once, by whoever decided.
 */
export async function answerClaim(
  ctx: AgentContext,
  claim: TerminalClaim,
  ask: boolean | undefined,
  connection: { waiting(abort: AbortController): void; gone: AbortSignal },
): Promise<ClaimAnswer> {
  const terminals = ctx.terminals
  if (!terminals) return { ok: false, code: 'FORBIDDEN' }
  const key = grantKey(claim)
  // Not to be asked (status, lock): told its grant, if it has one (unrenewed), and given a
  // session that may only lock, whatever the grant, so a guessed claim learns nothing more.
  if (ask === false) return { ok: true, key, grant: terminals.grants.current(key), lockOnly: true }
  // Allowed already: the same grant, its 12 hours counted from when the person allowed it.
  const live = terminals.grants.allowed(key, true) ? terminals.grants.current(key) : null
  if (live) return { ok: true, key, grant: live }
  const granted = (allowed: boolean): ClaimAnswer => {
    const current = allowed ? terminals.grants.current(key) : null
    return current ? { ok: true, key, grant: current } : { ok: false, code: 'FORBIDDEN' }
  }
  // The same terminal asked about already: its answer is this one's too.
  const asked = terminals.grants.asking.get(key)
  if (asked) {
    connection.waiting(new AbortController())
    return granted((await asked) && ctx.services.vault.isUnlocked)
  }
  if (terminals.grants.asking.size >= MAX_TERMINALS_ASKED) return { ok: false, code: 'RATE_LIMITED' }
  const abort = new AbortController()
  connection.waiting(abort)
  // The wait is bounded like a pairing's approval; a lock or the terminal leaving ends it.
  const timer = setTimeout(() => abort.abort(), ctx.timings.approvalMs)
  timer.unref?.()
  const stopLock = ctx.onLocked(() => abort.abort())
  connection.gone.addEventListener('abort', () => abort.abort(), { once: true })
  const answer = Promise.race([
    terminals.host.allow(claim, abort.signal).catch(() => false),
    new Promise<false>((resolve) => abort.signal.addEventListener('abort', () => resolve(false), { once: true })),
  ]).then((allowed) => {
    // Decided here, before any waiting command reads it: granted (and recorded) once.
    const decided = allowed && ctx.services.vault.isUnlocked
    recordTerminal(ctx, claim, decided)
    if (decided) terminals.grants.grant(key)
    return decided
  })
  terminals.grants.asking.set(key, answer)
  try {
    return granted(await answer)
  } finally {
    terminals.grants.asking.delete(key)
    clearTimeout(timer)
    stopLock()
  }
}

/**
 * A terminal allowed or refused, in the activity log, by whoever decided (the person in the
 * app's window, or keyhold agent). SECURITY: only the command's words (`secret get`), never
 * its arguments or folder, which may hold anything the person typed.
 */
function recordTerminal(ctx: AgentContext, claim: TerminalClaim, allowed: boolean): void {
  const { services } = ctx
  if (!services.vault.isUnlocked) return
  services.activity.record({
    event: allowed ? 'terminal.allowed' : 'terminal.denied',
    actor: { type: ctx.holder },
    // What was given or refused is access to the vault; the terminal is named in the detail.
    target: { type: 'vault', id: ctx.vaultId },
    outcome: allowed ? 'ok' : 'denied',
    detail: { command: commandWords(claim.command), terminal: claim.tty, pid: claim.pid },
  })
}
