import { request } from 'node:https'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { generate } from 'selfsigned'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ensureTlsIdentity, spkiFingerprint } from '../../../src-main/core/agent/network/certificate'
import { NETWORK_PATH } from '../../../src-main/core/agent/network/network-endpoint'
import { connectNetwork } from '../../../src-main/core/agent/network/network-transport'
import { KeyholdError } from '../../../src-shared/errors'
import { CompanionError, openAppKeySession, openSession, pair, readPairingInput } from '../../../src-shared/local-access/client'
import { decodeBody, encodeBody, jsonBytes, parseJsonObject, toBase64Url } from '../../../src-shared/local-access/frames'
import { addSecrets, CLAIM, eventually, startAgent, type TestAgent } from '../../support/agent'
import { scanQr, startPhoneCore, type PhoneCore } from '../../support/phone'
import { PASSWORD } from '../../support/vault'

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise
  } catch (error) {
    if (error instanceof CompanionError || error instanceof KeyholdError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a refusal')
}

describe('Phones on this network: when the endpoint listens (the app core, as the window drives it)', () => {
  let core: PhoneCore
  beforeEach(async () => {
    core = await startPhoneCore()
    await addSecrets(core.services)
  })
  afterEach(() => core.stop())

  it('is off by default; a Mobile app key turns it on, its QR code carries host and fp, and a phone that scans it pairs over pinned TLS', async () => {
    expect(core.services.agent.networkStatus()).toMatchObject({ on: false, listening: false, fingerprint: null })
    const created = await core.services.apps.create({ name: 'Work phone', type: 'mobile', expiresAt: null })
    const status = core.services.agent.networkStatus()
    expect(status).toMatchObject({ on: true, listening: true, addresses: [{ address: '127.0.0.1', interface: 'lo' }] })
    expect(created.network).toEqual({ hosts: [`127.0.0.1:${status.port}`], fingerprint: status.fingerprint })
    const payload = readPairingInput(scanQr(created))
    expect(payload.network).toEqual(created.network)

    const { identity, session, phrase } = await core.phonePairs(created)
    expect(phrase).toMatch(/^[a-z-]+ [a-z-]+ [a-z-]+ [a-z-]+$/)
    expect(identity.network).toEqual(created.network)
    expect(core.services.apps.get(created.app.id).status).toBe('active')
    const page = await session.list()
    expect(page.total).toBe(3)
    expect(await session.reveal(page.items.find((s) => s.identifier === 'stripe')!.id)).toEqual({ clientSecret: 'sk_live_stripe' })
    session.close()

    // The next day: a session over the network with the stored identity.
    const again = await openSession(await connectNetwork(identity.network!), identity)
    expect((await again.ping()).now).toEqual(expect.any(String))
    again.close()
    // Closing the QR code after a phone paired leaves it on.
    await core.services.agent.qrClosed(created.app.id)
    expect(core.services.agent.networkStatus().listening).toBe(true)
  })

  it('an Extension key carries no address; a QR code closed before any phone paired turns the endpoint off again, unless kept on', async () => {
    const extension = await core.services.apps.create({ name: 'Browser', type: 'extension', expiresAt: null })
    expect(extension.network).toBeUndefined()
    expect(readPairingInput(scanQr(extension)).network).toBeUndefined()
    expect(core.services.agent.networkStatus().listening).toBe(false)

    const unused = await core.services.apps.create({ name: 'Phone', type: 'mobile', expiresAt: null })
    const port = core.services.agent.networkStatus().port
    await core.services.agent.qrClosed(unused.app.id)
    expect(core.services.agent.networkStatus()).toMatchObject({ on: false, listening: false, port })

    await core.services.agent.setNetwork({ keepOn: true })
    const kept = await core.services.apps.create({ name: 'Phone 2', type: 'mobile', expiresAt: null })
    expect(kept.network?.hosts).toEqual([`127.0.0.1:${port}`])
    await core.services.agent.qrClosed(kept.app.id)
    expect(core.services.agent.networkStatus()).toMatchObject({ on: true, keepOn: true, listening: true, port })
  })

  it('a QR code still open when Keyhold locks holds nothing after the unlock: the endpoint it turned on turns off again', async () => {
    await core.services.apps.create({ name: 'Phone', type: 'mobile', expiresAt: null })
    expect(core.services.agent.networkStatus().listening).toBe(true)
    core.services.vault.lock()
    await eventually(() => !core.services.agent.networkStatus().listening)
    await core.services.vault.unlock({ password: PASSWORD })
    await eventually(() => core.services.agent.networkStatus().on === false, 3_000)
    expect(core.services.agent.networkStatus().listening).toBe(false)
  })

  it('settings changed from several places at once never leave a second listener behind: off, lock and stop leave nothing listening', async () => {
    await core.services.agent.setNetwork({ on: true })
    const { port, fingerprint } = core.services.agent.networkStatus()
    await core.services.agent.setNetwork({ on: false })
    // The switch and both boxes at once (three calls in flight), then three keys made at once.
    await Promise.all([core.services.agent.setNetwork({ on: true }), core.services.agent.setNetwork({ keepOn: true }), core.services.agent.setNetwork({ whileLocked: true })])
    await Promise.all([1, 2, 3].map((i) => core.services.apps.create({ name: `Phone ${i}`, type: 'mobile', expiresAt: null })))
    // One listener, on the remembered port: a second one would hold it and push the live one elsewhere.
    expect(core.services.agent.networkStatus()).toMatchObject({ listening: true, port, problem: null })
    await core.services.agent.setNetwork({ on: false })
    core.services.vault.lock()
    await core.services.agent.stop()
    expect(await failure(connectNetwork({ hosts: [`127.0.0.1:${port}`], fingerprint: fingerprint! }, { timeoutMs: 1_000 }))).toMatchObject({ code: 'AGENT_NOT_RUNNING' })
  })

  it('a QR code open while the endpoint was on by hand keeps it on when the last other phone leaves', async () => {
    await core.services.agent.setNetwork({ on: true })
    const first = await core.services.apps.create({ name: 'Phone A', type: 'mobile', expiresAt: null })
    await core.phonePairs(first)
    await core.services.agent.qrClosed(first.app.id)
    await new Promise((r) => setTimeout(r, 600))
    const second = await core.services.apps.create({ name: 'Phone B', type: 'mobile', expiresAt: null })
    await core.services.pairings.end(core.services.pairings.list()[0]!.id, 'revoked')
    await new Promise((r) => setTimeout(r, 600))
    expect(core.services.agent.networkStatus().listening).toBe(true)
    const { identity } = await core.phonePairs(second)
    expect(identity.pairing.app.name).toBe('Phone B')
    // Closing B's QR code does not turn off what the person turned on.
    await core.services.agent.qrClosed(second.app.id)
    expect(core.services.agent.networkStatus().on).toBe(true)
  })

  it('a phone cannot bring Keyhold\'s window up, even with a session opened before the lock', async () => {
    await core.services.agent.setNetwork({ on: true, keepOn: true, whileLocked: true })
    const created = await core.services.apps.create({ name: 'Phone', type: 'mobile', expiresAt: null })
    const { session } = await core.phonePairs(created)
    let unlockRequests = 0
    core.services.agent.approvals.onUnlockRequest(() => unlockRequests++)
    core.services.vault.lock()
    expect(await failure(session.request('vault.requestUnlock'))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/on the computer/) })
    expect(unlockRequests).toBe(0)
    session.close()
  })

  it('revoking a phone closes its connection within a second, and the last phone pairing to end turns the endpoint off', async () => {
    const created = await core.services.apps.create({ name: 'Phone', type: 'mobile', expiresAt: null })
    const { session } = await core.phonePairs(created)
    await core.services.agent.qrClosed(created.app.id)
    const pairingId = core.services.pairings.list()[0]!.id
    const started = Date.now()
    await core.services.pairings.end(pairingId, 'revoked')
    await session.done
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(session.closed).toBe(true)
    await eventually(() => !core.services.agent.networkStatus().listening)
    expect(core.services.agent.networkStatus().on).toBe(false)
  })

  it('turning it off closes every network connection within a second; the socket stays', async () => {
    await core.services.agent.setNetwork({ on: true })
    const created = await core.services.apps.create({ name: 'Phone', type: 'mobile', expiresAt: null })
    const { identity, session } = await core.phonePairs(created)
    const more = await Promise.all([1, 2, 3].map(async () => openSession(await connectNetwork(identity.network!), identity)))
    expect(core.services.agent.networkStatus().connections).toBe(4)
    const started = Date.now()
    await core.services.agent.setNetwork({ on: false })
    await Promise.all([session, ...more].map((s) => s.done))
    expect(Date.now() - started).toBeLessThan(1_000)
    expect([session, ...more].every((s) => s.closed)).toBe(true)
    expect(core.services.agent.status().listening).toBe(true)
    expect(await failure(connectNetwork(identity.network!, { timeoutMs: 1_000 }))).toMatchObject({ code: 'AGENT_NOT_RUNNING' })
  })

  it('locking stops it and closes its connections unless "Also while locked"; unlocking listens again on the remembered port', async () => {
    await core.services.agent.setNetwork({ on: true, keepOn: true })
    const created = await core.services.apps.create({ name: 'Phone', type: 'mobile', expiresAt: null })
    const { identity, session } = await core.phonePairs(created)
    const port = core.services.agent.networkStatus().port
    core.services.vault.lock()
    await session.done
    await eventually(() => !core.services.agent.networkStatus().listening)
    await core.services.vault.unlock({ password: PASSWORD })
    await eventually(() => core.services.agent.networkStatus().listening)
    expect(core.services.agent.networkStatus().port).toBe(port)

    await core.services.agent.setNetwork({ whileLocked: true })
    core.services.vault.lock()
    await new Promise((r) => setTimeout(r, 100))
    expect(core.services.agent.networkStatus().listening).toBe(true)
    // A phone still connects; the locked hello tells it to wait (as on the socket).
    const transport = await connectNetwork(identity.network!)
    transport.send(encodeBody('clear', jsonBytes({ t: 'hello', v: [1], mode: 'session', vault: identity.vaultId })))
    const hello = decodeBody((await transport.next())!)
    expect(parseJsonObject(hello.data)).toMatchObject({ t: 'hello', locked: true })
    transport.close()
  })
})

