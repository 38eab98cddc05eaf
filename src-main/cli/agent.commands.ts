import { constants, promises as fs } from 'node:fs'
import { isIP } from 'node:net'
import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { CompanionError, openAppKeySession, openSession, pair, readPairingInput, type PairedIdentity, type Session } from '../../src-shared/local-access/client'
import { deviceClaimSchema, pairingViewSchema, PLATFORMS, REFUSAL } from '../../src-shared/local-access/messages'
import { LocalAgent } from '../core/agent/agent'
import { agentEndpoint, readAgentInfo } from '../core/agent/agent-paths'
import { isServable, servableAddresses } from '../core/agent/network/addresses'
import { servePhones } from '../core/agent/network/serve-phones'
import { connectSocket } from '../core/agent/socket-transport'
import { fileSystemError } from '../core/vault/fs-errors'
import { defaultVaultPath } from '../core/vault/paths'
import { Vault } from '../core/vault/vault'
import { parseInteger, type CliContext } from './context'
import { runNativeHost } from './native-host'
import { oneLine } from './helpers'
import { TerminalApprover } from './terminal-approver'

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

/** Where `keyhold connect` keeps this terminal's pairing of a vault, unless --save says otherwise. */
export function defaultPairingFile(vaultId: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(defaultVaultPath(env)), 'connections', `${vaultId}.json`)
}

const identitySchema = z.object({
  v: z.literal(1),
  vaultId: z.string().max(64),
  desktopKey: z.string().length(43),
  privateKey: z.string().length(43),
  pairing: pairingViewSchema,
})

/** Saves a pairing's identity: mode 0600, never over an existing file (its private key is a secret). */
/**
 * Reserves the pairing file before pairing: created empty, exclusively (never over a file or
 * through a link), mode 0600, so a pairing is never approved that cannot be kept. Returns the
 * handle that `keep` writes the identity through.
 */
async function reserveIdentityFile(path: string): Promise<fs.FileHandle> {
  try {
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 })
    return await fs.open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new KeyholdError('CONFLICT', `${path} already exists. Sign that pairing out first (\`keyhold --pairing ${path} disconnect\`), or pass --save with another file.`)
    throw fileSystemError(error, { writing: `the pairing file ${path}`, folder: dirname(path) })
  }
}

async function loadIdentity(path: string): Promise<PairedIdentity> {
  let text: string
  try {
    text = await fs.readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new KeyholdError('NOT_FOUND', `There is no pairing file at ${path}. Pair this terminal first with \`keyhold connect --code CODE\`.`)
    throw fileSystemError(error, { reading: `the pairing file ${path}` })
  }
  let parsed: z.infer<typeof identitySchema>
  try {
    parsed = identitySchema.parse(JSON.parse(text))
  } catch {
    throw new KeyholdError('INVALID_INPUT', `${path} is not a Keyhold pairing file. Pair again with \`keyhold connect --code CODE\`.`)
  }
  const { v: _v, ...identity } = parsed
  return identity
}

/** The application key the command acts as: --app-key, else $KEYHOLD_APP_KEY (a CI job's setting); undefined for neither. */
export function appKeyOf(ctx: CliContext): string | undefined {
  return ctx.options.appKey ?? (ctx.env.KEYHOLD_APP_KEY || undefined)
}

/** A session on the running agent as --app-key / $KEYHOLD_APP_KEY, or as the --pairing file. */
async function agentSession(ctx: CliContext): Promise<Session> {
  if (appKeyOf(ctx)) return appKeySession(ctx)
  const identity = await loadIdentity(ctx.options.pairing!)
  try {
    return await openSession(await connectSocket(agentEndpoint(identity.vaultId)), identity)
  } catch (error) {
    throw asKeyholdError(error)
  }
}

/**
 * A session on the running agent as the application key of --app-key (or $KEYHOLD_APP_KEY),
 * with its token from the next stdin line (--token-stdin) or $KEYHOLD_APP_TOKEN (a CI job's
 * secret variable). Never from an option: a command line is visible to every process. Pinned
 * to the key the agent published.
 */
