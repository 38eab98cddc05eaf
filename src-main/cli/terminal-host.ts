import { Writable } from 'node:stream'
import { KeyholdError } from '../../src-shared/errors'
import type { TerminalClaim } from '../../src-shared/local-access/messages'
import type { TerminalHost, TerminalRun } from '../core/agent/terminals'
import type { Services } from '../core/services'
import { TerminalUsageError } from '../core/agent/requests'
import { checkLength, UsageError, type InputLine } from './io'
import { runCli } from './program'
import { AGENT_COMMANDS, commandOf } from './terminal-client'

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
  return {
    allow,
    async run(run: TerminalRun): Promise<number> {
      const command = commandOf(run.argv)
      const sub = command === undefined ? undefined : run.argv.slice(run.argv.indexOf(command) + 1).find((word) => !word.startsWith('-'))
      if (command === undefined || !AGENT_COMMANDS.has(command) || (command === 'secret' && (sub === 'copy' || sub === 'clear-clipboard')))
        throw new KeyholdError('INVALID_INPUT', `\`keyhold ${command ?? ''}\` does not run in the agent. Run it with --no-agent.`)
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
          host: { services, cwd: run.cwd, prompt: (question) => run.prompt(question).catch(asCli), lines, confirm: needsConfirmation(run.argv) },
        }),
      )
      await Promise.all([finished(stdout), finished(stderr)])
      return status
    },
  }
}

function finished(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()))
}

/**
 * Commands that export secrets or manage keys: opening the vault file with the master password
 * is their confirmation, so in the agent the password is asked and confirmed instead.
 */
const CONFIRMED: ReadonlyMap<string, ReadonlySet<string> | 'all'> = new Map<string, ReadonlySet<string> | 'all'>([
  ['secret', new Set(['export'])],
  ['key', new Set(['generate', 'add-external', 'roles', 'activate', 'deactivate', 'remove', 'export-csv'])],
  ['role', new Set(['create', 'delete'])],
])

function needsConfirmation(argv: readonly string[]): boolean {
  const command = commandOf(argv)
  const sub = command === undefined ? undefined : argv.slice(argv.indexOf(command) + 1).find((word) => !word.startsWith('-'))
  const subs = command === undefined ? undefined : CONFIRMED.get(command)
  return subs !== undefined && (subs === 'all' || (sub !== undefined && subs.has(sub)))
}
