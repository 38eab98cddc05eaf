import { parseCode } from '../apps/authorization-code'
import { parsePairingUri } from '../apps/pairing-uri'
import type { SerializedError } from '../errors'
import type { SecretSummary } from '../types/secrets'
import { checkPhrase } from './check-phrase'
import { decodeBody, encodeBody, fromBase64Url, jsonBytes, parseJsonObject, toBase64Url } from './frames'
import {
  appKeySignedMessage,
  challengeSchema,
  clearErrorSchema,
  pairingViewSchema,
  pairOfferSchema,
  prologue,
  serverHelloSchema,
  SUPPORTED_VERSIONS,
  type DeviceClaim,
  type Mode,
  type Op,
  type PairingView,
  type PairOffer,
  type ServerHello,
  type TerminalClaim,
} from './messages'
import { generateKeyPair, Handshake, keyPairFromPrivate, type CipherState } from './noise'
import { pairingPsk } from './psk'

/**
 * The reference companion: pair with a vault by its authorization key, open sessions as
 * that pairing, or as an application key, and send requests (docs/pairing-protocol.md).
 * Plain TypeScript on noble, with no Node, Electron or DOM dependency: the CLI, the tests,
 * the browser extension and phone apps use it over their own transport.
 */

export { FrameQueue } from './frame-queue'

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

/** What a paired companion keeps (in its platform's secure store): enough to open sessions. */
export interface PairedIdentity {
  vaultId: string
  /** The vault's static public key, pinned (base64url). */
  desktopKey: string
  /** This companion's static private key for this pairing only (base64url). SECURITY: a secret. */
  privateKey: string
  pairing: PairingView
  /** A phone's: where the vault listens on the local network and the certificate it pins (§2.4), from the QR code. */
  network?: NetworkTarget
}

/** Where a phone reaches the vault: `ip:port` entries tried in order, and the certificate's SPKI SHA-256 (base64url) it pins. */
export interface NetworkTarget {
  hosts: string[]
  fingerprint: string
}

/** What the person gave: a scanned pairing URI or a typed code. */
export interface PairingInput {
  code: string
  vaultId?: string
  appId?: string
  desktopKey?: string
  /** From a phone's QR code: where to connect, and what to pin. */
  network?: NetworkTarget
}

/** Reads a scanned URI or a typed code, with the code's typo check; throws INVALID_INPUT in words for people. */
export function readPairingInput(text: string): PairingInput {
  const trimmed = text.trim()
  if (/^keyhold:/i.test(trimmed)) {
    const parsed = parsePairingUri(trimmed)
    if (!parsed.ok) throw new CompanionError('INVALID_INPUT', parsed.message)
    const { code, vaultId, appId, desktopKey, hosts, fingerprint } = parsed.value
    return {
      code,
      vaultId,
      appId,
      ...(desktopKey !== undefined && { desktopKey }),
      ...(hosts !== undefined && fingerprint !== undefined && { network: { hosts, fingerprint } }),
    }
  }
  const parsed = parseCode(trimmed)
  if (!parsed.ok) throw new CompanionError('INVALID_INPUT', parsed.message)
  return { code: parsed.code }
}

export interface PairOptions {
  claim: DeviceClaim
  /** Called with the check phrase as soon as it is known, to show it to the person. */
  onPhrase?(phrase: string, offer: PairOffer): void
  /** Called when the desktop is showing its approval dialog. */
  onWaiting?(timeoutMs: number): void
}