export async function appKeySession(ctx: CliContext): Promise<Session> {
  const appKey = appKeyOf(ctx)
  if (!appKey) throw new KeyholdError('INVALID_INPUT', 'Give the application key with --app-key KEY (or in $KEYHOLD_APP_KEY).')
  const fromEnv = ctx.env.KEYHOLD_APP_TOKEN
  if (!ctx.options.tokenStdin && !fromEnv)
    throw new KeyholdError('INVALID_INPUT', 'Give the token on standard input with --token-stdin (one line), or in $KEYHOLD_APP_TOKEN, so it stays out of the process list.')
  const token = ctx.options.tokenStdin ? await ctx.stdin.take({ what: 'the token', max: 200 }) : fromEnv!
  if (token.length > 200) throw new KeyholdError('INVALID_INPUT', '$KEYHOLD_APP_TOKEN is too long to be a token (at most 200 characters). Check what the variable holds.')
  const vaultId = await vaultIdOf(ctx)
  const endpoint = agentEndpoint(vaultId)
  const info = readAgentInfo(endpoint)
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
  const session = await agentSession(ctx)
  try {
    return await fn(session)
  } catch (error) {
    throw asKeyholdError(error)
  } finally {
    session.close()
  }
}

const platform = (): (typeof PLATFORMS)[number] => {
  const map: Record<string, (typeof PLATFORMS)[number]> = { linux: 'linux', darwin: 'macos', win32: 'windows' }
  return map[process.platform] ?? 'other'
}

