import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'

/** The methods one side of a channel serves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Api = Record<string, (...args: any[]) => unknown>

/** A `Worker` or a `MessagePort`: what both ends of the core's channel look like. */
export interface Endpoint {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
}

type Message =
  | { kind: 'call'; id: number; method: string; args: unknown[] }
  | { kind: 'notify'; method: string; args: unknown[] }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; message: string }
  | { kind: 'sync'; seq: number; method: string; args: unknown[] }

type SyncReply = { seq: number; ok: true; value: unknown } | { seq: number; ok: false; message: string }

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string'

/**
 * Calls between Electron's main thread and the core's worker thread, over one message
 * channel: each side serves `Local` and calls the other side's `Remote`. A call resolves
 * with the value the other side returned (or awaited), or rejects with an Error carrying
 * only the thrown error's message.
 * SECURITY: values cross by structured clone inside this one process; nothing is logged.
 */
export class Rpc<Local extends Api, Remote extends Api> {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()

  constructor(
    private readonly endpoint: Endpoint,
    private readonly local: Local,
    /** Answers the other side's synchronous calls (see SyncCaller); main thread only. */
    private readonly sync?: { reply: MessagePort; signal: Int32Array },
  ) {
    endpoint.on('message', (message) => {
      if (isMessage(message)) this.receive(message)
    })
  }

  call<K extends keyof Remote & string>(method: K, ...args: Parameters<Remote[K]>): Promise<Awaited<ReturnType<Remote[K]>>> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.endpoint.postMessage({ kind: 'call', id, method, args } satisfies Message)
    })
  }

  /** A one-way message: no answer, nothing to wait for. */
  notify<K extends keyof Remote & string>(method: K, ...args: Parameters<Remote[K]>): void {
    this.endpoint.postMessage({ kind: 'notify', method, args } satisfies Message)
  }

  /** Rejects every call still waiting for an answer (the other side is gone). */
  failPending(error: Error): void {
    const waiting = [...this.pending.values()]
    this.pending.clear()
    for (const call of waiting) call.reject(error)
  }

  private receive(message: Message): void {
    switch (message.kind) {
      case 'reply': {
        const call = this.pending.get(message.id)
        if (!call) return
        this.pending.delete(message.id)
        if (message.ok) call.resolve(message.value)
        else call.reject(new Error(message.message))
        return
      }
      case 'notify':
        void this.run(message.method, message.args).catch(() => undefined)
        return
      case 'call':
        this.run(message.method, message.args).then(
          (value) => this.endpoint.postMessage({ kind: 'reply', id: message.id, ok: true, value } satisfies Message),
          (error: unknown) => this.endpoint.postMessage({ kind: 'reply', id: message.id, ok: false, message: messageOf(error) } satisfies Message),
        )
        return
      case 'sync':
        this.answerSync(message.seq, message.method, message.args)
        return
    }
  }

  private async run(method: string, args: unknown[]): Promise<unknown> {
    const fn = Object.hasOwn(this.local, method) ? this.local[method] : undefined
    if (!fn) throw new Error(`unknown method ${method}`)
    return fn(...args)
  }

  /** Runs a synchronous call and wakes the caller, which is blocked in Atomics.wait. */
  private answerSync(seq: number, method: string, args: unknown[]): void {
    if (!this.sync) return
    let reply: SyncReply
    try {
      const fn = Object.hasOwn(this.local, method) ? this.local[method] : undefined
      if (!fn) throw new Error(`unknown method ${method}`)
      reply = { seq, ok: true, value: fn(...args) }
    } catch (error) {
      reply = { seq, ok: false, message: messageOf(error) }
    }
    this.sync.reply.postMessage(reply)
    Atomics.store(this.sync.signal, 0, seq)
    Atomics.notify(this.sync.signal, 0)
  }
}

/**
 * The worker's side of synchronous calls to main (the core's Clipboard port is synchronous,
 * and Electron's clipboard exists only on the main thread). The worker posts the call, sleeps
 * in Atomics.wait until main has answered on `replies`, then takes the answer off that port.
 * Only the worker may block like this; main never waits for the worker.
 */
export class SyncCaller {
  private seq = 0

  constructor(
    private readonly endpoint: Endpoint,
    private readonly replies: MessagePort,
    private readonly signal: Int32Array,
    private readonly timeoutMs = 5_000,
  ) {}

  /** Main stores the number of each call it answered in `signal[0]`, after posting the answer. */
  call(method: string, ...args: unknown[]): unknown {
    const seq = (this.seq = (this.seq % 0x7fffffff) + 1)
    this.endpoint.postMessage({ kind: 'sync', seq, method, args } satisfies Message)
    const deadline = performance.now() + this.timeoutMs
    for (;;) {
      const answered = Atomics.load(this.signal, 0)
      if (answered === seq) break
      const left = deadline - performance.now()
      if (left <= 0 || Atomics.wait(this.signal, 0, answered, left) === 'timed-out') throw new Error(`${method} got no answer from the main thread`)
    }
    // Answers to earlier calls that timed out may still be queued: skip them.
    for (let received = receiveMessageOnPort(this.replies); received; received = receiveMessageOnPort(this.replies)) {
      const reply = received.message as SyncReply
      if (reply.seq !== seq) continue
      if (!reply.ok) throw new Error(reply.message)
      return reply.value
    }
    throw new Error(`${method} got no answer from the main thread`)
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