/** Pairs (XXpsk0), waits for the person's approval, and returns the identity and an open session. */
export async function pair(transport: FrameTransport, input: PairingInput, options: PairOptions): Promise<{ identity: PairedIdentity; session: Session }> {
  const parsed = parseCode(input.code)
  if (!parsed.ok) throw new CompanionError('INVALID_INPUT', parsed.message)
  const pinned = input.desktopKey === undefined ? null : fromBase64Url(input.desktopKey, 32)
  if (input.desktopKey !== undefined && !pinned) throw new CompanionError('INVALID_INPUT', 'The desktop key in the pairing code is not valid.')
  const link = new Link(transport)
  const { prologue: pro, hello } = await link.hello('pair', { vault: input.vaultId, app: input.appId })
  const s = generateKeyPair()
  const hs = new Handshake({ pattern: 'XXpsk0', initiator: true, prologue: pro, s, psk: pairingPsk(parsed.key) })
  link.send('handshake', hs.writeMessage(new Uint8Array(0)))
  const msg2 = await link.expect('handshake', 'pair')
  let offer: PairOffer
  try {
    offer = pairOfferSchema.parse(parseJsonObject(hs.readMessage(msg2)))
  } catch {
    throw link.abort('PROTOCOL_ERROR', 'The agent sent a pairing offer this companion cannot read.')
  }
  const rs = hs.remoteStatic!
  if (pinned && !equal(pinned, rs)) throw link.abort('FORBIDDEN', 'This is not the Keyhold that showed the code (its key differs). Nothing was sent.')
  if ((input.vaultId !== undefined && offer.vault !== input.vaultId) || (input.appId !== undefined && offer.app.id !== input.appId))
    throw link.abort('FORBIDDEN', 'The agent answered for another vault or application than the code names.')
  link.send('handshake', hs.writeMessage(jsonBytes(options.claim)))
  const phrase = checkPhrase(hs.handshakeHash())
  link.keys(hs)
  options.onPhrase?.(phrase, offer)
  for (;;) {
    const message = await link.readTransport()
    if (message.t === 'pair.waiting') {
      options.onWaiting?.(Number(message.timeoutMs) || 120_000)
      continue
    }
    if (message.t === 'pair.approved') {
      const pairing = pairingViewSchema.parse(message.pairing)
      const identity: PairedIdentity = {
        vaultId: hello.vault,
        desktopKey: toBase64Url(rs),
        privateKey: toBase64Url(s.privateKey),
        pairing,
        ...(input.network !== undefined && { network: input.network }),
      }
      return { identity, session: new Session(link) }
    }
    if (message.t === 'pair.refused') {
      link.close()
      throw new CompanionError('FORBIDDEN', REFUSED_WORDS[String(message.reason)] ?? REFUSED_WORDS.denied!)
    }
    throw link.abort('PROTOCOL_ERROR', 'The agent sent something unexpected while waiting for approval.')
  }
}

/** Why the desktop refused a pairing that reached its dialog; in every case the key is used up. */
const REFUSED_WORDS: Record<string, string> = {
  denied: 'The pairing was denied on the computer. The key is used up: generate a new one in My apps to pair again.',
  timeout: 'Nobody approved the pairing on the computer within 2 minutes. The key is used up: generate a new one in My apps and try again.',
  locked: 'Keyhold locked before the pairing was approved. The key is used up: unlock Keyhold, generate a new key in My apps and pair again.',
  cancelled: 'The pairing was cancelled. The key is used up: generate a new one in My apps to pair again.',
}

/** Opens a session as a pairing (IK). FORBIDDEN when the pairing ended, expired or was revoked. */
export async function openSession(transport: FrameTransport, identity: PairedIdentity): Promise<Session> {
  const privateKey = fromBase64Url(identity.privateKey, 32)
  const desktopKey = fromBase64Url(identity.desktopKey, 32)
  if (!privateKey || !desktopKey) throw new CompanionError('INVALID_INPUT', 'The stored pairing is damaged. Pair again.')
  const link = new Link(transport)
  const { prologue: pro } = await link.hello('session', { vault: identity.vaultId })
  const hs = new Handshake({ pattern: 'IK', initiator: true, prologue: pro, s: keyPairFromPrivate(privateKey), rs: desktopKey })
  link.send('handshake', hs.writeMessage(new Uint8Array(0)))
  const msg2 = await link.expect('handshake', 'session')
  let payload: Uint8Array
  try {
    payload = hs.readMessage(msg2)
  } catch {
    throw link.abort('FORBIDDEN', 'The agent could not prove it holds this vault. Pair again.')
  }
  link.keys(hs)
  let seconds: unknown
  try {
    seconds = parseJsonObject(payload).clipboardClearSeconds
  } catch {
    seconds = undefined
  }
  const clipboardClearSeconds = Number.isInteger(seconds) && (seconds as number) > 0 && (seconds as number) <= 86_400 ? (seconds as number) : DEFAULT_CLIPBOARD_CLEAR_SECONDS
  return new Session(link, clipboardClearSeconds)
}

