import type { Clock } from '../ports'
import type { Caller, ConnectionOrigin } from './agent-context'

const MINUTE = 60_000
/** Enough for a burst of honest retries (and the 50-way race test), few enough to slow a local key burner. */
export const PAIRINGS_PER_MINUTE = 60
/** From the network (§2.4.5): per address, and for the whole network, counted apart from this computer's. */
export const NETWORK_PAIRINGS_PER_ADDRESS = 20
export const NETWORK_PAIRINGS_PER_MINUTE = 60

/**
 * The agent-wide limits of docs/pairing-protocol.md §10: pairing handshakes per minute,
 * typed-code failures, application-key auth failures, one approval dialog at a time, and
 * requests per second per pairing or key over all its connections.
 */
export class AgentLimits {
  private pairingStarts: number[] = []
  private networkPairingStarts: number[] = []
  private readonly addressPairingStarts = new Map<string, number[]>()
  private typedFailures: number[] = []
  private typedBlockedUntil = 0
  private authFailures: number[] = []
  private authBlockedUntil = 0
  private approvalApp: string | null = null
  private readonly perCaller = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly clock: Clock,
    /** False only for `npm run bench`, which measures what the agent can serve, not the limit. */
    readonly requestsLimited = true,
  ) {}

  /** One pairing handshake from `origin`, if its minute's budget allows. */
  takePairingHandshake(origin: ConnectionOrigin): boolean {
    const now = this.clock.now()
    const recent = (starts: number[]) => starts.filter((t) => now - t < MINUTE)
    if (origin.kind === 'local') {
      this.pairingStarts = recent(this.pairingStarts)
      if (this.pairingStarts.length >= PAIRINGS_PER_MINUTE) return false
      this.pairingStarts.push(now)
      return true
    }
    this.networkPairingStarts = recent(this.networkPairingStarts)
    for (const [address, starts] of this.addressPairingStarts) if (recent(starts).length === 0) this.addressPairingStarts.delete(address)
    const fromAddress = recent(this.addressPairingStarts.get(origin.address) ?? [])
    if (this.networkPairingStarts.length >= NETWORK_PAIRINGS_PER_MINUTE || fromAddress.length >= NETWORK_PAIRINGS_PER_ADDRESS) return false
    this.networkPairingStarts.push(now)
    this.addressPairingStarts.set(origin.address, [...fromAddress, now])
    return true
  }

  typedCodeFailed(): void {
    const now = this.clock.now()
    this.typedFailures = [...this.typedFailures.filter((t) => now - t < 10 * MINUTE), now]
    if (this.typedFailures.length >= 5) {
      this.typedBlockedUntil = now + 10 * MINUTE
      this.typedFailures = []
    }
  }

  typedCodesBlocked(): boolean {
    return this.clock.now() < this.typedBlockedUntil
  }

  appKeyAuthAllowed(): boolean {
    return this.clock.now() >= this.authBlockedUntil
  }

  appKeyAuthFailed(): void {
    const now = this.clock.now()
    this.authFailures = [...this.authFailures.filter((t) => now - t < MINUTE), now]
    if (this.authFailures.length >= 10) {
      this.authBlockedUntil = now + MINUTE
      this.authFailures = []
    }
  }

  /**
   * Takes the one approval slot for `appId` and returns its release; null while another
   * application's approval holds it. Another holder of the same key proceeds (its claim then
   * fails, and the open dialog is told), with a release that releases nothing.
   */
  takeApproval(appId: string): (() => void) | null {
    if (this.approvalApp === appId) return () => undefined
    if (this.approvalApp !== null) return null
    this.approvalApp = appId
    let released = false
    return () => {
      if (released) return
      released = true
      if (this.approvalApp === appId) this.approvalApp = null
    }
  }

  /** 50 requests per second per pairing or key, burst 100, over all its connections. */
  takeRequest(caller: Caller): boolean {
    if (!this.requestsLimited) return true
    const id = caller.type === 'pairing' ? `p:${caller.pairingId}` : caller.type === 'terminal' ? `t:${caller.grant}` : `k:${caller.key}`
    const now = this.clock.now()
    const bucket = this.perCaller.get(id) ?? { tokens: 100, at: now }
    bucket.tokens = Math.min(100, bucket.tokens + ((now - bucket.at) / 1000) * 50)
    bucket.at = now
    this.perCaller.set(id, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}

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

/** 20 requests per second per connection, burst 40 (§10). */
export class RequestBucket {
  private tokens = 40
  private refilledAt: number

  constructor(
    private readonly clock: Clock,
    private readonly limited: boolean,
  ) {
    this.refilledAt = clock.now()
  }

  take(): boolean {
    if (!this.limited) return true
    const now = this.clock.now()
    this.tokens = Math.min(40, this.tokens + ((now - this.refilledAt) / 1000) * 20)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/** At most this many frames (and bytes) wait unhandled on a connection: the command sent with a claim, and requests in flight. */
export const MAX_QUEUED_FRAMES = 32
export const MAX_QUEUED_BYTES = 1024 * 1024
