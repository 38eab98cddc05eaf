import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import { z } from 'zod'
import { KeyholdError, type SerializedError } from '../../../src-shared/errors'
import { checkPhrase } from '../../../src-shared/local-access/check-phrase'
import { decodeBody, encodeBody, FrameError, fromBase64Url, jsonBytes, parseJsonObject, toBase64Url } from '../../../src-shared/local-access/frames'
import {
  appKeySignedMessage,
  authSchema,
  clientHelloSchema,
  deviceClaimSchema,
  OPS,
  pairCancelSchema,
  prologue,
  PROTOCOL_VERSION,
  REFUSAL,
  requestSchema,
  SUPPORTED_VERSIONS,
  type ClientHello,
  type DeviceClaim,
} from '../../../src-shared/local-access/messages'
import { Handshake, type CipherState } from '../../../src-shared/local-access/noise'
import type { AppId } from '../../../src-shared/types/apps'
import type { PairingId } from '../../../src-shared/types/pairings'
import type { ClaimedApp } from '../pairings/pairings.service'
import type { AgentContext, Caller } from './agent-context'
import { runOp } from './requests'

/** Timings of §10, overridable by tests. */
export interface ConnectionTimings {
  handshakeMs: number
  lockedWaitMs: number
  approvalMs: number
  revealMs: number
  idleMs: number
  sessionMs: number
}

export const DEFAULT_TIMINGS: ConnectionTimings = {
  handshakeMs: 10_000,
  lockedWaitMs: 120_000,
  approvalMs: 120_000,
  revealMs: 60_000,
  idleMs: 10 * 60_000,
  sessionMs: 12 * 60 * 60_000,
}

/** What a connection needs from its transport: frame bodies out, and closing. */
export interface FrameLink {
  send(body: Uint8Array): void
  close(): void
}

type State =
  | { s: 'hello' }
  | { s: 'locked'; hello: ClientHello; helloBytes: Uint8Array }
  | { s: 'handshake'; hello: ClientHello; prologue: Uint8Array }
  | { s: 'pair3'; hs: Handshake; app: ClaimedApp }
  | { s: 'approval'; appId: AppId; abort: AbortController }
  | { s: 'confirm'; pairingId: PairingId }
  | { s: 'auth'; h: Uint8Array; challenge: Uint8Array }
  | { s: 'open'; caller: Caller }
  | { s: 'closed' }

const MAX_OUTSTANDING = 8
const BUCKET_RATE = 20
const BUCKET_BURST = 40

class Refusal extends Error {}

/**
 * One companion's connection to the agent: the hello, one of the three handshakes, then
 * requests (docs/pairing-protocol.md §4 to §8). Transport-agnostic: the Unix socket, the
 * native messaging relay and the phone's WebSocket give it frame bodies and take its own.
 *
 * What must stay true:
 * - Nothing is written to the vault before a proof: a wrong key costs the agent one handshake.
 * - Every refusal of a proof is the one uniform CLEAR frame of its mode, then the close.
 * - Frames are decrypted in arrival order (the nonces are counters); requests may answer out of order.
 * - Bad input is answered with a typed error and the close, never an exception out of here.
 */
export class Connection {
  private state: State = { s: 'hello' }
  private chain: Promise<void> = Promise.resolve()
  private send: CipherState | null = null
  private receive: CipherState | null = null
  private timer: ReturnType<typeof setTimeout> | undefined
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private lifeTimer: ReturnType<typeof setTimeout> | undefined
  private outstanding = new Set<number>()
  private tokens = BUCKET_BURST
  private refilledAt = 0
  private stopWaiting: (() => void) | null = null
  /** Aborted when the connection ends: questions asked for it stop waiting. */
  private readonly gone = new AbortController()
  readonly openedAt: number

  constructor(
    private readonly ctx: AgentContext,
    private readonly link: FrameLink,
  ) {
    this.openedAt = ctx.clock.now()
    this.arm(ctx.timings.handshakeMs)
  }

  /** Who this connection speaks for once authenticated (the agent's registry reads it). */
  get caller(): Caller | null {
    return this.state.s === 'open' ? this.state.caller : null
  }

  get authenticated(): boolean {
    return this.state.s === 'open' || this.state.s === 'approval'
  }

