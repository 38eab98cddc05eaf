import { realpathSync } from 'node:fs'
import { agentEndpoint, readAgentInfo, type AgentInfo } from '../core/agent/agent-paths'
import { defaultVaultPath } from '../core/vault/paths'
import { peekVaultId } from '../core/vault/peek'

/*
 * Which way a terminal's command goes (docs/terminal-sessions.md §4, §5): to the agent that
 * holds its vault unlocked, or to the vault file. Light on purpose: the fast path
 * (src-main/cli/fast.ts) decides with it before loading anything else.
 */

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
  // Help needs no vault: printed here, never a reason to ask the person to allow this terminal.
  if (hasOption(argv, '--help') || hasOption(argv, '-h')) return { path: 'file', why: 'not-in-agent' }
  if (!fitsRequest(argv)) return { path: 'file', why: 'too-long' }
  const vaultId = peekVaultId(vaultPathOf(argv, env))
  if (!vaultId) return { path: 'file', why: 'no-vault' }
  const info = readAgentInfo(agentEndpoint(vaultId))
  if (!info || !alive(info.pid)) return { path: 'file', why: 'no-agent' }
  if (info.terminals !== true) return { path: 'file', why: 'no-terminals' }
  if (!info.dpk) return { path: 'file', why: 'locked' }
  // A copy of the vault (its .bak, a backup) has the same id: it is opened as a file, not answered by the live one's agent.
  if (info.path === undefined || realPath(vaultPathOf(argv, env)) !== info.path) return { path: 'file', why: 'other-file' }
  return { path: 'agent', info, vaultId }
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

/** Whether `argv` fits one `cli.run` request (messages.ts OP_ARGS: 64 words of 4,096 characters, one frame). */
export function fitsRequest(argv: readonly string[]): boolean {
  return argv.length <= 64 && argv.every((word) => word.length <= 4096) && Buffer.byteLength(JSON.stringify(argv)) <= 48 * 1024
}

/** The path with its links resolved, as the agent gives its own (fs.promises.realpath: the system's realpath). */
function realPath(path: string): string {
  try {
    return realpathSync.native(path)
  } catch {
    return path
  }
}
