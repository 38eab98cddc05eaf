import { Writable } from 'node:stream'
import { KeyholdError } from '../../src-shared/errors'
import type { TerminalClaim } from '../../src-shared/local-access/messages'
import type { TerminalHost, TerminalRun } from '../core/agent/terminals'
import type { Services } from '../core/services'
import type { GlobalOptions } from './context'
import { TerminalUsageError } from '../core/agent/requests'
import { checkLength, UsageError, type InputLine } from './io'
import { Listings } from './listings'
import { runCli } from './program'
import { commandOf, servedInAgent, wordsOf } from './terminal-client'

/** A line of the terminal's standard input, asked for when a command reads one (`--password-stdin`, `--token-stdin`). */
export interface RemoteLines {
  take(line: InputLine): Promise<string>
}

/**
 * The agent's TerminalHost for the CLI's commands: runs `keyhold ARGV` here, on the agent's
 * unlocked services, with the terminal's folder for relative paths, its output streamed back,
 * its standard input read a line at a time from the terminal, and the CLI as the actor of
 * whatever the command records.
 */
export function cliTerminalHost(services: Services, allow: (claim: TerminalClaim, signal: AbortSignal) => Promise<boolean>): TerminalHost {
  const warm = warmSearchIndex(services)
  const listings = listingsOf(services)
  return {
    allow,
    async run(run: TerminalRun): Promise<number> {
      // A first look; commander's own reading of the line is checked before the action runs (checkInAgent).
      if (!servedInAgent(wordsOf(run.argv))) throw new KeyholdError('INVALID_INPUT', `\`keyhold ${commandOf(run.argv) ?? ''}\` does not run in the agent. Run it with --no-agent.`)
      const out = (fd: 1 | 2) =>
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            run.write(fd, chunk).then(() => done(), done)
          },
        })
      const stdout = out(1)
      const stderr = out(2)
      // The terminal's "no more input" is the CLI's usage error, as it would be there.
      const asCli = (error: unknown) => {
        throw error instanceof TerminalUsageError ? new UsageError(error.message) : error
      }
      const lines: RemoteLines = {
        take: async (line) => {
          const text = await run.readLine(line.what, line.max).catch(asCli)
          checkLength(line, text)
          return text
        },
      }
      const status = await services.activity.as({ type: 'cli' }, () =>
        runCli(run.argv, {
          stdout,
          stderr,
          stdin: process.stdin,
          env: {},
          host: { services, cwd: run.cwd, prompt: (question) => run.prompt(question).catch(asCli), lines, columns: run.columns, listings },
        }),
      )
      await Promise.all([finished(stdout), finished(stderr)])
      // After the answer is sent: the search index and the kept lists catch up with what the command changed.
      setImmediate(() => {
        warm()
        listings.refreshLater()
      })
      return status
    },
  }
}

/**
 * Builds the search index in the background whenever the vault is open here, as the app's
 * first page does (SecretsService.list prewarms it), and again after a command if the vault was
 * reloaded meanwhile: a terminal's `secret list --search` or `--tag` (listOnce) is then answered
 * from the index instead of scanning every secret's text each time (about 500 ms at 100,000
 * secrets). The index holds no client secret or notes and is dropped at lock. Returns the
 * check to run after each command.
 */
function warmSearchIndex(services: Services): () => void {
  // One per services: the app makes a new host each time its agent starts, and an unlock
  // listener per host would pile up for the life of the app.
  const known = warmers.get(services)
  if (known) return known
  // The index mirrors one database: a new one (an unlock, or the file reloaded after another
  // process saved it) is warmed again. Held weakly: a closed database is not kept for this.
  let warmedFor: WeakRef<object> | null = null
  const warm = () => {
    if (!services.vault.isUnlocked) return
    const db = services.vault.vault().read((current) => current)
    if (warmedFor?.deref() === db) return
    warmedFor = new WeakRef(db)
    services.secrets.list({ limit: 1 }).catch(() => undefined)
  }
  warmers.set(services, warm)
  services.vault.onUnlock(warm)
  warm()
  return warm
}

const warmers = new WeakMap<Services, () => void>()

/** One Listings per services, as for the warmer: the app makes a host each time its agent starts. */
export function listingsOf(services: Services): Listings {
  let listings = kept.get(services)
  if (!listings) kept.set(services, (listings = new Listings(services)))
  return listings
}

const kept = new WeakMap<Services, Listings>()

function finished(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()))
}

/**
 * Commands that export secrets, manage keys or shorten the activity log: opening the vault
 * file with the master password is their confirmation, so in the agent the password is asked
 * and confirmed instead.
 */
const CONFIRMED: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['secret', new Set(['export'])],
  ['key', new Set(['generate', 'add-external', 'roles', 'activate', 'deactivate', 'remove', 'export-csv'])],
  ['role', new Set(['create', 'delete'])],
  ['audit', new Set(['retention', 'accept-restore'])],
])

/** Whether the command at `path` (as commander found it: `['key', 'generate']`) confirms the master password in the agent. */
export function needsConfirmation(path: readonly string[]): boolean {
  const [command, sub] = path
  return command !== undefined && sub !== undefined && (CONFIRMED.get(command)?.has(sub) ?? false)
}

/**
 * Checked in the agent before a command's action runs, on commander's own reading of the line
 * (the program's options may come anywhere): the command is one the agent serves, it acts on
 * the agent's vault and as the person (no --app-key, --pairing or --no-agent). Returns whether
 * the master password is to be confirmed.
 */
export async function checkInAgent(services: Services, path: readonly string[], options: GlobalOptions, resolvePath: (given: string) => string): Promise<boolean> {
  if (!servedInAgent(path)) throw new KeyholdError('INVALID_INPUT', `\`keyhold ${path.join(' ')}\` does not run in the agent. Run it with --no-agent.`)
  if (options.appKey !== undefined || options.pairing !== undefined || options.agent === false)
    throw new KeyholdError('INVALID_INPUT', 'In the agent, a command acts as you: --app-key, --pairing and --no-agent do not apply. Run it again without the agent.')
  if (options.vault !== undefined) {
    const { realpath } = await import('node:fs/promises')
    const real = (path: string) => realpath(path).catch(() => path)
    if ((await real(resolvePath(options.vault))) !== (await real(services.vault.path)))
      throw new KeyholdError('INVALID_INPUT', `The agent holds another vault file than --vault ${options.vault}. Run the command with --no-agent to open that file.`)
  }
  return needsConfirmation(path)
}