  get isClosed(): boolean {
    return this.state.s === 'closed'
  }

  /** One frame body from the transport. Never throws. */
  receiveBody(body: Uint8Array): void {
    this.chain = this.chain.then(() => this.handle(body)).catch((error: unknown) => this.fail(error))
  }

  /** The stream could not be cut into frames (a length out of bounds): PROTOCOL_ERROR, close. */
  streamError(error: FrameError): void {
    this.chain = this.chain.then(() => this.fail(error))
  }

  /** The transport closed (or the agent stops). */
  closed(): void {
    this.finish()
  }

  /** Ends an authenticated connection with an event (revoked, expired, key ended, agent stopping). */
  end(event: Record<string, unknown>): void {
    if (this.state.s === 'closed') return
    if (this.send) this.sendTransport(event)
    this.finish()
  }

  /** Tells an open session something (vault.locked, vault.unlocked). */
  notify(event: Record<string, unknown>): void {
    if (this.state.s === 'open') this.sendTransport(event)
  }

  private async handle(body: Uint8Array): Promise<void> {
    if (this.state.s === 'closed') return
    const frame = decodeBody(body)
    this.touchIdle()
    switch (this.state.s) {
      case 'hello':
        return this.onHello(expectKind(frame, 'clear'))
      case 'locked':
        return this.onLockedFrame(expectKind(frame, 'clear'))
      case 'handshake':
        return this.onHandshake1(this.state, expectKind(frame, 'handshake'))
      case 'pair3':
        return this.onPair3(this.state, expectKind(frame, 'handshake'))
      case 'approval':
        return this.onApprovalFrame(this.state, this.decrypt(expectKind(frame, 'transport')))
      case 'confirm':
        return this.onConfirm(this.state, this.decrypt(expectKind(frame, 'transport')))
      case 'auth':
        return this.onAuth(this.state, this.decrypt(expectKind(frame, 'transport')))
      case 'open':
        return this.onRequest(this.state.caller, this.decrypt(expectKind(frame, 'transport')))
    }
  }

  // ---- hello (§4)

  private async onHello(data: Uint8Array): Promise<void> {
    const hello = parseWith(clientHelloSchema, parseJsonObject(data))
    if (!hello.v.some((v) => (SUPPORTED_VERSIONS as readonly number[]).includes(v))) {
      this.sendClear({ t: 'error', code: 'UNSUPPORTED_VERSION', message: 'This Keyhold speaks local access version 1 only. Update the companion or Keyhold.', versions: [...SUPPORTED_VERSIONS] })
      return this.finish()
    }
    if (hello.mode !== 'pair' && hello.vault === undefined) throw new FrameError('The hello names no vault.')
    if (hello.vault !== undefined && hello.vault !== this.ctx.vaultId) {
      this.sendClear({ t: 'error', code: 'NOT_FOUND', message: 'This agent holds another vault. Check which vault the companion was paired with.' })
      return this.finish()
    }
    if (hello.app !== undefined && hello.mode !== 'pair') throw new FrameError('Only a pairing hello names an application.')
    if (hello.mode === 'pair' && hello.app === undefined && this.ctx.limits.typedCodesBlocked()) {
      this.sendClear({ t: 'error', code: 'RATE_LIMITED', message: 'Too many wrong codes were typed. Wait 10 minutes, or scan the QR code instead.' })
      return this.finish()
    }
    if (hello.mode === 'pair' && !this.ctx.limits.takePairingHandshake()) {
      this.sendClear({ t: 'error', code: 'RATE_LIMITED', message: 'Too many pairing attempts. Wait a minute and try again.', retryAfterMs: 60_000 })
      return this.finish()
    }
    if (!this.ctx.services.vault.isUnlocked) {
      this.sendClear(this.serverHello(true))
      this.state = { s: 'locked', hello, helloBytes: data }
      this.arm(this.ctx.timings.lockedWaitMs, () => this.refuseLocked())
      this.stopWaiting = this.ctx.onUnlocked(() => this.unlockedWhileWaiting())
      return
    }
    this.startHandshake(hello, data)
  }

  private onLockedFrame(data: Uint8Array): void {
    parseWith(z.object({ t: z.literal('unlock') }), parseJsonObject(data))
    this.ctx.requestUnlock()
  }

