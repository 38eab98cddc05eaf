import { hostname } from 'node:os'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { CompanionError, openAppKeySession, pair, readPairingInput, type Session } from '../../src-shared/local-access/client'
import { PLATFORMS } from '../../src-shared/local-access/messages'
import type { PairingDecision, RevealDecision } from '../../src-shared/types/agent'
import { LocalAgent } from '../core/agent/agent'
import { agentEndpoint, readAgentInfo } from '../core/agent/agent-paths'
import type { Approver, PairingRequest, RevealRequest } from '../core/agent/approvals'
import { connectSocket } from '../core/agent/socket-transport'
import { Vault } from '../core/vault/vault'
import { parseInteger, type CliContext } from './context'
import { oneLine } from './helpers'

const SOFTWARE = 'keyhold-cli/1'

/** A companion's refusal in the CLI's words: the same code, its message. */
function asKeyholdError(error: unknown): unknown {
  if (error instanceof CompanionError) {
    const code = error.code === 'CLOSED' ? 'AGENT_NOT_RUNNING' : error.code
    return new KeyholdError(code as never, error.message)
  }
  return error
}

/** The vault id of --vault's file, which names the agent's socket. */
async function vaultIdOf(ctx: CliContext): Promise<string> {
  const header = await Vault.peek(ctx.vaultPath).catch(() => null)
  if (!header) throw new KeyholdError('VAULT_NOT_FOUND', `There is no vault at ${ctx.vaultPath}. Pass --vault PATH (the vault the agent serves).`)
  return header.vaultId
}

/**
 * A session on the running agent as the application key of --app-key, with its token from
 * the next stdin line (--token-stdin). Pinned to the key the agent published.
 */
export async function appKeySession(ctx: CliContext): Promise<Session> {
  const { appKey, tokenStdin } = ctx.options
  if (!appKey) throw new KeyholdError('INVALID_INPUT', 'Give the application key with --app-key KEY.')
  if (!tokenStdin) throw new KeyholdError('INVALID_INPUT', 'Give the token on standard input with --token-stdin (one line), so it stays out of the process list.')
  const token = await ctx.stdin.take({ what: 'the token', max: 200 })
  const vaultId = await vaultIdOf(ctx)
  const endpoint = agentEndpoint(vaultId)
  const info = await readAgentInfo(endpoint)
  if (!info) throw new KeyholdError('AGENT_NOT_RUNNING', 'Nothing is serving this vault: start the Keyhold app (with Connected apps on) or run `keyhold agent`, then try again.')
  if (!info.dpk) throw new KeyholdError('VAULT_LOCKED', 'The vault is locked. Unlock Keyhold, then try again.')
  try {
    return await openAppKeySession(await connectSocket(endpoint), { vaultId, desktopKey: info.dpk }, { key: appKey, token })
  } catch (error) {
    throw asKeyholdError(error)
  }
}

/** Runs `fn` on an app-key session, turning companion errors into the CLI's. */
export async function throughAgent<T>(ctx: CliContext, fn: (session: Session) => Promise<T>): Promise<T> {
  const session = await appKeySession(ctx)
  try {
    return await fn(session)
  } catch (error) {
    throw asKeyholdError(error)
  } finally {
    session.close()
  }
}

/**
 * The headless agent's approver: it asks on its own terminal (stderr), and reads each answer
 * as the next line of standard input, one question at a time.
 */
class TerminalApprover implements Approver {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly ctx: CliContext,
    private readonly err: NodeJS.WritableStream,
  ) {}

  approvePairing(request: PairingRequest, signal: AbortSignal): Promise<PairingDecision> {
    return this.ask(signal, { approved: false }, () => {
      const { app, claim } = request
      this.err.write(
        [
          '',
          `Pairing request for "${oneLine(app.name)}" (${app.type === 'mobile' ? 'Mobile app' : 'Extension'})`,
          `  The device says: ${oneLine(claim.device.name)} (${claim.device.platform}), ${oneLine(claim.software)}, ${claim.kind}`,
          `  Check phrase: ${request.phrase}`,
          '  Approve only if the device shows the same four words.',
          'Answer "all" (every API secret), "tags T1,T2" (only those tags), optionally followed by " allow" to reveal client secrets without asking; anything else denies:',
          '',
        ].join('\n'),
      )
    }, (answer) => parseApproval(answer))
  }

  confirmReveal(request: RevealRequest, signal: AbortSignal): Promise<RevealDecision> {
    return this.ask(signal, 'deny' as RevealDecision, () => {
      this.err.write(
        `\n${oneLine(request.pairing.deviceName)} (${oneLine(request.pairing.appName)}) wants the client secret of "${oneLine(request.secret.name)}". Answer "once", "10m" (allow for 10 minutes) or anything else to deny:\n`,
      )
    }, (answer) => (answer === 'once' ? 'once' : answer === '10m' ? 'ten-minutes' : 'deny'))
  }

  requestUnlock(): void {}

  private ask<D>(signal: AbortSignal, refused: D, show: () => void, read: (answer: string) => D): Promise<D> {
    const turn = this.queue.then(async () => {
      if (signal.aborted) return refused
      show()
      const answer = await this.ctx.stdin.take({ what: 'the answer', max: 1_000 }).catch(() => '')
      if (signal.aborted) {
        this.err.write('(That question had already timed out or was cancelled; the answer was not used.)\n')
        return refused
      }
      return read(answer.trim())
    })
    this.queue = turn.catch(() => undefined)
    return turn
  }
}

