import { readFileSync, readlinkSync } from 'node:fs'
import { KeyholdError } from '../../src-shared/errors'
import { CompanionError, openTerminalSession, type FirstRequest, type Session } from '../../src-shared/local-access/link'
import type { TerminalClaim } from '../../src-shared/local-access/messages'
import { agentEndpoint } from '../core/agent/agent-paths'
import { connectSocket } from '../core/agent/socket-transport'
import type { StdinLines } from './io'
import type { Route } from './terminal-route'

export { AGENT_COMMANDS, alive, commandOf, fitsRequest, route, servedInAgent, vaultPathOf, wordsOf, type Route } from './terminal-route'

/**
 * The terminal's side of "unlock once" (docs/terminal-sessions.md §5): when an agent holds this
 * vault unlocked, a command runs there (no password, no KDF), its output and questions relayed
 * here. Otherwise the CLI opens the vault file as it always did.
 */

export interface TerminalIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream
  env: NodeJS.ProcessEnv
}

/** What this terminal says about itself (§2): the command, the folder, its tty and session where the system tells them. */
export function claimOf(argv: readonly string[]): TerminalClaim {
  let sid: number | null = null
  let tty: string | null = null
  try {
    // /proc/self/stat: "pid (comm) state ppid pgrp session tty_nr …"; comm may hold spaces and parentheses.
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    sid = Number(fields[3])
    if (!Number.isInteger(sid)) sid = null
  } catch {
    sid = null
  }
  for (const fd of [0, 1, 2]) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`)
      if (target.startsWith('/dev/pts/') || target.startsWith('/dev/tty')) {
        tty = target.slice(0, 64)
        break
      }
    } catch {
      // not Linux, or not a terminal
    }
  }
  // One line each, as the approval dialog shows them (a multi-line --notes is not a second line of the command).
  const line = (text: string, max: number) => text.replace(/\s+/g, ' ').slice(0, max) || '-'
  return { command: line(['keyhold', ...argv].join(' '), 200), cwd: line(process.cwd(), 1024), tty, sid, pid: process.pid, ppid: process.ppid }
}

/** Opens a terminal session on the agent of `vaultId`; null when there is no agent to use after all (fall back to the file). */
export async function terminalSession(routed: Extract<Route, { path: 'agent' }>, argv: readonly string[]): Promise<Session | null> {
  return (await terminalGrant(routed, argv, true))?.session ?? null
}

/**
 * The session and this terminal's grant. With `ask` false nobody is asked: a terminal without a
 * live grant gets `grant: null` and a session that may only lock (`keyhold status`, `keyhold lock`).
 */
export async function terminalGrant(routed: Extract<Route, { path: 'agent' }>, argv: readonly string[], ask: boolean): Promise<{ session: Session; grant: { until: string; idleMs: number } | null } | null> {
  return openTerminal(routed, argv, ask)
}

/**
 * Runs `argv` in the agent `routed` names, the command sent with the terminal's claim (one
 * round trip less than terminalSession and runInAgent), and returns its exit status; null when
 * there is no agent to use after all (gone or locked before the command was taken: the vault
 * file will do).
 */
export async function runThroughAgent(routed: Extract<Route, { path: 'agent' }>, argv: readonly string[], io: TerminalIo): Promise<number | null> {
  const relay = new Relay(io)
  const opened = await openTerminal(routed, argv, true, {
    op: 'cli.run',
    args: runArgs(argv),
    onEvent: (event, session) => relay.onEvent(event, session),
    onOutput: (fd, bytes) => relay.onOutput(fd, bytes),
  })
  if (!opened) return null
  return relay.finish(opened.session, opened.answer!)
}

/**
 * Runs `argv` in the agent over `session`: prints its output as it comes, answers its
 * questions (a hidden prompt, or the next line of standard input), and returns its exit status.
 */
export async function runInAgent(session: Session, argv: readonly string[], io: TerminalIo): Promise<number> {
  const relay = new Relay(io)
  session.onEvent((event) => relay.onEvent(event, session))
  session.onOutput((fd, bytes) => relay.onOutput(fd, bytes))
  return relay.finish(session, session.request('cli.run', runArgs(argv)))
}

/** A command for the agent: its words, the folder, the terminal's width, and output as output frames (§4). */
const runArgs = (argv: readonly string[]) => ({ argv: [...argv], cwd: process.cwd(), ...(process.stdout.columns && { columns: process.stdout.columns }), raw: true })

async function openTerminal(
  routed: Extract<Route, { path: 'agent' }>,
  argv: readonly string[],
  ask: boolean,
  first?: FirstRequest,
): Promise<{ session: Session; grant: { until: string; idleMs: number } | null; answer?: Promise<unknown> } | null> {
  try {
    const transport = await connectSocket(agentEndpoint(routed.vaultId))
    const where = routed.info.holder === 'app' ? 'in the Keyhold app' : 'on the terminal running keyhold agent'
    return await openTerminalSession(
      transport,
      { vaultId: routed.vaultId, desktopKey: routed.info.dpk! },
      claimOf(argv),
      () => process.stderr.write(`Waiting for you to allow this terminal ${where} (60 s)…\n`),
      ask,
      first,
    )
  } catch (error) {
    // Gone or locked meanwhile (before the agent answered the claim, so before it took a command): the master password will do.
    if (error instanceof KeyholdError && error.code === 'AGENT_NOT_RUNNING') return null
    if (error instanceof CompanionError && (error.code === 'VAULT_LOCKED' || error.code === 'CLOSED' || error.code === 'AGENT_NOT_RUNNING')) return null
    if (error instanceof CompanionError) throw new KeyholdError(error.code as never, error.message)
    throw error
  }
}

/** The CLI's input helpers (readline among them), loaded only when the agent asks the terminal something. */
const input = () => import('./io')

/** A command's events as the terminal relays them: its output printed, its questions answered. */
class Relay {
  /** Standard input as lines, made at the first question that reads it (untouched otherwise). */
  private lines: StdinLines | undefined
  private readonly answering: Array<Promise<unknown>> = []

  constructor(private readonly io: TerminalIo) {}

  onOutput(fd: 1 | 2, bytes: Uint8Array): void {
    ;(fd === 2 ? this.io.stderr : this.io.stdout).write(bytes)
  }

  onEvent(event: Record<string, unknown>, session: Session): void {
    // An agent that does not know output frames sends the output in events.
    if (event.event === 'cli.output' && typeof event.data === 'string') (event.fd === 2 ? this.io.stderr : this.io.stdout).write(Buffer.from(event.data, 'base64'))
    else if (event.event === 'cli.prompt' && typeof event.prompt === 'string') {
      const question = event.prompt
      this.answer(session, async () => (await input()).promptHidden(question))
    } else if (event.event === 'cli.stdin' && typeof event.what === 'string' && typeof event.max === 'number') {
      const { what, max } = event as { what: string; max: number }
      this.answer(session, async () => {
        this.lines ??= new (await input()).StdinLines(this.io.stdin)
        return this.lines.take({ what, max: max * 2 })
      })
    }
  }

  /** The command's exit status, once its answer came and every question was answered. */
  async finish(session: Session, answer: Promise<unknown>): Promise<number> {
    try {
      const { status } = (await answer) as { status: number }
      await Promise.all(this.answering)
      return status
    } catch (error) {
      if (error instanceof CompanionError) throw new KeyholdError(error.code as never, error.message)
      throw error
    } finally {
      session.close()
    }
  }

  private answer(session: Session, read: () => Promise<string>): void {
    const sent = read().then(
      (text) => session.request('cli.input', { text }),
      async (error: unknown) =>
        session.request('cli.input', {
          error: { code: error instanceof KeyholdError ? error.code : 'INVALID_INPUT', message: String((error as Error)?.message ?? error).slice(0, 500) },
          usage: error instanceof (await input()).UsageError,
        }),
    )
    this.answering.push(sent.catch(() => undefined))
  }
}
