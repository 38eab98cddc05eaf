import type { runSession } from './fast-session'
import type { TerminalIo } from './terminal-client'
import { route } from './terminal-route'

/**
 * The terminal's fast path (docs/terminal-sessions.md §5), bundled apart as out/cli/keyhold-fast.cjs:
 * when an agent holds the vault unlocked and serves terminals, the command runs there, relayed
 * by this bundle and the session's (out/cli/keyhold-session.cjs, which `loadSession` loads only
 * then), without the CLI's commands, sql.js or the vault engine. It resolves to the exit
 * status, or to undefined when the command is the vault file's to run (no agent, locked, not
 * served there, `--no-agent`, …): bin/keyhold.js then loads the whole CLI, which decides again
 * (the same `route`) and says why where it matters. This bundle is the routing alone, so a
 * command for the vault file pays only for the decision.
 */
export async function runFast(argv: string[], loadSession: () => { runSession: typeof runSession }, io: TerminalIo = process): Promise<number | undefined> {
  const routed = await route(argv, io.env).catch(() => null)
  if (routed?.path !== 'agent') return undefined
  return loadSession().runSession(routed, argv, io)
}
