import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FrameQueue, pair, readPairingInput, type FrameTransport } from '../../../src-shared/local-access/client'
import { encodeBody, fromBase64Url, jsonBytes, toBase64Url } from '../../../src-shared/local-access/frames'
import { callerAllowed, CHROMIUM_EXTENSION_ID, encodeNativeMessage, FIREFOX_EXTENSION_ID, NativeMessageReader } from '../../../src-main/cli/native-host'
import { addSecrets, CLAIM, startAgent, type TestAgent } from '../../support/agent'

const bin = join(__dirname, '../../../bin/keyhold.js')
const ORIGIN = `chrome-extension://${CHROMIUM_EXTENSION_ID}/`

/** `keyhold native-host` as the browser starts it: messages in, messages out, the exit status. */
function startHost(env: NodeJS.ProcessEnv, args = [ORIGIN]) {
  const child = spawn(process.execPath, [bin, 'native-host', ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
  const reader = new NativeMessageReader()
  const messages: Array<Record<string, unknown>> = []
  const waiters: Array<() => void> = []
  child.stdout.on('data', (chunk: Buffer) => {
    for (const m of reader.push(chunk)) messages.push(m as Record<string, unknown>)
    for (const w of waiters.splice(0)) w()
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const next = async (): Promise<Record<string, unknown> | null> => {
    for (;;) {
      if (messages.length > 0) return messages.shift()!
      if (child.exitCode !== null) return null
      await Promise.race([new Promise<void>((r) => waiters.push(r)), exited.then(() => undefined)])
    }
  }
  return { child, next, exited, send: (value: object) => child.stdin.write(encodeNativeMessage(value)), raw: (bytes: Buffer) => child.stdin.write(bytes) }
}

describe('keyhold native-host: the relay between the browser extension and the agent', () => {
  let t: TestAgent
  beforeEach(async () => {
    t = await startAgent()
    await addSecrets(t.services)
  })
  afterEach(() => t.stop())
  const env = () => ({ KEYHOLD_AGENT_DIR: t.endpoint.folder })

  it('relays a whole pairing and a session, end to end, reading nothing of them', async () => {
    const host = startHost(env())
    host.send({ relay: 1 })
    expect(await host.next()).toEqual({ relay: 1, connected: true, vault: t.services.vault.vault().id })
    const queue = new FrameQueue()
    void (async () => {
      for (;;) {
        const message = await host.next()
        if (!message) return queue.end()
        queue.push(fromBase64Url(message.f as string)!)
      }
    })()
    const transport: FrameTransport = { send: (body) => host.send({ f: toBase64Url(body) }), next: () => queue.next(), close: () => host.child.stdin.end() }
    const { session } = await pair(transport, readPairingInput((await t.newApp('Browser')).uri), { claim: { ...CLAIM, kind: 'extension', device: { name: 'Chromium', platform: 'chrome' } } })
    expect((await session.list({ query: 'stripe' })).items.map((s) => s.name)).toEqual(['Stripe prod'])
    session.close()
    expect(await host.exited).toBe(0)
  })

  it('refuses a caller that is not the Keyhold extension', async () => {
    const host = startHost(env(), ['chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/'])
    expect(await host.next()).toMatchObject({ relay: 1, error: { code: 'FORBIDDEN' } })
    expect(await host.exited).toBe(1)
  })

  it('says AGENT_NOT_RUNNING in words when nothing serves the vault', async () => {
    const host = startHost({ KEYHOLD_AGENT_DIR: join(t.dir, 'nothing-here') })
    host.send({ relay: 1 })
    expect(await host.next()).toMatchObject({ relay: 1, error: { code: 'AGENT_NOT_RUNNING', message: expect.stringMatching(/Start Keyhold/) } })
    expect(await host.exited).toBe(1)
  })

  it('answers bad input with PROTOCOL_ERROR and exits: oversized, not JSON, not an object, a bad first message, bad base64, a frame out of bounds', async () => {
    const length = (n: number) => {
      const b = Buffer.alloc(4)
      b.writeUInt32LE(n)
      return b
    }
    const cases: Array<(host: ReturnType<typeof startHost>) => void> = [
      (h) => h.raw(length(2 * 1024 * 1024)),
      (h) => h.raw(Buffer.concat([length(5), Buffer.from('{nope')])),
      (h) => h.raw(Buffer.concat([length(5), Buffer.from('[1,2]')])),
      (h) => h.raw(Buffer.concat([length(3), Buffer.from([0x7b, 0xff, 0x7d])])),
      (h) => h.send({ hello: 1 }),
      (h) => h.send({ relay: 1, vault: '../../etc' }),
      (h) => {
        h.send({ relay: 1 })
        h.send({ f: '***' })
      },
      (h) => {
        h.send({ relay: 1 })
        h.send({ f: 'AQ' })
      },
    ]
    for (const send of cases) {
      const host = startHost(env())
      send(host)
      let message = await host.next()
      if (message?.connected) message = await host.next()
      expect(message).toMatchObject({ relay: 1, error: { code: 'PROTOCOL_ERROR' } })
      expect(await host.exited).toBe(1)
    }
  })

  it('SECURITY: only a pairing or session hello goes through: a terminal or application-key hello is refused before the agent sees it', async () => {
    for (const mode of ['terminal', 'appkey']) {
      const host = startHost(env())
      host.send({ relay: 1 })
      expect(await host.next()).toMatchObject({ connected: true })
      host.send({ f: toBase64Url(encodeBody('clear', jsonBytes({ t: 'hello', v: [1], mode, vault: t.services.vault.vault().id }))) })
      expect(await host.next()).toMatchObject({ relay: 1, error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/pairing or session hello/) } })
      expect(await host.exited).toBe(1)
    }
  })

  it('a stream cut short (a truncated message) is a PROTOCOL_ERROR, not a silent end', async () => {
    const host = startHost(env())
    host.raw(Buffer.from([10, 0, 0, 0, 0x7b]))
    host.child.stdin.end()
    expect(await host.next()).toMatchObject({ relay: 1, error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/ended inside a message/) } })
    expect(await host.exited).toBe(1)
  })

  it('the browser closing its end while the agent is answering ends the host quietly (no EPIPE crash)', async () => {
    const host = startHost(env())
    let stderr = ''
    host.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    host.send({ relay: 1 })
    expect(await host.next()).toMatchObject({ connected: true })
    // A pairing hello makes the agent answer; the browser has gone by then.
    host.child.stdout.destroy()
    host.send({ f: toBase64Url(encodeBody('clear', jsonBytes({ t: 'hello', v: [1], mode: 'pair' }))) })
    // stdin stays open: the write towards the closed pipe is what must end the host.
    expect(await host.exited).toBe(0)
    expect(stderr).not.toMatch(/EPIPE|Unhandled/)
  })

  it('takes the caller exactly as each browser passes it, and nothing else', () => {
    expect(callerAllowed([ORIGIN])).toBe(true)
    expect(callerAllowed([ORIGIN, '--parent-window=1234'])).toBe(true)
    expect(callerAllowed(['/home/me/.mozilla/native-messaging-hosts/app.keyhold.native.json', FIREFOX_EXTENSION_ID])).toBe(true)
    for (const args of [
      [],
      [ORIGIN.slice(0, -1)],
      [ORIGIN, '--other'],
      [ORIGIN, '--parent-window=1', 'x'],
      ['chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/', ORIGIN],
      [FIREFOX_EXTENSION_ID],
      ['/path', 'other@example.org'],
      ['--flag', FIREFOX_EXTENSION_ID],
    ])
      expect(callerAllowed(args), args.join(' ')).toBe(false)
  })
})
