import type { SerializedError } from '../errors'
import type { SecretSummary } from '../types/secrets'
import { decodeBody, encodeBody, fromBase64Url, jsonBytes, OUTPUT_STREAM, parseJsonObject } from './frames'
import type { Op, PairingView, TerminalClaim } from './messages'
import { Handshake, type CipherState } from './noise-core'
import { prologue, readClearError, readServerHello, SUPPORTED_VERSIONS, type Mode, type ServerHello } from './protocol'

/**
 * A companion's connection once it is open (docs/pairing-protocol.md §8): the framing and
 * ciphers (Link), the session of requests and events (Session), and the terminal's way in
 * (docs/terminal-sessions.md §2). No schema library and nothing of pairing, so the CLI's fast
 * path loads only this (client.ts adds pairing, sessions and application keys on top).
 */

/** How frame bodies travel: the Unix socket, native messaging, a WebSocket. */
export interface FrameTransport {
  send(body: Uint8Array): void
  /** The next frame body; null once the other side closed. */
  next(): Promise<Uint8Array | null>
  close(): void
}

/** A refusal or failure, with the protocol's error code (FORBIDDEN, VAULT_LOCKED, PROTOCOL_ERROR, …). */
export class CompanionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message)
    this.name = 'CompanionError'
  }
}

/** A companion's clipboard delay when the agent does not say (§6.1). */
export const DEFAULT_CLIPBOARD_CLEAR_SECONDS = 30

/**
 * A terminal session (docs/terminal-sessions.md §2): NX pinned to the agent's published key,
 * then the terminal's claim; the agent allows it (a live grant, the person's answer, or
 * `keyhold agent`'s rule) or refuses with FORBIDDEN.
 */
export async function openTerminalSession(
  transport: FrameTransport,
  target: { vaultId: string; desktopKey: string },
  claim: TerminalClaim,
  /** Called once when the answer takes more than a second: the person is being asked. */
  onWaiting?: () => void,
  /** false: never ask the person; without a live grant the session may only lock (grant null). */
  ask = true,
  /** A request sent with the claim, before its answer (docs/terminal-sessions.md §2): its events go to `onEvent` from the first. */
  first?: FirstRequest,
): Promise<{ session: Session; grant: { until: string; idleMs: number } | null; answer?: Promise<unknown> }> {
  const { link } = await openNx(transport, target, 'terminal')
  link.sendTransport(ask ? { t: 'terminal', claim } : { t: 'terminal', claim, ask: false })
  // The command goes with the claim, one round trip sooner: the agent reads a connection's frames
  // in order and takes requests only once the claim is allowed; refused, the connection closes
  // and the request is never read.
  if (first) link.sendTransport({ id: FIRST_REQUEST_ID, op: first.op, args: first.args })
  const waiting = onWaiting && setTimeout(onWaiting, 1_000)
  const result = await link.readResult('terminal.result', 'The agent did not answer the terminal.').finally(() => clearTimeout(waiting))
  const grant = (result.grant ?? null) as { until: string; idleMs: number } | null
  if (!first) return { session: new Session(link), grant }
  // Its listener and its answer's waiter are in place before the session reads a frame.
  const session = new Session(link, DEFAULT_CLIPBOARD_CLEAR_SECONDS, FIRST_REQUEST_ID + 1)
  session.onEvent((event) => first.onEvent(event, session))
  // Before the session reads a frame, as the listener.
  if (first.onOutput && isRawRun(first.op, first.args)) session.takeOutput(FIRST_REQUEST_ID, first.onOutput)
  const answer = session.answerTo(FIRST_REQUEST_ID)
  // Handled where it is awaited; a session that ends before then must not count as unhandled.
  answer.catch(() => undefined)
  return { session, grant, answer }
}

/**
 * The companion's start of an NX session (a terminal, an application key): the hello, the
 * handshake with the agent's static key pinned to the one its vault published, and the keys
 * split into the link. Returns the agent's message 2 payload and the handshake hash.
 */
