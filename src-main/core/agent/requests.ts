import { KeyholdError, type SerializedError } from '../../../src-shared/errors'
import { FrameError, MAX_OUTPUT_BYTES } from '../../../src-shared/local-access/frames'
import { OP_ARGS, type Op, type Request } from '../../../src-shared/local-access/messages'
import { ACTIVITY_EVENTS, type ActivityEvent, type Actor } from '../../../src-shared/types/activity'
import type { SecretId } from '../../../src-shared/types/secrets'
import { describeFields, describeIssues } from '../../../src-shared/validation'
import type { AgentContext, Caller } from './agent-context'

/** A page stops before its JSON passes this many bytes (§8). */
export const MAX_PAGE_BYTES = 60_000
const GRANT_MS = 10 * 60_000

const forbidden = () => new KeyholdError('FORBIDDEN', 'forbidden')

/** Pairings' "Allow for 10 minutes", in memory only, dropped on lock. */
const grants = new WeakMap<AgentContext, Map<string, number>>()
/** One reveal confirmation pending per pairing. */
const asking = new WeakMap<AgentContext, Set<string>>()

/**
 * Runs one request for an authenticated caller (docs/pairing-protocol.md §8). Every request
 * re-checks the caller first: a pairing that ended or expired, or a key that lost its access,
 * ends the connection. SECURITY: a secret out of the caller's scope is answered exactly as a
 * secret that does not exist; a client secret leaves only in `secrets.reveal`'s answer.
 */
export async function runOp(
  ctx: AgentContext,
  caller: Caller,
  request: Request,
  connection: RequestConnection,
): Promise<unknown> {
  const seen: Seen = {}
  // Named before serving: a request that ends its pairing (pairing.signOut) is still logged by its application.
  if (request.op !== 'session.ping' && ctx.services.vault.isUnlocked) actorOf(ctx, caller)
  try {
    const result = await serve(ctx, caller, request, connection, seen)
    logRequest(ctx, caller, request, 'ok', seen)
    return result
  } catch (error) {
    const code = (error as { code?: unknown }).code
    // A reveal the person denied is `denied`; one refused by a rule (scope, an ended pairing, a role) `forbidden`.
    const outcome = deniedByPerson.has(error as Error) ? 'denied' : code === 'FORBIDDEN' || code === 'NOT_FOUND' ? 'forbidden' : 'failed'
    logRequest(ctx, caller, request, outcome, seen)
    throw error
  }
}

/** What a request may do with its connection: end it, learn it went, send it events (paced by `writable`). */
export interface RequestConnection {
  end(event: Record<string, unknown>): void
  signal: AbortSignal
  fromNetwork?: boolean
  notify?(event: Record<string, unknown>): void
  /** Sends a terminal command's output as output frames (docs/terminal-sessions.md §4), at most MAX_OUTPUT_BYTES at a time. */
  output?(fd: 1 | 2, data: Uint8Array): void
  writable?(): Promise<void>
}

/** What serving a request learnt that the log names: the secret's Name (no second read for it). */
interface Seen {
  secretName?: string
}

/** Output events of a terminal's command carry at most this much (base64 keeps a frame under 64 KiB). */
const OUTPUT_CHUNK = 45 * 1024
/** How long a command's question waits for the terminal's answer. */
const PROMPT_MS = 60_000
/** The command running on each terminal connection (one at a time), and its question waiting for an answer. */
const runs = new WeakMap<AbortSignal, { answer: ((input: TerminalInput) => void) | null }>()

/** A terminal's answer: the text, or why it has none (its standard input ended: a usage error, as the CLI says it). */
type TerminalInput = { text: string; error?: undefined; usage?: undefined } | { text?: undefined; error: { code: string; message: string }; usage?: boolean }

/** The terminal's standard input had no line for the command: the CLI's usage error (exit 2). */
export class TerminalUsageError extends Error {}

/** `keyhold lock`'s command in the agent: the one command a terminal without a grant may run. */
const isLockOnly = (argv: unknown): boolean => Array.isArray(argv) && argv.length === 1 && argv[0] === 'lock-vault'

