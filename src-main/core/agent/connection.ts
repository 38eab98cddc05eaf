import { z } from 'zod'
import { checkPhrase } from '../../../src-shared/local-access/check-phrase'
import { decodeBody, FrameError, jsonBytes, parseJsonObject } from '../../../src-shared/local-access/frames'
import {
  authSchema,
  OPS,
  pairCancelSchema,
  prologue,
  PROTOCOL_VERSION,
  REFUSAL,
  terminalClaimSchema,
  type ClientHello,
  type DeviceClaim,
} from '../../../src-shared/local-access/messages'
import { Handshake } from '../../../src-shared/local-access/noise'
import type { AppId } from '../../../src-shared/types/apps'
import type { PairingId } from '../../../src-shared/types/pairings'
import type { ClaimedApp } from '../pairings/pairings.service'
import { LOCAL, type AgentContext, type Caller, type ConnectionOrigin } from './agent-context'
import { burnKey, waitForApproval } from './approval-wait'
import { admitHello, checkAuth, expectKind, frameMessage, parseWith, protocolError, readPairClaim, respondAppKey, respondPair, respondSession, respondTerminal } from './handshakes'
import { answerClaim } from './terminal-claims'
import { MAX_QUEUED_BYTES, MAX_QUEUED_FRAMES } from './limits'
import { internal, serialize } from './requests'
import { SealedLink, type FrameLink } from './sealed-link'
import { SessionRequests } from './session-requests'

export type { FrameLink } from './sealed-link'

type State =
  | { s: 'hello' }
  | { s: 'locked'; hello: ClientHello; helloBytes: Uint8Array }
  | { s: 'handshake'; hello: ClientHello; prologue: Uint8Array }
  | { s: 'pair3'; hs: Handshake; app: ClaimedApp }
  | { s: 'approval'; appId: AppId; abort: AbortController }
  | { s: 'confirm'; pairingId: PairingId }
  | { s: 'auth'; h: Uint8Array; challenge: Uint8Array }
  | { s: 'terminal' }
  | { s: 'terminal-wait'; abort: AbortController }
  | { s: 'open'; caller: Caller }
  | { s: 'closed' }

class Refusal extends Error {}

