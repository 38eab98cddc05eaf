import { createBirpc, type BirpcReturn } from 'birpc'

/** A `Worker` or a `MessagePort`: what both ends of the core's channel look like. */
export interface Endpoint {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
}

/** One side of the channel: the other side's methods by name (`rpc.dispatch(...)`), and birpc's `$close`, `$callEvent`. */
export type Rpc<Remote extends object, Local extends object> = BirpcReturn<Remote, Local>

/**
 * Calls between Electron's main thread and the core's worker thread, over one message channel
 * (birpc): each side serves `local` and calls the other side's methods. A call resolves with the
 * value the other side returned (or awaited), or rejects with an Error. What must stay true:
 * - no timeout: a call waits as long as the other side works on it (a save or an import of a
 *   large vault); it fails only when the other side is gone (`$close`, see CoreHost);
 * - only `local`'s own methods are served, never inherited ones such as `toString`;
 * - SECURITY: a thrown error crosses as its message only (no stack, no properties); values cross
 *   by structured clone inside this one process; nothing is logged.
 */
export function connect<Local extends object, Remote extends object>(endpoint: Endpoint, local: Local): Rpc<Remote, Local> {
  return createBirpc<Remote, Local>(local, {
    post: (message) => endpoint.postMessage(message),
    on: (receive) => void endpoint.on('message', receive),
    off: (receive) => void endpoint.off('message', receive),
    timeout: -1,
    resolver: (method, served) => (Object.hasOwn(local, method) && served ? rejectingFalsy(served) : unknownMethod(method)),
    serialize: (message: { e?: unknown }) => ('e' in message ? { ...message, e: new Error(messageOf(message.e)) } : message),
  })
}

/**
 * birpc answers a throw of `undefined`, `null` or `''` as a result: such a throw still rejects
 * the caller here, as an Error.
 */
const rejectingFalsy =
  (served: (...args: unknown[]) => unknown) =>
  async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    try {
      return await served.apply(this, args)
    } catch (error) {
      throw error || new Error(String(error))
    }
  }

const unknownMethod = (method: string) => () => {
  throw new Error(`unknown method ${method}`)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