export async function openNx(transport: FrameTransport, target: { vaultId: string; desktopKey: string }, mode: 'terminal' | 'appkey'): Promise<{ link: Link; payload: Uint8Array; h: Uint8Array }> {
  const pinned = fromBase64Url(target.desktopKey, 32)
  if (!pinned) throw new CompanionError('INVALID_INPUT', "The agent's public key is not valid.")
  const link = new Link(transport)
  const { prologue: pro } = await link.hello(mode, { vault: target.vaultId })
  const hs = new Handshake({ pattern: 'NX', initiator: true, prologue: pro })
  link.send('handshake', hs.writeMessage(new Uint8Array(0)))
  const msg2 = await link.expect('handshake', mode)
  let payload: Uint8Array
  try {
    payload = hs.readMessage(msg2)
  } catch {
    throw link.abort('PROTOCOL_ERROR', 'The agent sent a handshake this client cannot read.')
  }
  if (!equal(hs.remoteStatic!, pinned)) throw link.abort('FORBIDDEN', "The agent's key is not the one this vault published. Nothing was sent.")
  const h = hs.handshakeHash()
  link.keys(hs)
  return { link, payload, h }
}

/** A terminal's first request, sent with its claim (a command: `cli.run`), and where its events go. */
export interface FirstRequest {
  op: Op
  args: Record<string, unknown>
  onEvent(event: Record<string, unknown>, session: Session): void
  /** Where output frames go, for a `cli.run` sent with `raw: true` (docs/terminal-sessions.md §4). */
  onOutput?: OutputSink
}

/** Takes a terminal command's output frames: the stream (1 standard output, 2 standard error) and the bytes. */
export type OutputSink = (fd: 1 | 2, bytes: Uint8Array) => void

/** A command that asked for its output as output frames (docs/terminal-sessions.md §4). */
const isRawRun = (op: Op, args: Record<string, unknown>) => op === 'cli.run' && args.raw === true

const FIRST_REQUEST_ID = 1

/** The events that announce the end of a session, as the error pending requests get. */
const ENDINGS: Record<string, (event: Record<string, unknown>) => CompanionError> = {
  'pairing.ended': (event) =>
    new CompanionError(
      'FORBIDDEN',
      event.reason === 'expired'
        ? 'This pairing expired. Pair again with a new key from My apps.'
        : 'This pairing was ended in Keyhold (revoked, signed out or unused too long). Pair again with a new key from My apps.',
    ),
  'key.ended': () => new CompanionError('FORBIDDEN', 'forbidden'),
  'session.expired': () => new CompanionError('CLOSED', 'The session reached its time limit. Connect again.'),
  'agent.stopping': () => new CompanionError('AGENT_NOT_RUNNING', 'Keyhold stopped serving this vault. Start it again, then connect again.'),
  'terminal.ended': (event) =>
    new CompanionError('FORBIDDEN', event.reason === 'locked' ? 'The vault locked while the command ran. Unlock Keyhold, then run it again.' : 'This terminal is no longer allowed. Run the command again.'),
}

/** A page of `secrets.list`. */
export interface SecretListPage {
  items: SecretSummary[]
  total: number
  offset: number
  nextOffset: number | null
}

/**
 * An open, authenticated session: requests by id, answers in any order, events (`pairing.ended`,
 * `vault.locked`, …) to `onEvent`. Closed by the agent on revoke, expiry or sign out.
 */
export class Session {
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  private readonly listeners = new Set<(event: Record<string, unknown>) => void>()
  private closedWith: CompanionError | null = null
  private outputSink: OutputSink | null = null
  /** The request whose output frames are taken now, if any. */
  private outputRun: number | null = null
  /** Why the agent is about to close the session, from its last event. */
  private ending: CompanionError | null = null
  readonly done: Promise<void>

  constructor(
    private readonly link: Link,
    /** How long a copy from this session stays on the companion's clipboard: the person's setting in Keyhold (§6.1). */
    readonly clipboardClearSeconds = DEFAULT_CLIPBOARD_CLEAR_SECONDS,
    /** The id of this session's first request (ids below it were sent on the link before: answerTo). */
    private nextId = 1,
  ) {
    this.done = this.pump()
  }

  get closed(): boolean {
    return this.closedWith !== null
  }

