import { readFileSync, readlinkSync } from 'node:fs'
import { KeyholdError } from '../../src-shared/errors'
import { CompanionError, openTerminalSession, type Session } from '../../src-shared/local-access/client'
import type { TerminalClaim } from '../../src-shared/local-access/messages'
import { agentEndpoint, readAgentInfo, type AgentInfo } from '../core/agent/agent-paths'
import { connectSocket } from '../core/agent/socket-transport'
import { defaultVaultPath } from '../core/vault/paths'
import { Vault } from '../core/vault/vault'
import { promptHidden, StdinLines, UsageError } from './io'

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

/**
 * The commands a terminal may run in the agent (docs/terminal-sessions.md §4). The others open
 * the vault file themselves (init, passwd, rekey), start or talk to agents (agent, connect,
 * native-host, browser, unlock, lock, status), need no vault (generate, completion) or run
 * on the terminal's side (run, inject: they resolve their references here).
 */
export const AGENT_COMMANDS: ReadonlySet<string> = new Set(['info', 'secret', 'app', 'key', 'role', 'audit', 'resolve-references', 'lock-vault'])

/** The first word of `argv` that is not a global option (and its value): the command. */
export function commandOf(argv: readonly string[]): string | undefined {
  const withValue = new Set(['--vault', '--app-key', '--pairing'])
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (withValue.has(word)) i++
    else if (!word.startsWith('-')) return word
  }
  return undefined
}

/** Which way a command goes, as `keyhold status` says it. */
export type Route =
  | { path: 'agent'; info: AgentInfo; vaultId: string }
  | { path: 'file'; why: 'no-agent-flag' | 'not-in-agent' | 'no-vault' | 'no-agent' | 'no-terminals' | 'locked' | 'companion' }

/** The global options that take a value (so their value is not taken for the command). */
const VALUE_OPTIONS = new Set(['--vault', '--app-key', '--pairing'])

function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1]
    if (argv[i]!.startsWith(`${name}=`)) return argv[i]!.slice(name.length + 1)
    if (!argv[i]!.startsWith('-')) return undefined
    if (VALUE_OPTIONS.has(argv[i]!)) i++
  }
  return undefined
}

const hasGlobal = (argv: readonly string[], name: string) => {
  for (let i = 0; i < argv.length && argv[i]!.startsWith('-'); i++) {
    if (argv[i] === name) return true
    if (VALUE_OPTIONS.has(argv[i]!)) i++
  }
  return false
}

/** The vault file a command names: --vault, $KEYHOLD_VAULT, else the app's. */
export function vaultPathOf(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  return optionValue(argv, '--vault') ?? env.KEYHOLD_VAULT ?? defaultVaultPath(env)
}

/** Decides whether `argv` runs in an agent (and which), or opens the vault file. */
export async function route(argv: readonly string[], env: NodeJS.ProcessEnv, command = commandOf(argv)): Promise<Route> {
  if (hasGlobal(argv, '--no-agent') || (env.KEYHOLD_NO_AGENT !== undefined && env.KEYHOLD_NO_AGENT !== '' && env.KEYHOLD_NO_AGENT !== '0')) return { path: 'file', why: 'no-agent-flag' }
  if (hasGlobal(argv, '--app-key') || hasGlobal(argv, '--pairing') || env.KEYHOLD_APP_KEY) return { path: 'file', why: 'companion' }
  if (command === undefined || !AGENT_COMMANDS.has(command)) return { path: 'file', why: 'not-in-agent' }
  // The clipboard is the terminal's desktop, not the agent's: a copy runs here.
  const sub = argv.slice(argv.indexOf(command) + 1).find((word) => !word.startsWith('-'))
  if (command === 'secret' && (sub === 'copy' || sub === 'clear-clipboard')) return { path: 'file', why: 'not-in-agent' }
  const header = await Vault.peek(vaultPathOf(argv, env)).catch(() => null)
  if (!header) return { path: 'file', why: 'no-vault' }
  const info = await readAgentInfo(agentEndpoint(header.vaultId))
  if (!info || !alive(info.pid)) return { path: 'file', why: 'no-agent' }
  if (info.terminals !== true) return { path: 'file', why: 'no-terminals' }
  if (!info.dpk) return { path: 'file', why: 'locked' }
  return { path: 'agent', info, vaultId: header.vaultId }
}

/** Whether a process of this user (or another's: EPERM) lives at `pid`. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
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
  return { command: ['keyhold', ...argv].join(' ').slice(0, 200), cwd: process.cwd().slice(0, 1024), tty, sid, pid: process.pid, ppid: process.ppid }
}

/** Opens a terminal session on the agent of `vaultId`; null when there is no agent to use after all (fall back to the file). */
export async function terminalSession(routed: Extract<Route, { path: 'agent' }>, argv: readonly string[]): Promise<Session | null> {
  try {
    const transport = await connectSocket(agentEndpoint(routed.vaultId))
    const { session } = await openTerminalSession(transport, { vaultId: routed.vaultId, desktopKey: routed.info.dpk! }, claimOf(argv))
    return session
  } catch (error) {
    // Gone or locked meanwhile: the master password will do.
    if (error instanceof KeyholdError && error.code === 'AGENT_NOT_RUNNING') return null
    if (error instanceof CompanionError && (error.code === 'VAULT_LOCKED' || error.code === 'CLOSED' || error.code === 'AGENT_NOT_RUNNING')) return null
    if (error instanceof CompanionError) throw new KeyholdError(error.code as never, error.message)
    throw error
  }
}

/**
 * Runs `argv` in the agent over `session`: prints its output as it comes, answers its
 * questions (a hidden prompt, or the next line of standard input), and returns its exit status.
 */
export async function runInAgent(session: Session, argv: readonly string[], io: TerminalIo): Promise<number> {
  const lines = new StdinLines(io.stdin)
  const answering: Array<Promise<unknown>> = []
  const answer = (read: () => Promise<string>) => {
    const sent = read().then(
      (text) => session.request('cli.input', { text }),
      (error: unknown) =>
        session.request('cli.input', {
          error: { code: error instanceof KeyholdError ? error.code : 'INVALID_INPUT', message: String((error as Error)?.message ?? error).slice(0, 500) },
          usage: error instanceof UsageError,
        }),
    )
    answering.push(sent.catch(() => undefined))
  }
  const off = session.onEvent((event) => {
    if (event.event === 'cli.output' && typeof event.data === 'string') (event.fd === 2 ? io.stderr : io.stdout).write(Buffer.from(event.data, 'base64'))
    else if (event.event === 'cli.prompt' && typeof event.prompt === 'string') answer(() => promptHidden(event.prompt as string))
    else if (event.event === 'cli.stdin' && typeof event.what === 'string' && typeof event.max === 'number') {
      const { what, max } = event as { what: string; max: number }
      answer(() => lines.take({ what, max: max * 2 }))
    }
  })
  try {
    const { status } = (await session.request('cli.run', { argv: [...argv], cwd: process.cwd(), ...(process.stdout.columns && { columns: process.stdout.columns }) })) as { status: number }
    await Promise.all(answering)
    return status
  } catch (error) {
    if (error instanceof CompanionError) throw new KeyholdError(error.code as never, error.message)
    throw error
  } finally {
    off()
    session.close()
  }
}