/** "all", "tags a,b", each optionally with " allow". */
export function parseApproval(answer: string): PairingDecision {
  const match = /^(all|tags\s+(\S.*?))(\s+allow)?$/i.exec(answer)
  if (!match) return { approved: false }
  const reveal = match[3] ? 'allow' : 'ask'
  if (match[1]!.toLowerCase() === 'all') return { approved: true, scope: { secrets: 'all' }, reveal }
  const tags = match[2]!
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .slice(0, 20)
  if (tags.length === 0 || tags.some((t) => t.length > 50)) return { approved: false }
  return { approved: true, scope: { secrets: 'tagged', tags }, reveal }
}

const platform = (): (typeof PLATFORMS)[number] => {
  const map: Record<string, (typeof PLATFORMS)[number]> = { linux: 'linux', darwin: 'macos', win32: 'windows' }
  return map[process.platform] ?? 'other'
}

/** `keyhold agent` and `keyhold connect`. */
export function registerAgentCommands(program: Command, ctx: CliContext, io: { stderr: NodeJS.WritableStream }): void {
  program
    .command('agent')
    .description('serve this vault to paired apps and application keys on the local socket, until Ctrl+C')
    .option('--lock-after <MINUTES>', 'lock after this many minutes without a request (default 15)', parseInteger('--lock-after'))
    .action(async (opts: { lockAfter?: number }) => {
      const minutes = opts.lockAfter ?? 15
      if (minutes < 1 || minutes > 24 * 60) throw new KeyholdError('INVALID_INPUT', '--lock-after must be between 1 and 1440 minutes.')
      const services = await ctx.unlocked({ autoLockMs: minutes * 60_000 })
      const agent = new LocalAgent({
        services,
        clock: services.clock,
        approver: new TerminalApprover(ctx, io.stderr),
        holder: 'agent',
        software: SOFTWARE,
        activity: () => services.vault.activity(),
      })
      const endpoint = await agent.start()
      services.vault.onLock(() => {
        io.stderr.write(`The vault locked after ${minutes} minutes without requests; requests now get VAULT_LOCKED. Stop this agent (Ctrl+C) and start it again to unlock.\n`)
      })
      ctx.print({ vault: services.vault.vault().id, socket: endpoint.socket, pid: process.pid }, () => `Serving vault ${services.vault.vault().id} on ${endpoint.socket}. Press Ctrl+C to stop.`)
      await new Promise<void>((resolve) => {
        const stop = () => resolve()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      await agent.stop()
      io.stderr.write('Agent stopped.\n')
    })

  program
    .command('connect')
    .description('pair this terminal with the running Keyhold app or agent, by an authorization key from My apps')
    .requiredOption('--code <CODE>', 'the authorization key: the code under the QR code, or the pairing URI')
    .option('--name <N>', 'how this device is named in the approval dialog (default: the host name)')
    .action(async (opts: { code: string; name?: string }) => {
      let input
      try {
        input = readPairingInput(opts.code)
      } catch (error) {
        throw asKeyholdError(error)
      }
      const name = (opts.name ?? hostname()).trim().slice(0, 64) || 'terminal'
      const vaultId = input.vaultId ?? (await vaultIdOf(ctx))
      try {
        const { identity, session } = await pair(await connectSocket(agentEndpoint(vaultId)), input, {
          claim: { device: { name, platform: platform() }, software: SOFTWARE, kind: 'cli' },
          onPhrase: (phrase, offer) =>
            io.stderr.write(`Pairing with "${oneLine(offer.app.name)}" in vault ${offer.vault}.\nCheck phrase: ${phrase}\nCheck that Keyhold shows the same four words, then approve there.\n`),
          onWaiting: (ms) => io.stderr.write(`Waiting for approval (up to ${Math.round(ms / 60_000)} minutes)...\n`),
        })
        session.close()
        const { pairing } = identity
        ctx.print(
          { pairing: pairing.id, app: pairing.app, scope: pairing.scope, reveal: pairing.reveal, expiresAt: pairing.expiresAt },
          () =>
            `Paired: "${oneLine(pairing.app.name)}" may read ${pairing.scope.secrets === 'all' ? 'every API secret' : `API secrets tagged ${pairing.scope.tags.join(', ')}`}${pairing.expiresAt ? ` until ${pairing.expiresAt}` : ''}. It is listed in Settings > Connected apps.`,
        )
      } catch (error) {
        throw asKeyholdError(error)
      }
    })
}