/**
 * One companion's connection to the agent: the hello, one of the three handshakes, then
 * requests (docs/pairing-protocol.md §4 to §8). Transport-agnostic: the Unix socket, the
 * native messaging relay and the phone's WebSocket give it frame bodies and take its own
 * (SealedLink: the framing and ciphers); an open session's requests are SessionRequests'.
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
  /** Frames received and not yet handled (see receiveBody). */
  private readonly queued = { frames: 0, bytes: 0 }
  private readonly sealed: SealedLink
  private timer: ReturnType<typeof setTimeout> | undefined
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  private lifeTimer: ReturnType<typeof setTimeout> | undefined
  private readonly requests: SessionRequests
  private stopWaiting: (() => void) | null = null
  /** Aborted when the connection ends: questions asked for it stop waiting. */
  private readonly gone = new AbortController()

  constructor(
    private readonly ctx: AgentContext,
    link: FrameLink,
    readonly origin: ConnectionOrigin = LOCAL,
  ) {
    this.sealed = new SealedLink(link, () => this.finish())
    this.requests = new SessionRequests(ctx, {
      end: (event) => this.end(event),
      signal: this.gone.signal,
      fromNetwork: origin.kind === 'network',
      notify: (event) => this.sendTransport(event),
      output: (fd, data) => {
        if (this.state.s === 'open') this.sealed.output(fd, data)
      },
      writable: () => this.sealed.paced(),
      isOpen: () => this.state.s === 'open',
      close: () => this.finish(),
    })
    this.arm(ctx.timings.handshakeMs)
  }

  /** Who this connection speaks for once authenticated (the agent's registry reads it). */
  get caller(): Caller | null {
    return this.state.s === 'open' ? this.state.caller : null
  }

  get isClosed(): boolean {
    return this.state.s === 'closed'
  }

  /** One frame body from the transport. Never throws. */
  receiveBody(body: Uint8Array): void {
    if (this.state.s === 'closed') return
    this.queued.frames++
    this.queued.bytes += body.length
    // SECURITY: frames wait here while one is handled (a claim while the person is asked, for up
    // to a minute); a peer may send ahead (a command with its claim, requests in flight), not
    // without bound. Closed at once, not behind the queue: the question is withdrawn.
    if (this.queued.frames > MAX_QUEUED_FRAMES || this.queued.bytes > MAX_QUEUED_BYTES)
      return this.fail(new FrameError('Too many frames were sent before the earlier ones were answered.'))
    this.chain = this.chain
      .then(() => this.handle(body))
      .finally(() => {
        this.queued.frames--
        this.queued.bytes -= body.length
      })
      .catch((error: unknown) => this.fail(error))
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
    // This connection's own sign-out ended the pairing: its answer is sent, then the connection closes.
    if (this.requests.signingOutNow && event.event === 'pairing.ended') return
    this.sealed.transport(event)
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
      case 'terminal':
        return this.onTerminalClaim(this.decrypt(expectKind(frame, 'transport')))
      case 'terminal-wait':
        // Frames are handled one at a time, in order, and a claim's handling awaits the person's
        // answer: what a terminal sends meanwhile (its command, sent with the claim) waits for
        // it, then runs only if allowed. A frame never finds this state; if one did, it ends the wait.
        this.decrypt(expectKind(frame, 'transport'))
        return this.finish()
      case 'open':
        return this.requests.take(this.state.caller, this.decrypt(expectKind(frame, 'transport')))
    }
  }

  // ---- hello (§4)

  private async onHello(data: Uint8Array): Promise<void> {
    const admitted = admitHello(this.ctx, data, this.origin)
    if ('refusal' in admitted) {
      this.sealed.clear(admitted.refusal)
      return this.finish()
    }
    const { hello } = admitted
    if (!this.ctx.services.vault.isUnlocked) {
      this.sealed.clear(this.serverHello(true))
      this.state = { s: 'locked', hello, helloBytes: data }
      this.arm(this.ctx.timings.lockedWaitMs, () => this.refuseLocked())
      this.stopWaiting = this.ctx.onUnlocked(() => this.unlockedWhileWaiting())
      return
    }
    this.startHandshake(hello, data)
  }

  private onLockedFrame(data: Uint8Array): void {
    parseWith(z.object({ t: z.literal('unlock') }), parseJsonObject(data))
    // Nobody on the network may bring Keyhold's window up (§2.4.4).
    if (this.origin.kind === 'local') this.ctx.requestUnlock()
  }

  private unlockedWhileWaiting(): void {
    if (this.state.s !== 'locked') return
    const { hello, helloBytes } = this.state
    this.stopWaiting?.()
    this.stopWaiting = null
    this.startHandshake(hello, helloBytes)
  }

  private refuseLocked(): void {
    this.sealed.clear({ t: 'error', code: 'VAULT_LOCKED', message: 'The vault stayed locked. Unlock Keyhold, then connect again.' })
    this.finish()
  }

  private startHandshake(hello: ClientHello, helloBytes: Uint8Array): void {
    const server = this.serverHello(false)
    const serverBytes = jsonBytes(server)
    this.sealed.body('clear', serverBytes)
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
    if (hello.mode === 'session') {
      const session = respondSession(this.ctx, pro, s, message)
      if (!session) return this.refuse('session')
      this.sealed.body('handshake', session.reply)
      this.sealed.keys(session.hs)
      this.state = { s: 'confirm', pairingId: session.pairing.id }
      return
    }
    if (hello.mode === 'terminal') {
      const { hs, reply } = respondTerminal(pro, s, message)
      this.sealed.body('handshake', reply)
      this.sealed.keys(hs)
      this.state = { s: 'terminal' }
      return
    }
    if (hello.mode === 'appkey') {
      const { hs, reply, challenge } = respondAppKey(pro, s, message)
      this.sealed.body('handshake', reply)
      const h = hs.handshakeHash()
      this.sealed.keys(hs)
      this.state = { s: 'auth', h, challenge }
      return
    }
    const offered = respondPair(this.ctx, hello, pro, s, message)
    if (offered) {
      this.sealed.body('handshake', offered.reply)
      this.state = { s: 'pair3', hs: offered.hs, app: offered.app }
      return
    }
    // SECURITY: refused first, counted after: the answer takes the same time for a known and an unknown app.
    this.refuse('pair')
    if (hello.app !== undefined) await this.ctx.services.pairings.failedProof(hello.app).catch(() => undefined)
    else this.ctx.limits.typedCodeFailed()
  }

  private async onPair3(state: Extract<State, { s: 'pair3' }>, message: Uint8Array): Promise<void> {
    const { hs, app } = state
    const claim = readPairClaim(hs, message)
    if (!claim) {
      this.refuse('pair')
      await this.ctx.services.pairings.failedProof(app.id).catch(() => undefined)
      return
    }
    // One approval dialog at a time: the slot is taken before the claim, so a key is not used up while another waits.
    const release = this.ctx.limits.takeApproval(app.id)
    if (!release) {
      this.sealed.clear({ t: 'error', code: 'RATE_LIMITED', message: 'Another pairing is waiting for approval in Keyhold. Try again when it is done.' })
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
      else await burnKey(this.ctx, app.id, 'cancelled')
      return this.refuse('pair')
    }
    const phrase = checkPhrase(hs.handshakeHash())
    const companionKey = hs.remoteStatic!
    this.sealed.keys(hs)
    const abort = new AbortController()
    this.state = { s: 'approval', appId: app.id, abort }
    this.clearTimer()
    this.sendTransport({ t: 'pair.waiting', timeoutMs: this.ctx.timings.approvalMs })
    void this.awaitApproval(claimed, claim, phrase, companionKey, abort).finally(release)
  }

  /** Sends what the approval wait ended with, if the companion is still here. */
  private async awaitApproval(app: ClaimedApp, claim: DeviceClaim, phrase: string, companionKey: Uint8Array, abort: AbortController): Promise<void> {
    try {
      const outcome = await waitForApproval(this.ctx, { app, claim, phrase, companionKey }, abort, () => this.state.s === 'approval')
      if (!outcome || this.state.s !== 'approval') return
      if ('refused' in outcome) {
        this.sendTransport({ t: 'pair.refused', reason: outcome.refused })
        return this.finish()
      }
      this.sendTransport({ t: 'pair.approved', pairing: outcome.approved })
      this.open({ type: 'pairing', pairingId: outcome.approved.id as PairingId })
    } catch {
      if (this.state.s === 'approval') {
        this.sendTransport({ event: 'error', error: internal() })
        this.finish()
      }
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
    return this.requests.take(caller, data)
  }

  private async onAuth(state: Extract<State, { s: 'auth' }>, data: Uint8Array): Promise<void> {
    const auth = parseWith(authSchema, parseJsonObject(data))
    if (!this.ctx.limits.appKeyAuthAllowed()) {
      this.sendTransport({ t: 'auth.result', ok: false, error: { code: 'RATE_LIMITED', message: 'Too many failed application key checks. Wait a minute.' } })
      return this.finish()
    }
    if (!checkAuth(this.ctx, auth, state.h, state.challenge)) {
      this.ctx.limits.appKeyAuthFailed()
      this.sendTransport({ t: 'auth.result', ok: false, error: { code: 'FORBIDDEN', message: REFUSAL.appkey } })
      return this.finish()
    }
    this.sendTransport({ t: 'auth.result', ok: true })
    this.open({ type: 'appkey', key: auth.key, token: 'token' in auth ? auth.token : undefined })
  }

  /** A terminal's claim (docs/terminal-sessions.md §2, §3): decided by answerClaim, while this connection waits. */
  private async onTerminalClaim(data: Uint8Array): Promise<void> {
    const { claim, ask } = parseWith(terminalClaimSchema, parseJsonObject(data))
    const answer = await answerClaim(this.ctx, claim, ask, {
      waiting: (abort) => {
        this.state = { s: 'terminal-wait', abort }
        this.clearTimer()
      },
      gone: this.gone.signal,
    })
    // Ended meanwhile (the terminal left, the agent stopped, too many frames): nothing more to say.
    if (this.state.s !== 'terminal' && this.state.s !== 'terminal-wait') return
    if (answer.ok) {
      this.sendTransport({ t: 'terminal.result', ok: true, grant: answer.grant })
      return this.open(answer.lockOnly === true ? { type: 'terminal', grant: answer.key, lockOnly: true } : { type: 'terminal', grant: answer.key })
    }
    const error =
      answer.code === 'RATE_LIMITED'
        ? { code: 'RATE_LIMITED', message: 'Keyhold is already asking about other terminals. Answer there, then run the command again.' }
        : { code: 'FORBIDDEN', message: REFUSAL.terminal }
    this.sendTransport({ t: 'terminal.result', ok: false, error })
    this.finish()
  }

  private open(caller: Caller): void {
    this.state = { s: 'open', caller }
    this.clearTimer()
    this.lifeTimer = setTimeout(() => this.end({ event: 'session.expired' }), this.ctx.timings.sessionMs)
    this.lifeTimer.unref?.()
    this.touchIdle()
    this.ctx.registry.authenticated(this)
  }

  // ---- sending, errors, closing

  private decrypt(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.sealed.open(ciphertext)
    // SECURITY: a frame that fails its AEAD (changed, replayed, reordered) is not answered.
    if (!plaintext) throw new Refusal()
    return plaintext
  }

  private refuse(mode: keyof typeof REFUSAL): void {
    if (this.state.s === 'closed') return
    this.sealed.clear({ t: 'error', code: 'FORBIDDEN', message: REFUSAL[mode] })
    this.finish()
  }

  private fail(error: unknown): void {
    if (this.state.s === 'closed') return
    if (error instanceof Refusal) return this.finish()
    const serialized = error instanceof FrameError || error instanceof z.ZodError ? protocolError(frameMessage(error)) : serialize(error)
    if (this.sealed.keyed) this.sealed.transport({ event: 'error', error: serialized })
    else this.sealed.clear({ t: 'error', code: serialized.code, message: serialized.message })
    this.finish()
  }

  private sendTransport(value: unknown): void {
    if (this.state.s !== 'closed') this.sealed.transport(value)
  }

  private finish(): void {
    const wasOpen = this.state.s !== 'closed' || this.sealed.keyed
    const approval = this.state.s === 'approval' || this.state.s === 'terminal-wait' ? this.state.abort : null
    this.state = { s: 'closed' }
    // The approval wait (it burns the key) and reveal questions stop with the connection.
    approval?.abort()
    this.gone.abort()
    this.clearTimer()
    clearTimeout(this.idleTimer)
    clearTimeout(this.lifeTimer)
    this.stopWaiting?.()
    this.stopWaiting = null
    if (wasOpen) this.ctx.registry.closed(this)
    this.sealed.close()
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
