import { spawn } from 'node:child_process'
import { constants, promises as fs } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { KeyholdError, toSerializedError } from '../../src-shared/errors'
import { agentEndpoint, readAgentInfo } from '../core/agent/agent-paths'
import { Vault } from '../core/vault/vault'
import { parseInteger, type CliContext } from './context'
import { keyholdArgv } from './self'
import { alive, route, runInAgent, terminalGrant, vaultPathOf, type Route } from './terminal-client'

/** How long `keyhold unlock` waits for the agent it started to have the vault open (the KDF takes seconds). */
const UNLOCK_WAIT_MS = 60_000

const WHY: Record<Extract<Route, { path: 'file' }>['why'], string> = {
  'no-agent-flag': '--no-agent or KEYHOLD_NO_AGENT is set',
  'not-in-agent': 'that command does not run in the agent',
  'no-vault': 'there is no vault file there',
  'no-agent': 'neither the Keyhold app nor keyhold agent holds this vault',
  locked: 'the agent holding this vault has it locked',
  'no-terminals': 'the agent holding this vault does not run terminals\' commands',
  'too-long': 'the command is too long to send to the agent',
  'other-file': 'the agent holds another file of this vault (this one is a copy, such as its .bak)',
  companion: 'it acts as an application key or a pairing (--app-key, $KEYHOLD_APP_KEY, --pairing)',
}

/** The argv of a typical command with this run's global options: what `status` asks `route` about. */
function probeArgv(ctx: CliContext): string[] {
  const { vault, appKey, pairing } = ctx.options
  return [...(vault ? ['--vault', vault] : []), ...(appKey ? ['--app-key', appKey] : []), ...(pairing ? ['--pairing', pairing] : []), ...(ctx.options.agent === false ? ['--no-agent'] : []), 'secret', 'list']
}

/** An instant as this computer's clock reads it: "14:32", or "2026-12-05 02:10" when not today. */
function localTime(iso: string, now = new Date()): string {
  const at = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`
  return at.toDateString() === now.toDateString() ? time : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`
}

