import { KeyholdError } from '../../src-shared/errors'
import { errorLine } from './error-line'
import { useSymmetric, useX25519 } from '../../src-shared/local-access/noise-core'
import { NODE_SYMMETRIC } from '../core/agent/node-symmetric'
import { NODE_X25519 } from '../core/agent/node-x25519'
import { runThroughAgent, type TerminalIo } from './terminal-client'
import type { Route } from './terminal-route'

/**
 * The fast path's second half (fast.ts), bundled apart as out/cli/keyhold-session.cjs: runs
 * `argv` in the agent `routed` names. Resolves to the exit status, or to undefined when that
 * agent cannot take it after all (gone, or locked meanwhile): the whole CLI runs it then.
 */
export async function runSession(routed: Extract<Route, { path: 'agent' }>, argv: string[], io: TerminalIo): Promise<number | undefined> {
  useX25519(NODE_X25519)
  useSymmetric(NODE_SYMMETRIC)
  try {
    return (await runThroughAgent(routed, argv, io)) ?? undefined
  } catch (error) {
    // As runCli prints them: one line, `keyhold: CODE: message`.
    if (!(error instanceof KeyholdError) && io.env.KEYHOLD_DEBUG) io.stderr.write(`${String((error as Error)?.stack)}\n`)
    io.stderr.write(errorLine(error))
    return 1
  }
}
