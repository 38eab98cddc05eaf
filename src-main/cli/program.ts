import { Command, CommanderError } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { errorLine } from './error-line'
import { version } from '../../package.json'
import { registerAgentCommands } from './agent.commands'
import { registerAuditCommands } from './audit.commands'
import { registerAppKeyCommands } from './app-keys.commands'
import { registerBrowserCommands } from './browser.commands'
import { registerCompletionCommands } from './completion.commands'
import { CliContext, type CliHost } from './context'
import { registerGenerateCommands } from './generate.commands'
import { ExitStatus, StatusError } from './helpers'
import { UsageError } from './io'
import { registerRunCommands } from './run.commands'
import { registerSessionCommands } from './session.commands'
import { route, runThroughAgent } from './terminal-client'
import { checkInAgent } from './terminal-host'
import { registerSecretCommands } from './secrets.commands'
import { registerAppCommands } from './apps.commands'
import { registerVaultCommands } from './vault.commands'

export interface CliIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream
  env: NodeJS.ProcessEnv
  /** Set when the agent runs the command for a terminal (terminal-host.ts). */
  host?: CliHost
}

/**
 * Runs `keyhold ARGS` and returns the exit status: 0 success, 1 a Keyhold error printed as
 * one line `keyhold: CODE: message`, 2 a usage error. Each command group registers itself here.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const output = {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    outputError: (s: string) => io.stderr.write(`keyhold: usage: ${s.replace(/^error: /, '').trim()} (see keyhold --help)\n`),
  }
  const program = new Command('keyhold')
  const ctx = new CliContext(program, io)
  program
    .description('Keyhold: an offline vault for API secrets and application keys')
    .addHelpText('after', `
Examples:
  keyhold init
  keyhold secret add --name 'Stripe payments' --url https://api.stripe.com/v1 --client-id ci_123 --client-secret-stdin
  keyhold secret list --search stripe
  keyhold run --env STRIPE_KEY=keyhold://stripe-prod/client-secret -- node server.js
  keyhold generate --length 40
  keyhold help secret`)
    .option('--vault <PATH>', 'vault file (default: $KEYHOLD_VAULT, else the desktop app\'s vault)')
    .option('--password-stdin', 'read the master password (and then any other secret) from standard input, one per line')
    .option('--json', 'machine-readable output')
    .option('--app-key <KEY>', 'read through the running agent as this application key (secret list, secret get), without the master password')
    .option('--token-stdin', "with --app-key: read the key's token from standard input (one line)")
    .option('--pairing <FILE>', 'read through the running agent as the pairing `keyhold connect` saved in FILE (secret list, secret get)')
    .option('--no-agent', 'open the vault file with the master password even when Keyhold or keyhold agent holds it unlocked (also KEYHOLD_NO_AGENT=1)')
    // Bundled from package.json by scripts/build-cli.mjs: the version of the code that runs.
    .version(version, '-V, --version', 'print the version of keyhold')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput(output)

  registerVaultCommands(program, ctx)
  registerAppKeyCommands(program, ctx)
  registerSecretCommands(program, ctx)
  registerAppCommands(program, ctx)
  registerAgentCommands(program, ctx, io)
  registerBrowserCommands(program, ctx)
  registerAuditCommands(program, ctx)
  registerRunCommands(program, ctx)
  registerSessionCommands(program, ctx)
  registerGenerateCommands(program, ctx)
  registerCompletionCommands(program, ctx)
  // In the agent, commander's own reading of the line decides what may run and what is confirmed.
  if (io.host) {
    const host = io.host
    program.hook('preAction', async (_program, action) => {
      const path: string[] = []
      for (let command: Command | null = action; command?.parent; command = command.parent) path.unshift(command.name())
      ctx.confirmInAgent = await checkInAgent(host.services, path, ctx.options, (given) => ctx.path(given))
    })
  }
  program.commands.forEach(function override(command: Command) {
    command.exitOverride()
    command.configureOutput(output)
    command.commands.forEach(override)
  })

  try {
    // Unlock once: with the vault unlocked in Keyhold or keyhold agent, the command runs there (docs/terminal-sessions.md).
    if (!io.host) {
      const routed = await route(argv, io.env)
      const status = routed.path === 'agent' ? await runThroughAgent(routed, argv, io) : null
      if (status !== null) return status
      // Held but locked, and no way to give the password here: say so, rather than "no terminal".
      if (routed.path === 'file' && routed.why === 'locked' && !argv.includes('--password-stdin') && !(io.stdin as { isTTY?: boolean }).isTTY)
        throw new KeyholdError('VAULT_LOCKED', 'Keyhold holds this vault but has it locked. Unlock it in Keyhold (or run `keyhold unlock`), or pass --password-stdin to open the vault file with the master password.')
    }
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0
      return 2
    }
    if (error instanceof ExitStatus) return error.status
    if (error instanceof UsageError) {
      io.stderr.write(`keyhold: usage: ${error.message}\n`)
      return 2
    }
    if (!(error instanceof KeyholdError) && io.env.KEYHOLD_DEBUG) io.stderr.write(`${String((error as Error)?.stack)}\n`)
    io.stderr.write(errorLine(error))
    return error instanceof StatusError ? error.exitStatus : 1
  } finally {
    // What the command recorded reaches the vault (or the activity journal) before it returns.
    // In the agent, the vault is the agent's: it stays open.
    if (!io.host) {
      ctx.services().vault.lock()
      await ctx.services().vault.locked()
      await ctx.services().activity.settled()
    }
  }
}