/** `keyhold status`, `keyhold unlock`, `keyhold lock` (docs/terminal-sessions.md §1, §5). */
export function registerSessionCommands(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('say which way commands go: through Keyhold or keyhold agent (no password), or the vault file with the master password')
    .addHelpText('after', '\nExamples:\n  keyhold status\n  keyhold --json status\n  keyhold --vault ~/work.keyhold status')
    .action(async () => {
      const path = vaultPathOf(probeArgv(ctx), ctx.env)
      const header = await Vault.peek(path).catch(() => null)
      const info = header ? readAgentInfo(agentEndpoint(header.vaultId)) : null
      const routed = await route(probeArgv(ctx), ctx.env)
      // The agent's facts count when its process lives (a stale file is no agent).
      const agent = info && alive(info.pid) ? info : null
      const holder = agent ? (agent.holder === 'app' ? 'the Keyhold app' : 'keyhold agent') : null
      // This terminal's grant, asked of the agent without asking the person (an application key never routes here).
      // status is how a person finds out what is wrong: the agent's refusal is reported, not thrown.
      let grant: Awaited<ReturnType<typeof terminalGrant>> = null
      let problem: string | null = null
      if (routed.path === 'agent') {
        try {
          grant = await terminalGrant(routed, ['status'], false)
        } catch (error) {
          problem = `${toSerializedError(error).code}: ${toSerializedError(error).message}`
        }
      }
      grant?.session.close()
      const value = {
        vault: path,
        vaultId: header?.vaultId ?? null,
        agent: agent ? { holder: agent.holder, pid: agent.pid, unlocked: agent.dpk !== null, since: agent.since } : null,
        commands: routed.path === 'agent' ? 'agent' : 'vault file',
        ...(routed.path === 'file' && { why: routed.why }),
        ...(grant && { terminal: { allowed: grant.grant !== null, until: grant.grant?.until ?? null } }),
        ...(problem && { terminal: { allowed: null, until: null, problem } }),
      }
      ctx.print(value, () =>
        [
          `Vault      ${path}${header ? ` (${header.vaultId})` : ' (no vault there)'}`,
          `Held by    ${holder ? `${holder}, ${agent!.dpk ? 'unlocked' : 'locked'} (pid ${agent!.pid}, since ${agent!.since.slice(0, 16).replace('T', ' ')} UTC)` : 'nothing: no Keyhold app or keyhold agent has it open'}`,
          routed.path === 'agent'
            ? `Commands   run in ${holder}: no master password (secret, app, key, role, audit, info)`
            : `Commands   open the vault file with the master password, because ${WHY[routed.why]}`,
          ...(problem ? [`Terminal   the agent did not say whether this terminal is allowed: ${problem}`] : []),
          ...(grant ? [`Terminal   ${grant.grant ? `allowed until ${localTime(grant.grant.until)}, or 10 minutes without a command, or until the vault locks` : `not allowed yet: its first command ${agent?.holder === 'app' ? 'asks you in the Keyhold app' : 'is allowed by keyhold agent (asked on its terminal if it runs with --ask)'}`}`] : []),
        ].join('\n'),
      )
    })

  program
    .command('unlock')
    .description('unlock once: start keyhold agent in the background, so the next commands need no master password')
    .option('--lock-after <MINUTES>', 'lock (and stop the agent) after this many minutes without a command (default 15)', parseInteger('--lock-after'))
    .addHelpText('after', '\nExamples:\n  keyhold unlock\n  keyhold unlock --lock-after 60\n  keyhold secret get stripe-prod --field client-secret    (then: no password asked)')
    .action(async (opts: { lockAfter?: number }) => {
      const minutes = opts.lockAfter ?? 15
      if (minutes < 1 || minutes > 24 * 60) throw new KeyholdError('INVALID_INPUT', `--lock-after must be from 1 to 1440 minutes; ${minutes} is not.`)
      const path = ctx.vaultPath
      const header = await Vault.peek(path).catch(() => null)
      if (!header) throw new KeyholdError('VAULT_NOT_FOUND', `There is no vault at ${path}. Create one with \`keyhold init\`, or pass --vault PATH.`)
      const endpoint = agentEndpoint(header.vaultId)
      const running = readAgentInfo(endpoint)
      if (running && alive(running.pid)) {
        if (running.dpk) return ctx.print({ unlocked: true, holder: running.holder, pid: running.pid }, () => `Already unlocked by ${running.holder === 'app' ? 'the Keyhold app' : 'keyhold agent'} (pid ${running.pid}). Commands need no master password.`)
        throw new KeyholdError(
          'CONFLICT',
          running.holder === 'app'
            ? 'The Keyhold app holds this vault and has it locked. Unlock it in the app, or stop the app and run `keyhold unlock` again.'
            : `keyhold agent (pid ${running.pid}) holds this vault and has it locked. Stop it (Ctrl+C where it runs), then run \`keyhold unlock\` again.`,
        )
      }
      const [node, script] = keyholdArgv('Starting the background agent')
      const password = await ctx.password('Master password: ', 'the master password')
      await fs.mkdir(endpoint.folder, { recursive: true, mode: 0o700 })
      const logPath = join(endpoint.folder, `${header.vaultId}.log`)
      const log = await fs.open(logPath, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600)
      const child = spawn(node, [script, '--vault', resolve(path), '--password-stdin', 'agent', '--lock-after', String(minutes), '--exit-on-lock'], {
        detached: true,
        stdio: ['pipe', log.fd, log.fd],
        env: ctx.env,
        // Not the terminal's folder: the agent outlives it, and must not hold it busy.
        cwd: endpoint.folder,
      })
      // An agent that exits at once closes its end: the exit below says why, not an EPIPE.
      child.stdin!.on('error', () => undefined)
      child.stdin!.end(`${password}\n`)
      const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)))
      child.unref()
      await log.close()
      const deadline = Date.now() + UNLOCK_WAIT_MS
      for (;;) {
        const info = readAgentInfo(endpoint)
        if (info?.dpk && info.pid === child.pid) break
        const ended = await Promise.race([exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 100))])
        if (ended !== null) {
          const said = (await fs.readFile(logPath, 'utf8').catch(() => '')).trim().split('\n').pop() ?? ''
          throw new KeyholdError('AGENT_NOT_RUNNING', `The background agent did not start: ${said.replace(/^keyhold: /, '') || `it exited with status ${ended}`}`)
        }
        if (Date.now() > deadline) throw new KeyholdError('TIMEOUT', `The background agent did not unlock the vault within a minute. See ${logPath}.`)
      }
      ctx.print({ unlocked: true, holder: 'agent', pid: child.pid, lockAfterMinutes: minutes }, () => `Unlocked. keyhold agent (pid ${child.pid}) holds the vault until ${minutes} minutes without a command, or \`keyhold lock\`.`)
    })

  program
    .command('lock')
    .description('lock the vault in the Keyhold app or keyhold agent (one that `keyhold unlock` started then stops)')
    .addHelpText('after', '\nExamples:\n  keyhold lock\n  keyhold --vault ~/work.keyhold lock')
    .action(async () => {
      const argv = probeArgv(ctx)
      const routed = await route(argv, ctx.env)
      if (routed.path !== 'agent') return ctx.print({ locked: true, was: null }, () => 'Nothing holds this vault unlocked.')
      // Locking needs no one's permission: a terminal the person has not allowed may still lock.
      const session = (await terminalGrant(routed, ['lock'], false))?.session
      if (!session) return ctx.print({ locked: true, was: null }, () => 'Nothing holds this vault unlocked.')
      const status = await runInAgent(session, ['lock-vault'], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: ctx.env })
      if (status !== 0) throw new KeyholdError('INTERNAL', 'The agent did not lock. Try again.')
      // Done when the agent says so in its facts (or is gone): the next command takes the password.
      const endpoint = agentEndpoint(routed.vaultId)
      for (let waited = 0; waited < 5_000; waited += 50) {
        const info = readAgentInfo(endpoint)
        if (!info || !info.dpk || !alive(info.pid)) break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const holder = routed.info.holder === 'app' ? 'the Keyhold app' : 'keyhold agent'
      ctx.print({ locked: true, was: routed.info.holder }, () => `Locked in ${holder}.`)
    })

  // Run in the agent by `keyhold lock`: the vault locks just after the answer is sent.
  program.command('lock-vault', { hidden: true }).action(() => {
    if (!ctx.host) throw new KeyholdError('INVALID_INPUT', 'Use `keyhold lock`.')
    const { vault } = ctx.host.services
    setTimeout(() => vault.lock(), 50).unref?.()
  })
}