/** A terminal's ops (docs/terminal-sessions.md §4): a command run here, and the answers to its questions. */
async function serveTerminal(ctx: AgentContext, caller: Extract<Caller, { type: 'terminal' }>, op: Op, args: Record<string, unknown>, connection: RequestConnection): Promise<unknown> {
  const terminals = ctx.terminals
  if (!terminals || (op !== 'cli.run' && op !== 'cli.input')) throw forbidden()
  // A lock-only session ran its one command past serve()'s check; any other needs a live grant.
  if (!caller.lockOnly && !terminals.grants.allowed(caller.grant, true)) {
    connection.end({ event: 'terminal.ended', reason: 'expired' })
    throw new KeyholdError('FORBIDDEN', 'This terminal is no longer allowed (10 minutes idle, 12 hours, or the vault locked). Run the command again.')
  }
  if (op === 'cli.input') {
    const state = runs.get(connection.signal)
    if (!state?.answer) throw new KeyholdError('INVALID_INPUT', 'No command is waiting for an answer.')
    const answer = state.answer
    state.answer = null
    answer(args as TerminalInput)
    return {}
  }
  if (runs.has(connection.signal)) throw new KeyholdError('RATE_LIMITED', 'A command is already running on this connection. Wait for it to end.')
  ctx.terminalCommand()
  const state: { answer: ((input: TerminalInput) => void) | null } = { answer: null }
  runs.set(connection.signal, state)
  /** Sends a question (a hidden prompt, or a request for the next line of standard input) and waits for its cli.input. */
  const ask = (event: Record<string, unknown>) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        state.answer = null
        reject(new KeyholdError('TIMEOUT', 'Nobody answered the question on the terminal within a minute. Run the command again.'))
      }, PROMPT_MS)
      timer.unref?.()
      // The terminal went away (Ctrl+C, closed): the command stops at its question.
      const gone = () => {
        clearTimeout(timer)
        state.answer = null
        reject(new KeyholdError('TIMEOUT', 'The terminal went away before it answered.'))
      }
      if (connection.signal.aborted) return gone()
      connection.signal.addEventListener('abort', gone, { once: true })
      state.answer = (input) => {
        connection.signal.removeEventListener('abort', gone)
        clearTimeout(timer)
        if (input.text !== undefined) resolve(input.text)
        else reject(input.usage ? new TerminalUsageError(input.error.message) : new KeyholdError(input.error.code as never, input.error.message))
      }
      connection.notify?.(event)
    })
  try {
    const status = await terminals.host.run({
      argv: args.argv as string[],
      cwd: args.cwd as string,
      columns: args.columns as number | undefined,
      signal: connection.signal,
      write: async (fd, data) => {
        // Output frames when the terminal asked for them, else base64 in events (an older terminal).
        const raw = args.raw === true && connection.output !== undefined
        const chunk = raw ? MAX_OUTPUT_BYTES : OUTPUT_CHUNK
        for (let at = 0; at < data.length; at += chunk) {
          if (connection.signal.aborted) return
          await connection.writable?.()
          if (raw) connection.output!(fd, data.subarray(at, at + chunk))
          else connection.notify?.({ event: 'cli.output', fd, data: Buffer.from(data.subarray(at, at + chunk)).toString('base64') })
        }
      },
      prompt: (question) => ask({ event: 'cli.prompt', prompt: question.slice(0, 200) }),
      readLine: (what, max) => ask({ event: 'cli.stdin', what: what.slice(0, 200), max }),
    })
    return { status }
  } finally {
    runs.delete(connection.signal)
  }
}

/** The errors of reveals the person at the computer denied (logged `denied`, not `forbidden`). */
const deniedByPerson = new WeakSet<Error>()

/** Who each connection's caller is, as the log names it: looked up once per connection, not per request. */
const actors = new WeakMap<Caller, Actor>()

/**
 * Every request of a pairing or an application key goes in the activity log (not the session's
 * pings): who, which op, which secret, and whether it was allowed. SECURITY: the op and the
 * secret's id only, never an argument's value.
 */
function logRequest(ctx: AgentContext, caller: Caller, request: Request, outcome: 'ok' | 'denied' | 'forbidden' | 'failed', seen: Seen): void {
  // A terminal's commands record their own events (with the CLI as actor), not each request.
  if (request.op === 'session.ping' || caller.type === 'terminal' || !ctx.services.vault.isUnlocked) return
  const id = typeof request.args?.id === 'string' && request.args.id.length <= 64 ? request.args.id : undefined
  // The secret's Name as the log shows it (never a field's value); one out of scope or missing has only its id.
  const name = seen.secretName
  const actor = actorOf(ctx, caller)
  ctx.services.activity.record({
    event: caller.type === 'pairing' ? 'pairing.request' : 'appkey.used',
    actor,
    target: id ? { type: 'secret', id, ...(name !== undefined && { name }) } : null,
    outcome,
    detail: { op: String(request.op).slice(0, 40) },
  })
}

/**
 * Who made a request, as the log names it: an application key by its key and label, a pairing
 * by its application in My apps (id and name: one application has one pairing, so its
 * Activity link finds its requests).
 */
function actorOf(ctx: AgentContext, caller: Caller): Actor {
  const known = actors.get(caller)
  if (known) return known
  const actor = lookUpActor(ctx, caller)
  actors.set(caller, actor)
  return actor
}