  onEvent(listener: (event: Record<string, unknown>) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Where the output frames of this session's `cli.run` requests with `raw: true` go (set before sending one). */
  onOutput(sink: OutputSink): void {
    this.outputSink = sink
  }

  /** Output frames are taken while request `id` (a `cli.run` with `raw: true`) runs, and only then (docs/terminal-sessions.md §4). */
  takeOutput(id: number, sink: OutputSink): void {
    this.outputRun = id
    this.link.takeOutput(sink)
  }

  request(op: Op, args: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith)
    if (isRawRun(op, args) && !this.outputSink) return Promise.reject(new CompanionError('INVALID_INPUT', 'Say where the output goes (onOutput) before running a command with raw output.'))
    const id = this.nextId++
    if (isRawRun(op, args)) this.takeOutput(id, this.outputSink!)
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.link.sendTransport({ id, op, args })
    })
  }

  /** The answer to request `id`, sent on the link before this session took it over (openTerminalSession's first request). */
  answerTo(id: number): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith)
    if (id >= this.nextId || this.waiting.has(id)) throw new CompanionError('INVALID_INPUT', 'No such request was sent before the session.')
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }))
  }

  ping(): Promise<{ now: string }> {
    return this.request('session.ping') as Promise<{ now: string }>
  }

  list(args: { query?: string; tag?: string; sort?: 'name' | 'updated'; offset?: number; limit?: number } = {}): Promise<SecretListPage> {
    return this.request('secrets.list', args) as Promise<SecretListPage>
  }

  get(id: string): Promise<SecretSummary> {
    return this.request('secrets.get', { id }) as Promise<SecretSummary>
  }

  reveal(id: string): Promise<{ clientSecret: string | null }> {
    return this.request('secrets.reveal', { id }) as Promise<{ clientSecret: string | null }>
  }

  info(): Promise<PairingView> {
    return this.request('pairing.info') as Promise<PairingView>
  }

  /** Ends the pairing for good; the companion then erases its identity. */
  async signOut(): Promise<void> {
    await this.request('pairing.signOut')
    this.close()
  }

  close(): void {
    this.link.close()
    this.stop(new CompanionError('CLOSED', 'The session is closed.'))
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const message = await this.link.readTransport()
        if (typeof message.id === 'number') {
          // The command's answer comes after all of its output: none may follow.
          if (message.id === this.outputRun) {
            this.outputRun = null
            this.link.takeOutput(null)
          }
          const waiter = this.waiting.get(message.id)
          this.waiting.delete(message.id)
          if (!waiter) continue
          if (message.ok === true) waiter.resolve(message.value)
          else {
            const error = message.error as SerializedError
            waiter.reject(new CompanionError(error.code, error.message, error.fields))
          }
        } else if (typeof message.event === 'string') {
          for (const listener of this.listeners) listener(message)
          if (message.event === 'error') {
            const error = message.error as SerializedError
            throw new CompanionError(error.code, error.message)
          }
          const ending = ENDINGS[message.event]
          if (ending) this.ending = ending(message)
        }
      }
    } catch (error) {
      this.stop(error instanceof CompanionError && error.code !== 'CLOSED' ? error : (this.ending ?? new CompanionError('CLOSED', 'The agent closed the session.')))
    }
  }

  private stop(error: CompanionError): void {
    if (this.closedWith) return
    this.closedWith = error
    for (const waiter of this.waiting.values()) waiter.reject(error)
    this.waiting.clear()
    this.link.close()
  }
}

/** One connection's framing and ciphers (the companion's side). */
export class Link {
  private send_: CipherState | null = null
  private receive: CipherState | null = null
  /** Where output frames go; none is expected until a command asks for them. */
  private output: OutputSink | null = null

  constructor(private readonly transport: FrameTransport) {}