  private unlockedWhileWaiting(): void {
    if (this.state.s !== 'locked') return
    const { hello, helloBytes } = this.state
    this.stopWaiting?.()
    this.stopWaiting = null
    this.startHandshake(hello, helloBytes)
  }

  private refuseLocked(): void {
    this.sendClear({ t: 'error', code: 'VAULT_LOCKED', message: 'The vault stayed locked. Unlock Keyhold, then connect again.' })
    this.finish()
  }

  private startHandshake(hello: ClientHello, helloBytes: Uint8Array): void {
    const server = this.serverHello(false)
    const serverBytes = jsonBytes(server)
    this.sendBody(encodeBody('clear', serverBytes))
    this.state = { s: 'handshake', hello, prologue: prologue(helloBytes, serverBytes) }
    this.arm(this.ctx.timings.handshakeMs)
  }

  private serverHello(locked: boolean) {
    return { t: 'hello', v: PROTOCOL_VERSION, vault: this.ctx.vaultId, locked, software: this.ctx.software, ops: [...OPS] }
  }

  // ---- handshakes (§5, §6, §7)

  private async onHandshake1(state: Extract<State, { s: 'handshake' }>, message: Uint8Array): Promise<void> {
    const { hello, prologue: pro } = state
    const s = this.ctx.services.pairings.desktopKey()
    if (hello.mode === 'pair') return this.onPair1(hello, pro, s, message)
    if (hello.mode === 'session') {
      const hs = new Handshake({ pattern: 'IK', initiator: false, prologue: pro, s })
      try {
        hs.readMessage(message)
      } catch {
        return this.refuse('session')
      }
      const pairing = this.ctx.services.pairings.liveByCompanionKey(hs.remoteStatic!)
      if (!pairing) return this.refuse('session')
      this.sendBody(encodeBody('handshake', hs.writeMessage(jsonBytes({ pairing: this.ctx.services.pairings.view(pairing) }))))
      this.split(hs)
      this.state = { s: 'confirm', pairingId: pairing.id }
      return
    }
    const hs = new Handshake({ pattern: 'NX', initiator: false, prologue: pro, s })
    try {
      hs.readMessage(message)
    } catch {
      throw new FrameError('The first handshake message is malformed.')
    }
    const challenge = new Uint8Array(randomBytes(32))
    this.sendBody(encodeBody('handshake', hs.writeMessage(jsonBytes({ challenge: toBase64Url(challenge) }))))
    const h = hs.handshakeHash()
    this.split(hs)
    this.state = { s: 'auth', h, challenge }
  }

  private async onPair1(hello: ClientHello, pro: Uint8Array, s: ReturnType<AgentContext['services']['pairings']['desktopKey']>, message: Uint8Array): Promise<void> {
    const pairings = this.ctx.services.pairings
    const real = pairings.candidates(hello.app)
    // SECURITY: an unknown or used app costs the same work, against a random PSK.
    const candidates = hello.app !== undefined && real.length === 0 ? [{ appId: null, psk: new Uint8Array(randomBytes(32)) }] : real
    for (const candidate of candidates) {
      const hs = new Handshake({ pattern: 'XXpsk0', initiator: false, prologue: pro, s, psk: candidate.psk })
      try {
        hs.readMessage(message)
      } catch {
        continue
      }
      if (candidate.appId === null) break
      const app = pairings.app(candidate.appId)
      if (!app) break
      const offer = { vault: this.ctx.vaultId, app: { id: app.id, name: app.name, type: app.type }, expiresAt: app.expiresAt }
      this.sendBody(encodeBody('handshake', hs.writeMessage(jsonBytes(offer))))
      this.state = { s: 'pair3', hs, app }
      return
    }
    // SECURITY: refused first, counted after: the answer takes the same time for a known and an unknown app.
    this.refuse('pair')
    if (hello.app !== undefined) await pairings.failedProof(hello.app).catch(() => undefined)
    else this.ctx.limits.typedCodeFailed()
  }