/** A companion's clipboard delay when the agent does not say (§6.1). */
export const DEFAULT_CLIPBOARD_CLEAR_SECONDS = 30

/** An application key's proof: the internal token, or a signature by the issuer's Ed25519 key. */
export type AppKeyProof = { key: string; token: string } | { key: string; sign(message: Uint8Array): Uint8Array | Promise<Uint8Array> }

/** Opens a session as an application key (NX, then auth). `desktopKey` pins the agent. */
export async function openAppKeySession(transport: FrameTransport, target: { vaultId: string; desktopKey: string }, proof: AppKeyProof): Promise<Session> {
  const pinned = fromBase64Url(target.desktopKey, 32)
  if (!pinned) throw new CompanionError('INVALID_INPUT', "The agent's public key is not valid.")
  const link = new Link(transport)
  const { prologue: pro } = await link.hello('appkey', { vault: target.vaultId })
  const hs = new Handshake({ pattern: 'NX', initiator: true, prologue: pro })
  link.send('handshake', hs.writeMessage(new Uint8Array(0)))
  const msg2 = await link.expect('handshake', 'appkey')
  let challenge: Uint8Array | null
  try {
    challenge = fromBase64Url(challengeSchema.parse(parseJsonObject(hs.readMessage(msg2))).challenge, 32)
  } catch {
    challenge = null
  }
  if (!challenge) throw link.abort('PROTOCOL_ERROR', 'The agent sent a challenge this client cannot read.')
  if (!equal(hs.remoteStatic!, pinned)) throw link.abort('FORBIDDEN', "The agent's key is not the one this vault published. Nothing was sent.")
  const h = hs.handshakeHash()
  link.keys(hs)
  if ('token' in proof) link.sendTransport({ t: 'auth', key: proof.key, token: proof.token })
  else link.sendTransport({ t: 'auth', key: proof.key, sig: toBase64Url(await proof.sign(appKeySignedMessage(h, challenge, proof.key))) })
  const result = await link.readTransport()
  if (result.t !== 'auth.result') throw link.abort('PROTOCOL_ERROR', 'The agent did not answer the key check.')
  if (result.ok !== true) {
    link.close()
    const error = result.error as SerializedError | undefined
    throw new CompanionError(error?.code ?? 'FORBIDDEN', error?.message ?? 'forbidden')
  }
  return new Session(link)
}

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
): Promise<{ session: Session; grant: { until: string; idleMs: number } | null }> {
  const pinned = fromBase64Url(target.desktopKey, 32)
  if (!pinned) throw new CompanionError('INVALID_INPUT', "The agent's public key is not valid.")
  const link = new Link(transport)
  const { prologue: pro } = await link.hello('terminal', { vault: target.vaultId })
  const hs = new Handshake({ pattern: 'NX', initiator: true, prologue: pro })
  link.send('handshake', hs.writeMessage(new Uint8Array(0)))
  const msg2 = await link.expect('handshake', 'terminal')
  try {
    hs.readMessage(msg2)
  } catch {
    throw link.abort('PROTOCOL_ERROR', 'The agent sent a handshake this client cannot read.')
  }
  if (!equal(hs.remoteStatic!, pinned)) throw link.abort('FORBIDDEN', "The agent's key is not the one this vault published. Nothing was sent.")
  link.keys(hs)
  link.sendTransport(ask ? { t: 'terminal', claim } : { t: 'terminal', claim, ask: false })
  const waiting = onWaiting && setTimeout(onWaiting, 1_000)
  const result = await link.readTransport().finally(() => clearTimeout(waiting))
  if (result.t !== 'terminal.result') throw link.abort('PROTOCOL_ERROR', 'The agent did not answer the terminal.')
  if (result.ok !== true) {
    link.close()
    const error = result.error as SerializedError | undefined
    throw new CompanionError(error?.code ?? 'FORBIDDEN', error?.message ?? 'forbidden')
  }
  return { session: new Session(link), grant: (result.grant ?? null) as { until: string; idleMs: number } | null }
}

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
  private nextId = 1
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  private readonly listeners = new Set<(event: Record<string, unknown>) => void>()
  private closedWith: CompanionError | null = null
  /** Why the agent is about to close the session, from its last event. */
  private ending: CompanionError | null = null
  readonly done: Promise<void>

  constructor(
    private readonly link: Link,
    /** How long a copy from this session stays on the companion's clipboard: the person's setting in Keyhold (§6.1). */
    readonly clipboardClearSeconds = DEFAULT_CLIPBOARD_CLEAR_SECONDS,
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

  request(op: Op, args: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.link.sendTransport({ id, op, args })
    })
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
class Link {
  private send_: CipherState | null = null
  private receive: CipherState | null = null