  async hello(mode: Mode, ids: { vault?: string; app?: string }): Promise<{ prologue: Uint8Array; hello: ServerHello }> {
    const clientBytes = jsonBytes({ t: 'hello', v: [...SUPPORTED_VERSIONS], mode, ...(ids.vault && { vault: ids.vault }), ...(ids.app && { app: ids.app }) })
    this.send('clear', clientBytes)
    for (;;) {
      const data = await this.expect('clear', mode)
      const hello = readServerHello(parseJsonObject(data))
      if (!hello) throw this.abort('PROTOCOL_ERROR', 'The agent answered with a hello this companion cannot read.')
      if (hello.locked) {
        // A terminal does not wait for the window: it uses the master password instead (docs/terminal-sessions.md §5).
        if (mode === 'terminal') {
          this.close()
          throw new CompanionError('VAULT_LOCKED', 'The vault is locked in Keyhold.')
        }
        continue
      }
      return { prologue: prologue(clientBytes, data), hello }
    }
  }

  send(kind: 'clear' | 'handshake', data: Uint8Array): void {
    this.transport.send(encodeBody(kind, data))
  }

  sendTransport(value: object): void {
    if (!this.send_) throw new CompanionError('CLOSED', 'The session is closed.')
    this.transport.send(encodeBody('transport', this.send_.encrypt(jsonBytes(value))))
  }

  /** Takes output frames (a `cli.run` with `raw: true` runs), or, with null, refuses them again. */
  takeOutput(sink: OutputSink | null): void {
    this.output = sink
  }

  keys(hs: Handshake): void {
    const { send, receive } = hs.split()
    this.send_ = send
    this.receive = receive
  }

  /** The next frame of `kind`; a CLEAR error from the agent becomes a CompanionError. */
  async expect(kind: 'clear' | 'handshake', _mode: Mode): Promise<Uint8Array> {
    const body = await this.transport.next()
    if (body === null) throw new CompanionError('CLOSED', 'The agent closed the connection.')
    const frame = decodeBody(body)
    if (frame.kind === 'clear') {
      const object = parseJsonObject(frame.data)
      const error = readClearError(object)
      if (error) {
        this.close()
        throw new CompanionError(error.code, error.message)
      }
      if (kind === 'clear') return frame.data
    }
    if (frame.kind !== kind) throw this.abort('PROTOCOL_ERROR', 'The agent sent a frame out of order.')
    return frame.data
  }

  /** The agent's answer `t` to a claim or a proof: its fields when ok; its refusal as a CompanionError (the link closed). */
  async readResult(t: string, notAnswered: string): Promise<Record<string, unknown>> {
    const result = await this.readTransport()
    if (result.t !== t) throw this.abort('PROTOCOL_ERROR', notAnswered)
    if (result.ok !== true) {
      this.close()
      const error = result.error as SerializedError | undefined
      throw new CompanionError(error?.code ?? 'FORBIDDEN', error?.message ?? 'forbidden')
    }
    return result
  }

  /** The next JSON message; output frames before it go to the output sink, in order. */
  async readTransport(): Promise<Record<string, unknown>> {
    for (;;) {
      const body = await this.transport.next()
      if (body === null) throw new CompanionError('CLOSED', 'The agent closed the connection.')
      const frame = decodeBody(body)
      if (frame.kind === 'clear') {
        const error = readClearError(parseJsonObject(frame.data))
        this.close()
        throw new CompanionError(error ? error.code : 'PROTOCOL_ERROR', error ? error.message : 'The agent sent a frame out of order.')
      }
      if (frame.kind !== 'transport' || !this.receive) throw this.abort('PROTOCOL_ERROR', 'The agent sent a frame out of order.')
      let plaintext: Uint8Array
      try {
        plaintext = this.receive.decrypt(frame.data)
      } catch {
        throw this.abort('PROTOCOL_ERROR', 'A frame from the agent failed its integrity check; the connection was closed.')
      }
      const stream = plaintext[0]
      if (stream !== OUTPUT_STREAM.stdout && stream !== OUTPUT_STREAM.stderr) return parseJsonObject(plaintext)
      if (!this.output || plaintext.length < 2) throw this.abort('PROTOCOL_ERROR', 'The agent sent command output that was not asked for.')
      this.output(stream === OUTPUT_STREAM.stderr ? 2 : 1, plaintext.subarray(1))
    }
  }

  abort(code: string, message: string): CompanionError {
    this.close()
    return new CompanionError(code, message)
  }

  close(): void {
    this.send_ = null
    this.receive = null
    this.transport.close()
  }
}

/** Whether two keys are the same bytes (in constant time). */
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
