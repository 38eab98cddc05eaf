import { MessageChannel } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../../src-main/worker/rpc'

type Left = { double(n: number): number; fail(): never; failOddly(): never; failFalsy(): never; slow(): Promise<string> }
type Right = { hello(name: string): Promise<string>; ping(): void }

describe('connect: calls across the core channel', () => {
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
    const left = connect<Left, Right>(channel.port1, {
      double: (n) => n * 2,
      fail: () => {
        throw new Error('that did not work')
      },
      failOddly: () => {
        // Not an Error, and not something structured clone can copy (it has a function).
        throw { toString: () => 'an odd failure' }
      },
      failFalsy: () => {
        throw undefined
      },
      slow: () => new Promise(() => undefined),
    })
    const right = connect<Right, Left>(channel.port2, {
      hello: async (name) => `hello ${name}`,
      ping: () => void pings.push('ping'),
    })
    return { left, right, pings }
  }

  it('returns what the other side returns or awaits', async () => {
    const { left, right } = pair()
    expect(await right.double(21)).toBe(42)
    expect(await left.hello('main')).toBe('hello main')
  })

  it("rejects with the other side's error message", async () => {
    const { right } = pair()
    await expect(right.fail()).rejects.toThrow('that did not work')
  })

  it('rejects with an Error carrying the text of whatever the other side threw', async () => {
    const { right } = pair()
    await expect(right.failOddly()).rejects.toThrow(new Error('an odd failure'))
  })

  it('rejects when the other side throws undefined (birpc alone would answer it as a result)', async () => {
    const { right } = pair()
    await expect(right.failFalsy()).rejects.toThrow(new Error('undefined'))
  })

  it('refuses a method the other side does not serve, including inherited ones', async () => {
    const { right } = pair()
    const call = right.$call as (method: string, ...args: unknown[]) => Promise<unknown>
    await expect(call('toString')).rejects.toThrow('unknown method toString')
    await expect(call('nope')).rejects.toThrow('unknown method nope')
  })

  it('delivers notifications without an answer', async () => {
    const { left, pings } = pair()
    void left.$callEvent('ping')
    await expect.poll(() => pings).toEqual(['ping'])
  })

  it('$close rejects the calls still waiting (the other side died)', async () => {
    const { right } = pair()
    const waiting = right.slow()
    right.$close(new Error('the core stopped'))
    await expect(waiting).rejects.toThrow('the core stopped')
  })
})