  constructor(private readonly transport: FrameTransport) {}

  async hello(mode: Mode, ids: { vault?: string; app?: string }): Promise<{ prologue: Uint8Array; hello: ServerHello }> {
    const clientBytes = jsonBytes({ t: 'hello', v: [...SUPPORTED_VERSIONS], mode, ...(ids.vault && { vault: ids.vault }), ...(ids.app && { app: ids.app }) })
    this.send('clear', clientBytes)
    for (;;) {
      const data = await this.expect('clear', mode)
      const hello = serverHelloSchema.safeParse(parseJsonObject(data))
      if (!hello.success) throw this.abort('PROTOCOL_ERROR', 'The agent answered with a hello this companion cannot read.')
      if (hello.data.locked) {
        // A terminal does not wait for the window: it uses the master password instead (docs/terminal-sessions.md §5).
        if (mode === 'terminal') {
          this.close()
          throw new CompanionError('VAULT_LOCKED', 'The vault is locked in Keyhold.')
        }
        continue
      }
      return { prologue: prologue(clientBytes, data), hello: hello.data }
    }
  }

  send(kind: 'clear' | 'handshake', data: Uint8Array): void {
    this.transport.send(encodeBody(kind, data))
  }

  sendTransport(value: object): void {
    if (!this.send_) throw new CompanionError('CLOSED', 'The session is closed.')
    this.transport.send(encodeBody('transport', this.send_.encrypt(jsonBytes(value))))
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
      const error = clearErrorSchema.safeParse(object)
      if (error.success) {
        this.close()
        throw new CompanionError(error.data.code, error.data.message)
      }
      if (kind === 'clear') return frame.data
    }
    if (frame.kind !== kind) throw this.abort('PROTOCOL_ERROR', 'The agent sent a frame out of order.')
    return frame.data
  }

  async readTransport(): Promise<Record<string, unknown>> {
    const body = await this.transport.next()
    if (body === null) throw new CompanionError('CLOSED', 'The agent closed the connection.')
    const frame = decodeBody(body)
    if (frame.kind === 'clear') {
      const error = clearErrorSchema.safeParse(parseJsonObject(frame.data))
      this.close()
      throw new CompanionError(error.success ? error.data.code : 'PROTOCOL_ERROR', error.success ? error.data.message : 'The agent sent a frame out of order.')
    }
    if (frame.kind !== 'transport' || !this.receive) throw this.abort('PROTOCOL_ERROR', 'The agent sent a frame out of order.')
    let plaintext: Uint8Array
    try {
      plaintext = this.receive.decrypt(frame.data)
    } catch {
      throw this.abort('PROTOCOL_ERROR', 'A frame from the agent failed its integrity check; the connection was closed.')
    }
    return parseJsonObject(plaintext)
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

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
