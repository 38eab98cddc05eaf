import type { TerminalClaim } from '../../../src-shared/local-access/messages'
import type { Clock } from '../ports'

/**
 * Terminal sessions (docs/terminal-sessions.md): a `keyhold` command of this user's terminal
 * runs in the agent's core instead of opening the vault with the master password.
 */

/** One command to run for a terminal, and how it talks back to it. */
export interface TerminalRun {
  argv: string[]
  cwd: string
  columns?: number
  /** Sends output to the terminal; resolves once the connection can take more. */
  write(fd: 1 | 2, data: Uint8Array): Promise<void>
  /** Asks the person on the terminal, hidden (the master password to confirm an export); its answer. */
  prompt(question: string): Promise<string>
  /** The next line of the terminal's standard input (`--password-stdin`, `--token-stdin`), at most `max` characters. */
  readLine(what: string, max: number): Promise<string>
  /** Aborted when the terminal goes away. */
  signal: AbortSignal
}

/**
 * What serves terminals in an agent: whoever started the agent provides it (the CLI's command
 * program runs in the agent; the core does not know it). Absent: terminals are refused.
 */
export interface TerminalHost {
  /** Whether the person allows this terminal: the app asks in its window; `keyhold agent` allows. */
  allow(claim: TerminalClaim, signal: AbortSignal): Promise<boolean>
  /** Runs one command; its exit status. */
  run(run: TerminalRun): Promise<number>
}

/** How long a terminal stays allowed: renewed by each request, up to its lifetime; every grant ends at lock. */
export const GRANT_IDLE_MS = 10 * 60 * 1000
export const GRANT_LIFETIME_MS = 12 * 60 * 60 * 1000

/** Which terminal a claim speaks for: its session and tty when known, else its shell (the parent process). */
export function grantKey(claim: TerminalClaim): string {
  return claim.sid !== null && claim.tty !== null ? `sid:${claim.sid}:${claim.tty}` : `ppid:${claim.ppid}`
}

/**
 * The command a terminal's claim names, as its first words (`secret get`, `info`): at most
 * two, each a command's name; the program's options and everything after are left out
 * (arguments and values may be anything the person typed). For the activity log.
 */
export function commandWords(command: string): string {
  const words: string[] = []
  const tokens = command.split(/\s+/).filter(Boolean)
  for (let i = tokens[0] === 'keyhold' ? 1 : 0; i < tokens.length && words.length < 2; i++) {
    const token = tokens[i]!
    if (token === '--vault' || token === '--app-key' || token === '--pairing') i++
    else if (token.startsWith('-')) continue
    else if (/^[a-z][a-z-]{0,30}$/.test(token)) words.push(token)
    else break
  }
  return words.join(' ') || '-'
}

/** At most this many terminals are asked about at once; more is RATE_LIMITED at once (a local process cannot queue dialogs without end). */
export const MAX_TERMINALS_ASKED = 3

/** The terminals allowed now, in memory only, and the questions about terminals under way. */
export class TerminalGrants {
  private readonly grants = new Map<string, { until: number; idleUntil: number }>()
  /** The question under way for each terminal: a second command of the same terminal waits for its answer instead of asking again. */
  readonly asking = new Map<string, Promise<boolean>>()

  constructor(private readonly clock: Clock) {}

  /** Allows the terminal `key`: until its lifetime ends, and while it is used. */
  grant(key: string): { until: string; idleMs: number } {
    const now = this.clock.now()
    const until = now + GRANT_LIFETIME_MS
    this.grants.set(key, { until, idleUntil: now + GRANT_IDLE_MS })
    return { until: new Date(until).toISOString(), idleMs: GRANT_IDLE_MS }
  }

  /** Whether `key` is allowed now; `touch` renews its idle time (a request). */
  allowed(key: string, touch = false): boolean {
    const grant = this.grants.get(key)
    const now = this.clock.now()
    if (!grant || now >= grant.until || now >= grant.idleUntil) {
      this.grants.delete(key)
      return false
    }
    if (touch) grant.idleUntil = Math.min(now + GRANT_IDLE_MS, grant.until)
    return true
  }

  /** The live grant of `key` as a terminal is told it (its lifetime is not renewed by a new connection), or null. */
  current(key: string): { until: string; idleMs: number } | null {
    return this.allowed(key) ? { until: new Date(this.grants.get(key)!.until).toISOString(), idleMs: GRANT_IDLE_MS } : null
  }

  /** Every grant ends (the vault locked). */
  clear(): void {
    this.grants.clear()
  }
}