  private async onPair3(state: Extract<State, { s: 'pair3' }>, message: Uint8Array): Promise<void> {
    const { hs, app } = state
    let claim: DeviceClaim
    try {
      claim = parseWith(deviceClaimSchema, parseJsonObject(hs.readMessage(message)))
    } catch (error) {
      if (error instanceof FrameError) throw error
      this.refuse('pair')
      await this.ctx.services.pairings.failedProof(app.id).catch(() => undefined)
      return
    }
    // One approval dialog at a time: the slot is taken before the claim, so a key is not used up while another waits.
    const release = this.ctx.limits.takeApproval(app.id)
    if (!release) {
      this.sendClear({ t: 'error', code: 'RATE_LIMITED', message: 'Another pairing is waiting for approval in Keyhold. Try again when it is done.' })
      return this.finish()
    }
    let claimed: ClaimedApp | null
    try {
      claimed = await this.ctx.services.pairings.claim(app.id)
    } catch (error) {
      release()
      throw error
    }
    if (!claimed || this.state.s !== 'pair3') {
      release()
      if (!claimed) this.ctx.approver.contest?.(app.id)
      else await this.burnKey(app.id, 'cancelled')
      return this.refuse('pair')
    }
    const phrase = checkPhrase(hs.handshakeHash())
    const companionKey = hs.remoteStatic!
    this.split(hs)
    const abort = new AbortController()
    this.state = { s: 'approval', appId: app.id, abort }
    this.clearTimer()
    this.sendTransport({ t: 'pair.waiting', timeoutMs: this.ctx.timings.approvalMs })
    void this.awaitApproval(claimed, claim, phrase, companionKey, abort).finally(release)
  }

  /**
   * The approval wait (§5.3). Whatever ends it (an answer, the timeout, a lock, the companion
   * leaving, a bad frame, the agent stopping: each aborts `abort`), the key is either paired or
   * burned, never left claimed; a pairing approved as the companion left is ended again.
   */
  private async awaitApproval(app: ClaimedApp, claim: DeviceClaim, phrase: string, companionKey: Uint8Array, abort: AbortController): Promise<void> {
    const pairings = this.ctx.services.pairings
    let timedOut = false
    let lockedMeanwhile = false
    const timer = setTimeout(() => {
      timedOut = true
      abort.abort()
    }, this.ctx.timings.approvalMs)
    const stopLock = this.ctx.onLocked(() => {
      lockedMeanwhile = true
      abort.abort()
    })
    const aborted = new Promise<{ approved: false }>((resolve) => abort.signal.addEventListener('abort', () => resolve({ approved: false }), { once: true }))
    try {
      const deadline = new Date(this.ctx.clock.now() + this.ctx.timings.approvalMs).toISOString()
      const decision = await Promise.race([
        this.ctx.approver.approvePairing({ app, claim, phrase, contested: false, deadline }, abort.signal).catch(() => ({ approved: false as const })),
        aborted,
      ])
      const here = this.state.s === 'approval'
      if (!decision.approved || abort.signal.aborted || !here) {
        const reason = timedOut ? 'timeout' : lockedMeanwhile ? 'locked' : !here ? 'cancelled' : 'denied'
        await this.burnKey(app.id, reason === 'locked' ? 'denied' : reason)
        if (this.state.s === 'approval') {
          this.sendTransport({ t: 'pair.refused', reason })
          this.finish()
        }
        return
      }
      const view = await pairings.approve(app.id, { publicKey: companionKey, claim }, decision)
      if (this.state.s !== 'approval') {
        // The companion left while the person approved: it never learned its pairing.
        await pairings.end(view.id as PairingId, 'revoked').catch(() => undefined)
        return
      }
      this.sendTransport({ t: 'pair.approved', pairing: view })
      this.open({ type: 'pairing', pairingId: view.id as PairingId })
    } catch {
      if (this.state.s === 'approval') {
        this.sendTransport({ event: 'error', error: internal() })
        this.finish()
      }
    } finally {
      clearTimeout(timer)
      stopLock()
    }
  }

  /** Burns a claimed key; while the vault is locked, at the next unlock. */
  private async burnKey(appId: AppId, reason: 'denied' | 'timeout' | 'cancelled'): Promise<void> {
    try {
      await this.ctx.services.pairings.burn(appId, reason)
    } catch {
      const stop = this.ctx.onUnlocked(() => {
        stop()
        void this.ctx.services.pairings.burn(appId, reason).catch(() => undefined)
      })
    }
  }