function lookUpActor(ctx: AgentContext, caller: Caller): Actor {
  if (caller.type === 'terminal') return { type: 'cli' }
  if (caller.type === 'appkey') {
    // Named as the key's other entries name it (app-keys.service.ts logKey): a third-party key has an account, not a label.
    const key = attempt(() => ctx.services.appKeys.get(caller.key))
    const name = key?.label ?? key?.account
    return { type: 'appkey' as const, id: caller.key, ...(name && { name }) }
  }
  const pairing = attempt(() => ctx.services.pairings.record(caller.pairingId))
  return pairing ? { type: 'pairing' as const, id: pairing.appId, name: pairing.appName } : { type: 'pairing' as const, id: caller.pairingId }
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

async function serve(
  ctx: AgentContext,
  caller: Caller,
  request: Request,
  connection: RequestConnection,
  seen: Seen,
): Promise<unknown> {
  const op = request.op as Op
  const parsed = OP_ARGS[op].safeParse(request.args ?? {})
  if (!parsed.success) {
    if (parsed.error.issues.some((issue) => issue.code === 'invalid_type' || issue.code === 'invalid_value')) throw new FrameError('The request has arguments of the wrong type.')
    throw new KeyholdError('INVALID_INPUT', describeIssues(parsed.error), describeFields(parsed.error))
  }
  const args = parsed.data as Record<string, unknown>
  // A terminal that was not to be asked and holds no grant may lock the vault, nothing else:
  // not even a ping, which would count as activity and keep the vault from locking.
  if (caller.type === 'terminal' && caller.lockOnly && !(op === 'cli.run' && isLockOnly(args.argv)))
    throw new KeyholdError('FORBIDDEN', 'This terminal is not allowed to use Keyhold yet. Run the command again to be asked.')
  const { services } = ctx
  ctx.activity()
  if (op === 'session.ping') return { now: new Date(ctx.clock.now()).toISOString() }
  if (op === 'vault.requestUnlock') {
    if (caller.type !== 'pairing') throw forbidden()
    // Nobody on the network brings Keyhold's window up (§2.4.4).
    if (connection.fromNetwork) throw new KeyholdError('FORBIDDEN', 'Keyhold shows its unlock screen only for apps on this computer. Unlock it on the computer.')
    ctx.requestUnlock()
    return {}
  }
  if (!services.vault.isUnlocked) throw new KeyholdError('VAULT_LOCKED', 'The vault is locked. Unlock Keyhold on the computer, then try again.')
  if (caller.type === 'terminal') return serveTerminal(ctx, caller, op, args, connection)
  if (op === 'cli.run' || op === 'cli.input') throw forbidden()

  const pairing = caller.type === 'pairing' ? services.pairings.live(caller.pairingId) : undefined
  if (caller.type === 'pairing') {
    if (!pairing) {
      connection.end({ event: 'pairing.ended', reason: 'revoked' })
      throw forbidden()
    }
    await services.pairings.touch(pairing)
  }
  const presented = caller.type === 'appkey' ? { key: caller.key, token: caller.token } : null

  switch (op) {
    case 'pairing.info':
      if (!pairing) throw forbidden()
      return services.pairings.view(pairing)
    case 'pairing.signOut':
      if (!pairing) throw forbidden()
      await services.pairings.end(pairing.id, 'signed-out')
      return {}
    case 'apps.list':
      if (!presented) throw forbidden()
      await services.appKeys.require(presented, 'apps:read')
      return services.apps.list((args.filter as 'current' | 'inactive' | 'all' | undefined) ?? 'current')
    case 'audit.list': {
      // An application key with audit:read (the "Audit reader" role) reads the activity log; a pairing never does.
      if (!presented) throw forbidden()
      await services.appKeys.require(presented, 'audit:read')
      const event = args.event as string | undefined
      if (event !== undefined && !(ACTIVITY_EVENTS as readonly string[]).includes(event)) throw new KeyholdError('INVALID_INPUT', `The event must be one of ${ACTIVITY_EVENTS.join(', ')}.`)
      return services.activity.list({ since: args.since as string | undefined, event: event as ActivityEvent | undefined, before: args.before as number | undefined, limit: (args.limit as number | undefined) ?? 50 })
    }
  }

  const scope = pairing ? (pairing.scopeAll ? 'all' : pairing.tags) : await services.appKeys.secretsScope(presented!)
  switch (op) {
    case 'secrets.list': {
      const offset = (args.offset as number | undefined) ?? 0
      const page = await services.secrets.listWithin(
        { search: args.query as string | undefined, tag: args.tag as string | undefined, sort: args.sort as 'name' | 'updated' | undefined, offset, limit: (args.limit as number | undefined) ?? 50 },
        scope,
      )
      const items = []
      let bytes = 100
      for (const item of page.items) {
        const size = Buffer.byteLength(JSON.stringify(item)) + 1
        if (bytes + size > MAX_PAGE_BYTES && items.length > 0) break
        items.push(item)
        bytes += size
      }
      const next = offset + items.length
      return { items, total: page.total, offset, nextOffset: next < page.total ? next : null }
    }
    case 'secrets.get': {
      const summary = services.secrets.summaryWithin(args.id as SecretId, scope)
      seen.secretName = summary.name
      return summary
    }
    case 'secrets.reveal': {
      const summary = services.secrets.summaryWithin(args.id as SecretId, scope)
      seen.secretName = summary.name
      const allowedBy = pairing ? await confirmReveal(ctx, pairing, summary, connection.signal) : 'role'
      // Asked and answered: the connection and the pairing must still be there to receive it.
      if (connection.signal.aborted || (pairing && !services.pairings.live(pairing.id))) throw forbidden()
      const revealed = services.secrets.reveal(summary.id, actorOf(ctx, caller))
      await services.pairings.recordReveal({ pairingId: pairing?.id ?? null, appKey: presented?.key ?? null, secretId: summary.id, allowedBy })
      return revealed
    }
  }
  throw new FrameError('The request names an unknown op.')
}

async function confirmReveal(
  ctx: AgentContext,
  pairing: NonNullable<ReturnType<AgentContext['services']['pairings']['live']>>,
  secret: { id: string; name: string },
  gone: AbortSignal,
): Promise<'asked' | 'grant' | 'policy'> {
  if (pairing.reveal === 'allow') return 'policy'
  const granted = grantsOf(ctx).get(pairing.id)
  if (granted !== undefined && ctx.clock.now() < granted) return 'grant'
  const pending = asking.get(ctx) ?? new Set<string>()
  asking.set(ctx, pending)
  if (pending.has(pairing.id)) throw new KeyholdError('RATE_LIMITED', 'Another reveal is waiting for an answer on the computer. Wait for it first.')
  pending.add(pairing.id)
  const abort = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    abort.abort()
  }, ctx.timings.revealMs)
  const stopLock = ctx.onLocked(() => abort.abort())
  // The connection ending (companion gone, pairing revoked) withdraws the question.
  const onGone = () => abort.abort()
  gone.addEventListener('abort', onGone, { once: true })
  const aborted = new Promise<'deny'>((resolve) => abort.signal.addEventListener('abort', () => resolve('deny'), { once: true }))
  try {
    const request = {
      pairing: { id: pairing.id, appName: pairing.appName, deviceName: pairing.deviceName },
      secret: { id: secret.id, name: secret.name },
      deadline: new Date(ctx.clock.now() + ctx.timings.revealMs).toISOString(),
    }
    const decision = await Promise.race([ctx.approver.confirmReveal(request, abort.signal).catch(() => 'deny' as const), aborted])
    if (gone.aborted) throw forbidden()
    if (timedOut) throw new KeyholdError('TIMEOUT', 'Nobody answered on the computer within a minute. Try again and answer there.')
    if (!ctx.services.vault.isUnlocked) throw new KeyholdError('VAULT_LOCKED', 'The vault locked before the reveal was allowed. Unlock Keyhold, then try again.')
    if (decision === 'deny') {
      const denied = new KeyholdError('FORBIDDEN', 'The person at the computer denied showing this client secret.')
      deniedByPerson.add(denied)
      throw denied
    }
    if (!ctx.services.pairings.live(pairing.id)) throw forbidden()
    if (decision === 'ten-minutes') grantsOf(ctx).set(pairing.id, ctx.clock.now() + GRANT_MS)
    return 'asked'
  } finally {
    clearTimeout(timer)
    stopLock()
    gone.removeEventListener('abort', onGone)
    pending.delete(pairing.id)
  }
}

function grantsOf(ctx: AgentContext): Map<string, number> {
  const map = grants.get(ctx) ?? new Map<string, number>()
  grants.set(ctx, map)
  return map
}

/** SECURITY: a lock drops every "Allow for 10 minutes". */
export function dropGrants(ctx: AgentContext): void {
  grants.get(ctx)?.clear()
}

export const internal = (): SerializedError => ({ code: 'INTERNAL', message: 'Keyhold could not answer. Nothing was changed; try again.' })

/** SECURITY: only our own errors' words travel; anything else becomes INTERNAL. */
export function serialize(error: unknown): SerializedError {
  if (error instanceof KeyholdError) return error.toJSON()
  return internal()
}
