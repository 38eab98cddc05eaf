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

/** The global options that take a value (their value is not a word of the command). */
const VALUE_OPTIONS = new Set(['--vault', '--app-key', '--pairing'])

/**
 * The words of `argv` that are not options: the command, its subcommand, their arguments.
 * Commander takes the program's options anywhere on the line, so their values are skipped
 * wherever they are. (The agent checks the command again with commander itself: terminal-host.ts.)
 */
export function wordsOf(argv: readonly string[]): string[] {
  const words: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (VALUE_OPTIONS.has(word)) i++
    else if (!word.startsWith('-')) words.push(word)
  }
  return words
}

/** The command of `argv` (`secret`, `info`, …), or undefined. */
export function commandOf(argv: readonly string[]): string | undefined {
  return wordsOf(argv)[0]
}

/** Whether the command of `argv` may run in an agent: its group is served there, and it is not `secret copy` (the clipboard is the terminal's). */
export function servedInAgent(path: readonly string[]): boolean {
  const [command, sub] = path
  if (command === undefined || !AGENT_COMMANDS.has(command)) return false
  return !(command === 'secret' && (sub === 'copy' || sub === 'clear-clipboard'))
}

/** Which way a command goes, as `keyhold status` says it. */
export type Route =
  | { path: 'agent'; info: AgentInfo; vaultId: string }
  | { path: 'file'; why: 'no-agent-flag' | 'not-in-agent' | 'no-vault' | 'no-agent' | 'no-terminals' | 'locked' | 'companion' | 'too-long' | 'other-file' }

/** The value of option `name` anywhere on the line (`--vault X` or `--vault=X`), as commander reads it. */
function optionValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) value = argv[++i]
    else if (argv[i]!.startsWith(`${name}=`)) value = argv[i]!.slice(name.length + 1)
    else if (VALUE_OPTIONS.has(argv[i]!)) i++
  }
  return value
}

const hasOption = (argv: readonly string[], name: string) => {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name || argv[i]!.startsWith(`${name}=`)) return true
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
  if (hasOption(argv, '--no-agent') || (env.KEYHOLD_NO_AGENT !== undefined && env.KEYHOLD_NO_AGENT !== '' && env.KEYHOLD_NO_AGENT !== '0')) return { path: 'file', why: 'no-agent-flag' }
  if (hasOption(argv, '--app-key') || hasOption(argv, '--pairing') || env.KEYHOLD_APP_KEY) return { path: 'file', why: 'companion' }
  if (command === undefined || !servedInAgent(wordsOf(argv))) return { path: 'file', why: 'not-in-agent' }
  if (!fitsRequest(argv)) return { path: 'file', why: 'too-long' }
  const header = await Vault.peek(vaultPathOf(argv, env)).catch(() => null)
  if (!header) return { path: 'file', why: 'no-vault' }
  const info = await readAgentInfo(agentEndpoint(header.vaultId))
  if (!info || !alive(info.pid)) return { path: 'file', why: 'no-agent' }
  if (info.terminals !== true) return { path: 'file', why: 'no-terminals' }
  if (!info.dpk) return { path: 'file', why: 'locked' }
  // A copy of the vault (its .bak, a backup) has the same id: it is opened as a file, not answered by the live one's agent.
  if (info.path === undefined || (await realPath(vaultPathOf(argv, env))) !== info.path) return { path: 'file', why: 'other-file' }
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
  // One line each, as the approval dialog shows them (a multi-line --notes is not a second line of the command).
  const line = (text: string, max: number) => text.replace(/\s+/g, ' ').slice(0, max) || '-'
  return { command: line(['keyhold', ...argv].join(' '), 200), cwd: line(process.cwd(), 1024), tty, sid, pid: process.pid, ppid: process.ppid }
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

/** Whether `argv` fits one `cli.run` request (messages.ts OP_ARGS: 64 words of 4,096 characters, one frame). */
export function fitsRequest(argv: readonly string[]): boolean {
  return argv.length <= 64 && argv.every((word) => word.length <= 4096) && Buffer.byteLength(JSON.stringify(argv)) <= 48 * 1024
}

async function realPath(path: string): Promise<string> {
  const { realpath } = await import('node:fs/promises')
  return realpath(path).catch(() => path)
}