  private onApprovalFrame(state: Extract<State, { s: 'approval' }>, data: Uint8Array): void {
    const cancel = pairCancelSchema.safeParse(parseJsonObject(data))
    if (!cancel.success) this.sendTransport({ event: 'error', error: protocolError('While waiting for approval, a companion may only cancel.') })
    // Leaving the approval state first: the wait sees a cancel, burns the key and says nothing more.
    this.finish()
    state.abort.abort()
  }

  private async onConfirm(state: Extract<State, { s: 'confirm' }>, data: Uint8Array): Promise<void> {
    const pairing = this.ctx.services.pairings.live(state.pairingId)
    if (!pairing) return this.end({ event: 'pairing.ended', reason: 'revoked' })
    await this.ctx.services.pairings.touch(pairing)
    const caller: Caller = { type: 'pairing', pairingId: state.pairingId }
    this.open(caller)
    // A fifth connection of the pairing was closed as it opened.
    if (this.state.s !== 'open') return
    return this.onRequest(caller, data)
  }

  private async onAuth(state: Extract<State, { s: 'auth' }>, data: Uint8Array): Promise<void> {
    const auth = parseWith(authSchema, parseJsonObject(data))
    if (!this.ctx.limits.appKeyAuthAllowed()) {
      this.sendTransport({ t: 'auth.result', ok: false, error: { code: 'RATE_LIMITED', message: 'Too many failed application key checks. Wait a minute.' } })
      return this.finish()
    }
    const keys = this.ctx.services.appKeys
    const ok =
      'sig' in auth
        ? keys.authenticate({ key: auth.key }, (publicKey) => verifySignature(auth.sig, appKeySignedMessage(state.h, state.challenge, auth.key), publicKey))
        : keys.authenticate({ key: auth.key, token: auth.token })
    if (!ok) {
      this.ctx.limits.appKeyAuthFailed()
      this.sendTransport({ t: 'auth.result', ok: false, error: { code: 'FORBIDDEN', message: REFUSAL.appkey } })
      return this.finish()
    }
    this.sendTransport({ t: 'auth.result', ok: true })
    this.open({ type: 'appkey', key: auth.key, token: 'token' in auth ? auth.token : undefined })
  }

  private split(hs: Handshake): void {
    const { send, receive } = hs.split()
    this.send = send
    this.receive = receive
  }

  private open(caller: Caller): void {
    this.state = { s: 'open', caller }
    this.clearTimer()
    this.lifeTimer = setTimeout(() => this.end({ event: 'session.expired' }), this.ctx.timings.sessionMs)
    this.lifeTimer.unref?.()
    this.touchIdle()
    this.ctx.registry.authenticated(this)
  }

  // ---- requests (§8)

  private onRequest(caller: Caller, data: Uint8Array): void {
    const request = parseWith(requestSchema, parseJsonObject(data))
    if (!(OPS as readonly string[]).includes(request.op)) throw new FrameError('The request names an unknown op.')
    if (this.outstanding.has(request.id)) throw new FrameError('The request id is already in use.')
    if (!this.takeToken() || this.outstanding.size >= MAX_OUTSTANDING || !this.ctx.limits.takeRequest(caller)) {
      this.sendTransport({ id: request.id, ok: false, error: { code: 'RATE_LIMITED', message: 'Too many requests. Slow down and try again.' } })
      return
    }
    this.outstanding.add(request.id)
    void runOp(this.ctx, caller, request, { end: (event) => this.end(event), signal: this.gone.signal })
      .then(
        (value) => ({ id: request.id, ok: true as const, value }),
        (error: unknown) => {
          if (error instanceof FrameError) {
            this.sendTransport({ event: 'error', error: protocolError(error.message) })
            this.finish()
          }
          return { id: request.id, ok: false as const, error: serialize(error) }
        },
      )
      .then((response) => {
        this.outstanding.delete(request.id)
        if (this.state.s === 'open') this.sendTransport(response)
        if (request.op === 'pairing.signOut' && response.ok) this.finish()
      })
  }

  private takeToken(): boolean {
    if (!this.ctx.limits.requestsLimited) return true
    const now = this.ctx.clock.now()
    this.tokens = Math.min(BUCKET_BURST, this.tokens + ((now - this.refilledAt) / 1000) * BUCKET_RATE)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }

  // ---- sending, errors, closing

  private decrypt(ciphertext: Uint8Array): Uint8Array {
    try {
      return this.receive!.decrypt(ciphertext)
    } catch {
      // SECURITY: a frame that fails its AEAD (changed, replayed, reordered) is not answered.
      throw new Refusal()
    }
  }

  private refuse(mode: keyof typeof REFUSAL): void {
    if (this.state.s === 'closed') return
    this.sendClear({ t: 'error', code: 'FORBIDDEN', message: REFUSAL[mode] })
    this.finish()
  }

  private fail(error: unknown): void {
    if (this.state.s === 'closed') return
    if (error instanceof Refusal) return this.finish()
    const serialized = error instanceof FrameError || error instanceof z.ZodError ? protocolError(frameMessage(error)) : serialize(error)
    if (this.send) this.sendTransportUnchecked({ event: 'error', error: serialized })
    else this.sendClear({ t: 'error', code: serialized.code, message: serialized.message })
    this.finish()
  }

  private sendClear(value: Record<string, unknown>): void {
    this.sendBody(encodeBody('clear', jsonBytes(value)))
  }

  private sendTransport(value: unknown): void {
    if (this.state.s === 'closed') return
    this.sendTransportUnchecked(value)
  }

  private sendTransportUnchecked(value: unknown): void {
    if (!this.send) return
    try {
      this.sendBody(encodeBody('transport', this.send.encrypt(jsonBytes(value as object))))
    } catch {
      this.finish()
    }
  }

  private sendBody(body: Uint8Array): void {
    try {
      this.link.send(body)
    } catch {
      this.finish()
    }
  }

  private finishTransport(): void {
    this.state = { s: 'closed' }
    this.finish()
  }

  private finish(): void {
    const wasOpen = this.state.s !== 'closed' || this.send !== null
    const approval = this.state.s === 'approval' ? this.state.abort : null
    this.state = { s: 'closed' }
    // The approval wait (it burns the key) and reveal questions stop with the connection.
    approval?.abort()
    this.gone.abort()
    this.clearTimer()
    clearTimeout(this.idleTimer)
    clearTimeout(this.lifeTimer)
    this.stopWaiting?.()
    this.stopWaiting = null
    this.send = null
    this.receive = null
    if (wasOpen) this.ctx.registry.closed(this)
    this.link.close()
  }

  private arm(ms: number, onTimeout: () => void = () => this.finish()): void {
    this.clearTimer()
    this.timer = setTimeout(onTimeout, ms)
    this.timer.unref?.()
  }

  private clearTimer(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private touchIdle(): void {
    if (this.state.s !== 'open') return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => this.finish(), this.ctx.timings.idleMs)
    this.idleTimer.unref?.()
  }
}

function expectKind(frame: ReturnType<typeof decodeBody>, kind: 'clear' | 'handshake' | 'transport'): Uint8Array {
  if (frame.kind !== kind) throw new FrameError(`A ${frame.kind} frame came where a ${kind} frame was expected.`)
  if (kind === 'handshake' && frame.data.length > 2_048) throw new FrameError('The handshake message is too large.')
  return frame.data
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new FrameError('The message does not have the fields this step needs.')
  return parsed.data
}

function verifySignature(sig: string, message: Uint8Array, publicKey: Uint8Array): boolean {
  const bytes = fromBase64Url(sig, 64)
  if (!bytes) return false
  try {
    return ed25519.verify(bytes, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}

const frameMessage = (error: FrameError | z.ZodError) => (error instanceof FrameError ? error.message : 'The message does not have the fields this step needs.')

function protocolError(detail: string): SerializedError {
  return { code: 'PROTOCOL_ERROR', message: `The companion broke the local access protocol: ${detail} Update the companion; the connection was closed.` }
}

const internal = (): SerializedError => ({ code: 'INTERNAL', message: 'Keyhold could not answer. Nothing was changed; try again.' })

/** SECURITY: only our own errors' words travel; anything else becomes INTERNAL. */
export function serialize(error: unknown): SerializedError {
  if (error instanceof KeyholdError) return error.toJSON()
  return internal()
}

