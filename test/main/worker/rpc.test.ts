import { MessageChannel } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { Rpc, SyncCaller, type Endpoint } from '../../../src-main/worker/rpc'

type Left = { double(n: number): number; fail(): never; slow(): Promise<string> }
type Right = { hello(name: string): Promise<string>; ping(): void }

describe('Rpc: calls across the core channel', () => {
  const channels: MessageChannel[] = []
  afterEach(() => {
    for (const { port1, port2 } of channels.splice(0)) {
      port1.close()
      port2.close()
    }
  })

  function pair() {
    const channel = new MessageChannel()
    channels.push(channel)
    const pings: string[] = []
    const left = new Rpc<Left, Right>(channel.port1, {
      double: (n) => n * 2,
      fail: () => {
        throw new Error('that did not work')
      },
      slow: () => new Promise(() => undefined),
    })
    const right = new Rpc<Right, Left>(channel.port2, {
      hello: async (name) => `hello ${name}`,
      ping: () => void pings.push('ping'),
    })
    return { left, right, pings }
  }

  it('returns what the other side returns or awaits', async () => {
    const { left, right } = pair()
    expect(await right.call('double', 21)).toBe(42)
    expect(await left.call('hello', 'main')).toBe('hello main')
  })

  it("rejects with the other side's error message", async () => {
    const { right } = pair()
    await expect(right.call('fail')).rejects.toThrow('that did not work')
  })

  it('refuses a method the other side does not serve, including inherited ones', async () => {
    const { right } = pair()
    const call = right.call as (method: string, ...args: unknown[]) => Promise<unknown>
    await expect(call.call(right, 'toString')).rejects.toThrow('unknown method toString')
    await expect(call.call(right, 'nope')).rejects.toThrow('unknown method nope')
  })

  it('delivers notifications without an answer', async () => {
    const { left, pings } = pair()
    left.notify('ping')
    await expect.poll(() => pings).toEqual(['ping'])
  })

  it('failPending rejects the calls still waiting (the other side died)', async () => {
    const { right } = pair()
    const waiting = right.call('slow')
    right.failPending(new Error('the core stopped'))
    await expect(waiting).rejects.toThrow('the core stopped')
  })
})

describe('SyncCaller: blocking calls from the worker to main', () => {
  /** An endpoint whose "main thread" answers at once, in this thread, with `answer(seq)`. */
  function answering(answer: (seq: number, reply: MessageChannel['port1'], signal: Int32Array) => void) {
    const channel = new MessageChannel()
    const signal = new Int32Array(new SharedArrayBuffer(4))
    const endpoint: Endpoint = {
      postMessage: (message) => answer((message as { seq: number }).seq, channel.port1, signal),
      on: () => endpoint,
    }
    return { caller: new SyncCaller(endpoint, channel.port2, signal, 200), close: () => channel.port1.close() }
  }

  it('returns the answer to its own call, skipping late answers to earlier ones', () => {
    const { caller, close } = answering((seq, reply, signal) => {
      reply.postMessage({ seq: seq - 1, ok: true, value: 'stale' })
      reply.postMessage({ seq, ok: true, value: `answer ${seq}` })
      Atomics.store(signal, 0, seq)
    })
    expect(caller.call('clipboardReadText')).toBe('answer 1')
    expect(caller.call('clipboardReadText')).toBe('answer 2')
    close()
  })

  it("throws main's error", () => {
    const { caller, close } = answering((seq, reply, signal) => {
      reply.postMessage({ seq, ok: false, message: 'clipboard busy' })
      Atomics.store(signal, 0, seq)
    })
    expect(() => caller.call('clipboardClear')).toThrow('clipboard busy')
    close()
  })

  it('gives up with an error when main does not answer', () => {
    const { caller, close } = answering(() => undefined)
    expect(() => caller.call('clipboardWriteText', 'x')).toThrow('clipboardWriteText got no answer from the main thread')
    close()
  })
})