/** `keyhold agent` and `keyhold connect`. */
export function registerAgentCommands(
  program: Command,
  ctx: CliContext,
  io: { stderr: NodeJS.WritableStream; stdout: NodeJS.WritableStream; stdin: NodeJS.ReadableStream },
): void {
  program
    .command('agent')
    .description('serve this vault to paired apps and application keys on the local socket, until Ctrl+C')
    .addHelpText('after', `
Examples:
  keyhold agent
  keyhold agent --lock-after 60
  keyhold agent --ask
  keyhold agent --phones
  keyhold agent --phones-address 192.168.1.20`)
    .option('--lock-after <MINUTES>', 'lock after this many minutes without a request (default 15)', parseInteger('--lock-after'))
    .option('--phones', "also serve phones on this computer's private network addresses (WebSocket over TLS, pinned; until the vault locks)")
    .option('--phones-address <IP>', 'serve phones on this address only (a private or loopback address of this computer; repeatable)', collect, [] as string[])
    .option('--exit-on-lock', 'stop when the vault locks (how `keyhold unlock` starts it)')
    .option('--ask', "ask here before a terminal's first command runs (else this account's terminals are allowed: you started the agent)")
    .action(async (opts: { lockAfter?: number; phones?: boolean; phonesAddress: string[]; exitOnLock?: boolean; ask?: boolean }) => {
      const minutes = opts.lockAfter ?? 15
      if (minutes < 1 || minutes > 24 * 60) throw new KeyholdError('INVALID_INPUT', '--lock-after must be between 1 and 1440 minutes.')
      const phoneAddresses = opts.phones || opts.phonesAddress.length > 0 ? phonesAddresses(opts.phonesAddress) : null
      const services = await ctx.unlocked({ autoLockMs: minutes * 60_000 })
      // This person's terminals run their commands here without asking (they started it with the master
      // password), unless --ask: then each new terminal is asked about on this one (docs/terminal-sessions.md §3).
      const { cliTerminalHost } = await import('./terminal-host')
      const approver = new TerminalApprover(ctx, io.stderr)
      const agent = new LocalAgent({
        services,
        clock: services.clock,
        approver,
        holder: 'agent',
        software: SOFTWARE,
        activity: () => services.vault.activity(),
        terminals: cliTerminalHost(services, opts.ask ? (claim, signal) => approver.approveTerminal(claim, signal) : async () => true),
      })
      const endpoint = await agent.start()
      let stopped: () => void = () => undefined
      let stopping = false
      services.vault.onLock(() => {
        if (stopping) return
        // Phones are never served while locked (docs/pairing-protocol.md §2.4.4).
        void agent.stopNetwork()
        if (opts.exitOnLock) {
          io.stderr.write('The vault locked; the agent stops.\n')
          stopped()
          return
        }
        io.stderr.write(`The vault locked after ${minutes} minutes without requests; requests now get VAULT_LOCKED. Stop this agent (Ctrl+C) and start it again to unlock.\n`)
      })
      if (phoneAddresses) {
        try {
          await servePhones(agent, services.vault.vault(), phoneAddresses)
        } catch (error) {
          await agent.stop()
          if ((error as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL')
            throw new KeyholdError('INVALID_INPUT', 'A --phones-address is not an address of this computer. See `ip addr` for its addresses, then try again.')
          throw error
        }
      }
      const phones = agent.network ? { hosts: agent.network.hosts, fp: agent.network.fingerprint } : null
      ctx.print({ vault: services.vault.vault().id, socket: endpoint.socket, pid: process.pid, ...(phoneAddresses && { phones }) }, () =>
        [
          `Serving vault ${services.vault.vault().id} on ${endpoint.socket}. Press Ctrl+C to stop.`,
          ...(phones ? [`Phones on this network reach it at ${phones.hosts.join(', ')} (certificate fingerprint ${phones.fp}); \`keyhold app new --type mobile\` puts this in the QR code.`] : []),
        ].join('\n'),
      )
      await new Promise<void>((resolve) => {
        stopped = () => resolve()
        process.once('SIGINT', stopped)
        process.once('SIGTERM', stopped)
      })
      stopping = true
      await agent.stop()
      io.stderr.write('Agent stopped.\n')
    })

  program
    .command('connect')
    .description('pair this terminal with the running Keyhold app or agent, by an authorization key from My apps')
    .addHelpText('after', `
Examples:
  keyhold connect --code 0CTP-Q855-ZXR2-GSR3-3975-SKS6-5054 --name build-box
  keyhold connect --code "$PAIRING_URI" --save ./build-box.pairing.json
  keyhold --pairing ./build-box.pairing.json secret list`)
    .requiredOption('--code <CODE>', 'the authorization key: the code under the QR code, or the pairing URI')
    .option('--name <N>', 'how this device is named in the approval dialog (default: the host name)')
    .option('--save <FILE>', "where to keep this terminal's pairing (mode 0600; default: connections/<vault id>.json in Keyhold's data folder)")
    .action(async (opts: { code: string; name?: string; save?: string }) => {
      let input
      try {
        input = readPairingInput(opts.code)
      } catch (error) {
        throw asKeyholdError(error)
      }
      const name = opts.name ?? (hostname().slice(0, 64) || 'terminal')
      const claim = { device: { name, platform: platform() }, software: SOFTWARE, kind: 'cli' as const }
      if (!deviceClaimSchema.safeParse(claim).success)
        throw new KeyholdError('INVALID_INPUT', 'The --name must be one line of 1 to 64 characters, without control characters. Choose a shorter or plainer name.')
      const vaultId = input.vaultId ?? (await vaultIdOf(ctx))
      const file = opts.save ?? defaultPairingFile(vaultId, ctx.env)
      const handle = await reserveIdentityFile(file)
      let kept = false
      let phraseShown = false
      try {
        const { identity, session } = await pair(await connectSocket(agentEndpoint(vaultId)), input, {
          claim,
          onPhrase: (phrase, offer) => {
            phraseShown = true
            io.stderr.write(`Pairing with "${oneLine(offer.app.name)}" in vault ${offer.vault}.\nCheck phrase: ${phrase}\nCheck that Keyhold shows the same four words, then approve there.\n`)
          },
          onWaiting: (ms) => io.stderr.write(`Waiting for approval (up to ${Math.round(ms / 60_000)} minutes)...\n`),
        }).catch((error: unknown) => {
          // The check phrase was shown, then the key was refused: another device may be the one in the dialog.
          if (phraseShown && error instanceof CompanionError && error.code === 'FORBIDDEN' && error.message === REFUSAL.pair)
            throw new KeyholdError('FORBIDDEN', 'Pairing failed. If Keyhold on your computer is asking you to approve a device now, deny it.')
          throw error
        })
        try {
          await handle.writeFile(`${JSON.stringify({ v: 1, ...identity }, null, 2)}\n`)
          await handle.sync()
          kept = true
        } catch (error) {
          // A pairing that cannot be kept is signed out again, rather than left approved and unusable.
          await session.signOut().catch(() => undefined)
          throw fileSystemError(error, { writing: `the pairing file ${file}`, folder: dirname(file) })
        }
        session.close()
        const { pairing } = identity
        ctx.print(
          { pairing: pairing.id, app: pairing.app, scope: pairing.scope, reveal: pairing.reveal, expiresAt: pairing.expiresAt, file },
          () =>
            [
              `Paired: "${oneLine(pairing.app.name)}" may read ${pairing.scope.secrets === 'all' ? 'every API secret' : `API secrets tagged ${pairing.scope.tags.join(', ')}`}${pairing.expiresAt ? ` until ${pairing.expiresAt}` : ''}. It is listed in Settings > Connected apps.`,
              `The pairing is saved in ${file}. Read through it with \`keyhold --pairing ${file} secret list\`; end it with \`keyhold --pairing ${file} disconnect\`.`,
            ].join('\n'),
        )
      } catch (error) {
        throw asKeyholdError(error)
      } finally {
        await handle.close()
        if (!kept) await fs.rm(file, { force: true })
      }
    })

  program
    .command('native-host')
    .description("the browser extension's native messaging host (the browser starts it; not for typing)")
    .addHelpText('after', `
Examples:
  keyhold browser install   # then the browser starts keyhold native-host itself`)
    .argument('[caller...]', 'what the browser passes: the calling extension (origin or id)')
    .allowUnknownOption()
    .action(async (caller: string[]) => {
      const status = await runNativeHost({ stdin: io.stdin, stdout: io.stdout }, caller)
      if (status !== 0) throw new KeyholdError('PROTOCOL_ERROR', 'The native messaging host stopped on bad input (the browser was told why).')
    })

  program
    .command('disconnect')
    .description("sign this terminal's pairing out (it ends for good) and delete its file")
    .addHelpText('after', `
Examples:
  keyhold --pairing ./build-box.pairing.json disconnect`)
    .action(async () => {
      const file = ctx.options.pairing
      if (!file) throw new KeyholdError('INVALID_INPUT', 'Name the pairing file with --pairing FILE (keyhold connect printed it).')
      const identity = await loadIdentity(file)
      let ended = false
      await throughAgent(ctx, (session) => session.signOut()).catch((error: unknown) => {
        // Already ended in Keyhold (revoked, expired, idle): the file is of no use any more.
        if (error instanceof KeyholdError && error.code === 'FORBIDDEN') ended = true
        else throw error
      })
      await fs.rm(file, { force: true })
      ctx.print({ pairing: identity.pairing.id, signedOut: !ended, alreadyEnded: ended }, () =>
        ended
          ? `The pairing "${oneLine(identity.pairing.app.name)}" had already ended in Keyhold; ${file} was deleted.`
          : `Signed out: "${oneLine(identity.pairing.app.name)}" can no longer connect, and ${file} was deleted.`,
      )
    })
}

/** `--phones-address` values (checked: private or loopback), or every such address of this computer. */
function phonesAddresses(given: readonly string[]): string[] {
  if (given.length === 0) {
    const found = servableAddresses().map((a) => a.address)
    if (found.length === 0) throw new KeyholdError('INVALID_INPUT', 'This computer has no private network address for phones to reach. Connect to your local network, then try again.')
    return found
  }
  for (const address of given)
    if (address.includes('%') || isIP(address) === 0 || !isServable(address))
      throw new KeyholdError('INVALID_INPUT', `--phones-address ${oneLine(address).slice(0, 64)} is not a private or loopback IP address. Use one of this computer's addresses on your local network (e.g. 192.168.1.20).`)
  return [...new Set(given)]
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
