import { FrameError, parseJsonObject } from '../../../src-shared/local-access/frames'
import { OPS, requestSchema } from '../../../src-shared/local-access/messages'
import type { AgentContext, Caller } from './agent-context'
import { parseWith, protocolError } from './handshakes'
import { RequestBucket } from './limits'
import { runOp, serialize, type RequestConnection } from './requests'

const MAX_OUTSTANDING = 8

/** What the requests need of their connection beyond RequestConnection: whether it is open, and closing it. */
export interface SessionConnection extends RequestConnection {
  notify(message: Record<string, unknown>): void
  isOpen(): boolean
  close(): void
}

/**
 * An open session's requests (docs/pairing-protocol.md §8): each parsed and checked, held to
 * the connection's and the caller's limits, run (requests.ts runOp) and answered by id, in any
 * order, at most MAX_OUTSTANDING in flight. A malformed one is a FrameError (the connection
 * answers PROTOCOL_ERROR and closes); a sign-out's answer is sent before the connection closes.
 */
export class SessionRequests {
  private readonly outstanding = new Set<number>()
  /** Sign-outs in flight: the pairing they end closes this connection after their answer, not before. */
  private signingOut = 0
  private readonly bucket: RequestBucket

  constructor(
    private readonly ctx: AgentContext,
    private readonly connection: SessionConnection,
  ) {
    this.bucket = new RequestBucket(ctx.clock, ctx.limits.requestsLimited)
  }

  /** Whether a sign-out is in flight (its `pairing.ended` is not the connection's end yet). */
  get signingOutNow(): boolean {
    return this.signingOut > 0
  }

  take(caller: Caller, data: Uint8Array): void {
    const connection = this.connection
    const request = parseWith(requestSchema, parseJsonObject(data))
    if (!(OPS as readonly string[]).includes(request.op)) throw new FrameError('The request names an unknown op.')
    if (this.outstanding.has(request.id)) throw new FrameError('The request id is already in use.')
    if (!this.bucket.take() || this.outstanding.size >= MAX_OUTSTANDING || !this.ctx.limits.takeRequest(caller)) {
      connection.notify({ id: request.id, ok: false, error: { code: 'RATE_LIMITED', message: 'Too many requests. Slow down and try again.' } })
      return
    }
    this.outstanding.add(request.id)
    if (request.op === 'pairing.signOut') this.signingOut++
    void runOp(this.ctx, caller, request, connection)
      .then(
        (value) => ({ id: request.id, ok: true as const, value }),
        (error: unknown) => {
          if (error instanceof FrameError) {
            connection.notify({ event: 'error', error: protocolError(error.message) })
            connection.close()
          }
          return { id: request.id, ok: false as const, error: serialize(error) }
        },
      )
      .then((response) => {
        this.outstanding.delete(request.id)
        if (request.op === 'pairing.signOut') this.signingOut--
        if (connection.isOpen()) connection.notify(response)
        if (request.op === 'pairing.signOut' && response.ok) connection.close()
      })
  }
}