describe('the network endpoint under attack (agent on 127.0.0.1)', () => {
  let t: TestAgent
  let fingerprint: string
  let port: number
  const target = () => ({ hosts: [`127.0.0.1:${port}`], fingerprint })

  beforeEach(async () => {
    t = await startAgent()
    await addSecrets(t.services)
    const identity = await ensureTlsIdentity(t.services.vault.vault())
    fingerprint = identity.fingerprint
    port = (await t.agent.startNetwork({ identity, addresses: ['127.0.0.1'], port: null })).port
  })
  afterEach(() => t.stop())

  const newPhoneApp = async () => {
    const created = await t.newApp('Phone')
    return { ...readPairingInput(created.uri), network: target() }
  }

  it('serves the certificate whose SPKI hash is the fingerprint, over TLS 1.3 only', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
    await new Promise((resolve) => socket.once('secureConnect', resolve))
    expect(socket.getProtocol()).toBe('TLSv1.3')
    expect(spkiFingerprint(socket.getPeerCertificate(true).raw)).toBe(fingerprint)
    socket.destroy()
    const old = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, maxVersion: 'TLSv1.2' })
    await expect(new Promise((resolve, reject) => (old.once('secureConnect', resolve), old.once('error', reject)))).rejects.toThrow()
  })

  it('a phone pinning another fingerprint is refused before it sends a byte, and nothing reaches the agent', async () => {
    const input = await newPhoneApp()
    const wrong = { ...input.network, fingerprint: fingerprint.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }
    expect(await failure(connectNetwork(wrong))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/certificate differs/) })
    await new Promise((r) => setTimeout(r, 50))
    expect(t.agent.connectionCount).toBe(0)
    expect(t.approver.pairings).toHaveLength(0)
    expect(t.services.apps.get(input.appId as never).status).toBe('pending')
  })

  it('a TLS man-in-the-middle with another certificate fails: the phone stops at the pin and the relay reads nothing', async () => {
    const input = await newPhoneApp()
    const other = await generate([{ name: 'commonName', value: 'Keyhold vault' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' })
    let relayed = 0
    const mitm: TlsServer = createTlsServer({ key: other.private, cert: other.cert }, (client) => {
      const upstream = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false })
      client.on('data', (chunk: Buffer) => ((relayed += chunk.length), upstream.write(chunk)))
      upstream.pipe(client)
      client.on('error', () => upstream.destroy())
      upstream.on('error', () => client.destroy())
    })
    await new Promise<void>((resolve) => mitm.listen(0, '127.0.0.1', resolve))
    const mitmPort = (mitm.address() as { port: number }).port
    try {
      const via = { hosts: [`127.0.0.1:${mitmPort}`], fingerprint }
      expect(await failure(connectNetwork(via))).toMatchObject({ code: 'FORBIDDEN' })
      expect(relayed).toBe(0)
      expect(t.approver.pairings).toHaveLength(0)
      // The same phone then reaches the real endpoint and pairs.
      const { identity } = await pair(await connectNetwork(input.network), input, { claim: CLAIM })
      expect(identity.pairing.app.id).toBe(input.appId)
    } finally {
      mitm.close()
    }
  })

  it('over the network a typed code and an application key are refused in words; only the QR code pairs', async () => {
    const created = await t.newApp('Typed')
    expect(await failure(pair(await connectNetwork(target()), readPairingInput(created.code), { claim: CLAIM }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/scanning the QR code/),
    })
    await t.services.vault.confirmPassword(PASSWORD)
    const { key: { key }, token } = await t.services.appKeys.generate({ label: 'ci', roleIds: ['secrets-reader'] })
    const dpk = toBase64Url(t.services.pairings.desktopKey().publicKey)
    const refused = await failure(openAppKeySession(await connectNetwork(target()), { vaultId: t.services.vault.vault().id, desktopKey: dpk }, { key, token }))
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/this computer only/) })
    // The same key works on the socket.
    const session = await openAppKeySession(await t.connect(), { vaultId: t.services.vault.vault().id, desktopKey: dpk }, { key, token })
    expect((await session.list()).total).toBe(3)
    session.close()
    expect(t.services.apps.get(created.app.id).status).toBe('pending')
  })

  it('answers a web page (Origin) 403, another path 404 and plain HTTPS 426, and never upgrades them', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, headers }, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
        req.on('error', reject)
        req.end()
      })
    expect(await get(NETWORK_PATH)).toBe(426)
    expect(await get('/')).toBe(404)
    const ws = new WebSocket(`wss://127.0.0.1:${port}${NETWORK_PATH}`, { rejectUnauthorized: false, origin: 'https://evil.example' })
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    expect(status).toBe(403)
    const elsewhere = new WebSocket(`wss://127.0.0.1:${port}/other`, { rejectUnauthorized: false })
    expect(await new Promise<number>((resolve) => elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))).toBe(404)
    expect(t.agent.connectionCount).toBe(0)
  })

  it('of 50 parallel redemptions of one key over the network and the socket together, exactly one pairs', async () => {
    const input = await newPhoneApp()
    const overNetwork = Array.from({ length: 16 }, async () => pair(await connectNetwork(input.network), input, { claim: CLAIM }))
    const overSocket = Array.from({ length: 34 }, async () => pair(await t.connect(), input, { claim: CLAIM }))
    const results = await Promise.allSettled([...overNetwork, ...overSocket])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect((r.reason as CompanionError).code).toMatch(/FORBIDDEN|RATE_LIMITED/)
    expect(t.services.pairings.list()).toHaveLength(1)
  })

  it('drops the 17th connection from one address before TLS; another address still gets in', async () => {
    const sockets: Socket[] = []
    for (let i = 0; i < 16; i++) {
      const socket = netConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' })
      socket.on('error', () => undefined)
      await new Promise((resolve) => socket.once('connect', resolve))
      sockets.push(socket)
    }
    await new Promise((r) => setTimeout(r, 50))
    const dropped = netConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' })
    dropped.on('error', () => undefined)
    await new Promise((resolve) => dropped.once('close', resolve))
    const input = await newPhoneApp()
    const { identity } = await pair(await connectNetwork(input.network), input, { claim: CLAIM })
    expect(identity.pairing.app.id).toBe(input.appId)
    for (const socket of sockets) socket.destroy()
  })

  it('1,000 garbage connections and frames get typed errors or a close, memory stays bounded, and the socket answers meanwhile', async () => {
    const { session } = await t.pairWith((await t.newApp('Desk')).uri)
    let pings = 0
    let pinging = true
    const pinger = (async () => {
      while (pinging) {
        await session.ping()
        pings++
        await new Promise((r) => setTimeout(r, 50))
      }
    })()
    const rssBefore = process.memoryUsage().rss
    const outcomes: Record<string, number> = {}
    const count = (kind: string) => (outcomes[kind] = (outcomes[kind] ?? 0) + 1)

    /** One WebSocket that sends `message` and reports the CLEAR error code it is answered with, or the close code. */
    const garbageFrame = (message: Buffer | string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`wss://127.0.0.1:${port}${NETWORK_PATH}`, { rejectUnauthorized: false, perMessageDeflate: false })
        let answer = ''
        ws.on('open', () => ws.send(message))
        ws.on('message', (data: Buffer) => {
          const frame = decodeBody(new Uint8Array(data))
          if (frame.kind === 'clear') answer = String(parseJsonObject(frame.data).code)
        })
        ws.on('error', () => undefined)
        ws.on('close', (code) => resolve(answer || `close ${code}`))
      })
    const rawGarbage = () =>
      new Promise<string>((resolve) => {
        const socket = netConnect({ host: '127.0.0.1', port }, () => socket.write('GET / HTTP/1.1\r\n\r\n\x00\x01garbage'))
        socket.on('error', () => undefined)
        socket.on('close', () => resolve('tcp closed'))
      })
    const kinds: Array<() => Promise<string>> = [
      rawGarbage,
      () => garbageFrame('{"t":"hello"}'),
      () => garbageFrame(Buffer.from([0x09])),
      () => garbageFrame(Buffer.from([0x07, 1, 2, 3])),
      () => garbageFrame(Buffer.from(encodeBody('clear', jsonBytes({ t: 'hello', v: 'x' })))),
      () => garbageFrame(Buffer.from(encodeBody('handshake', new Uint8Array(40)))),
      () => garbageFrame(Buffer.alloc(70_000, 3)),
    ]
    for (let batch = 0; batch < 1_000 / 10; batch++) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => kinds[(batch * 10 + i) % kinds.length]!()))
      for (const result of results) count(result)
    }
    pinging = false
    await pinger
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0)
    expect(total).toBe(1_000)
    expect(outcomes.PROTOCOL_ERROR).toBeGreaterThanOrEqual(500)
    expect(outcomes['tcp closed']).toBeGreaterThan(100)
    expect(Object.keys(outcomes).every((k) => /^(PROTOCOL_ERROR|tcp closed|close 1009)$/.test(k))).toBe(true)
    expect(pings).toBeGreaterThan(10)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024)
    await eventually(() => t.agent.connectionCount === 1, 3_000)
    expect((await session.ping()).now).toEqual(expect.any(String))
    session.close()
  }, 60_000)
})
