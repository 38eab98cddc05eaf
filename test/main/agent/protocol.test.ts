import { ed25519 } from '@noble/curves/ed25519.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CompanionError, openAppKeySession, openSession, type FrameTransport } from '../../../src-shared/local-access/client'
import { decodeBody, encodeBody, jsonBytes, parseJsonObject, toBase64Url } from '../../../src-shared/local-access/frames'
import { prologue, REFUSAL } from '../../../src-shared/local-access/messages'
import { generateKeyPair, Handshake } from '../../../src-shared/local-access/noise'
import { pairingPsk } from '../../../src-shared/local-access/psk'
import { parseCode } from '../../../src-shared/apps/authorization-code'
import { addSecrets, eventually, startAgent, type TestAgent } from '../../support/agent'
import { PASSWORD } from '../../support/vault'
import type { AppKeyId } from '../../../src-shared/types/app-keys'

/** Reads the next frame, or null when the agent closed within `ms`. */
async function nextFrame(transport: FrameTransport, ms = 1_000) {
  const body = await Promise.race([transport.next(), new Promise<null>((r) => setTimeout(() => r(null), ms))])
  return body && decodeBody(body)
}

const clear = (frame: { data: Uint8Array } | null) => (frame ? parseJsonObject(frame.data) : null)

/** Sends the hello and returns the prologue for the handshake that follows. */
async function hello(t: TestAgent, transport: FrameTransport, fields: Record<string, unknown>) {
  const bytes = jsonBytes({ t: 'hello', v: [1], ...fields })
  transport.send(encodeBody('clear', bytes))
  const server = (await nextFrame(transport))!
  return prologue(bytes, server.data)
}

describe('the protocol against tampering and replay', () => {
  let t: TestAgent
  beforeEach(async () => {
    t = await startAgent()
    await addSecrets(t.services)
  })
  afterEach(() => t.stop())

  it('a replayed pairing message 1 reaches message 2 but cannot finish: nothing is claimed or counted', async () => {
    const created = await t.newApp()
    const parsed = parseCode(created.code)
    if (!parsed.ok) throw new Error('code')
    const first = await t.connect()
    const pro = await hello(t, first, { mode: 'pair', app: created.app.id })
    const hs = new Handshake({ pattern: 'XXpsk0', initiator: true, prologue: pro, s: generateKeyPair(), psk: pairingPsk(parsed.key) })
    const msg1 = hs.writeMessage(new Uint8Array(0))
    first.send(encodeBody('handshake', msg1))
    expect((await nextFrame(first))?.kind).toBe('handshake')
    first.close()

    // The replayer has message 1 (and the hello) but not the ephemeral private key.
    const replay = await t.connect()
    await hello(t, replay, { mode: 'pair', app: created.app.id })
    replay.send(encodeBody('handshake', msg1))
    // The hellos are the same bytes, so message 1 verifies and message 2 comes back; message 3
    // needs the ephemeral private key, which the replayer does not have.
    expect((await nextFrame(replay))?.kind).toBe('handshake')
    replay.send(encodeBody('handshake', new Uint8Array(64)))
    expect(clear(await nextFrame(replay))).toEqual({ t: 'error', code: 'FORBIDDEN', message: REFUSAL.pair })
    expect(t.services.apps.get(created.app.id).status).toBe('pending')
    expect(t.services.pairings.list()).toEqual([])
  })

  it('a transport frame replayed, or one changed by a relay, closes the connection without an answer', async () => {
    const { identity } = await t.pairWith((await t.newApp()).uri)
    for (const change of ['replay', 'flip'] as const) {
      const raw = await t.connect()
      let last: Uint8Array | null = null
      const tapped: FrameTransport = {
        send: (body) => {
          const frame = decodeBody(body)
          if (frame.kind === 'transport') last = body
          raw.send(body)
        },
        next: () => raw.next(),
        close: () => raw.close(),
      }
      const session = await openSession(tapped, identity)
      await session.ping()
      const evil = last!.slice()
      if (change === 'flip') evil[evil.length - 3]! ^= 0x01
      raw.send(evil)
      await eventually(() => session.closed, 1_000)
    }
  })

  it('a relay that changes the hello makes the handshake fail (the prologue covers it)', async () => {
    const { identity } = await t.pairWith((await t.newApp()).uri)
    const raw = await t.connect()
    let sentHello = false
    const relay: FrameTransport = {
      send: (body) => {
        const frame = decodeBody(body)
        if (frame.kind === 'clear' && !sentHello) {
          sentHello = true
          // Same meaning, other bytes: the agent's prologue differs from the companion's.
          const hello = parseJsonObject(frame.data)
          return raw.send(encodeBody('clear', jsonBytes({ vault: hello.vault, ...hello, x: 1 })))
        }
        raw.send(body)
      },
      next: () => raw.next(),
      close: () => raw.close(),
    }
    await expect(openSession(relay, identity)).rejects.toMatchObject({ code: 'FORBIDDEN', message: REFUSAL.session })
  })

  it('answers malformed frames with a typed error and stays up', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['unknown kind', new Uint8Array([0x09, 1, 2])],
      ['not JSON', encodeBody('clear', new TextEncoder().encode('{nope'))],
      ['array', encodeBody('clear', jsonBytes([1, 2] as unknown as object))],
      ['bad UTF-8', encodeBody('clear', new Uint8Array([0x7b, 0xff, 0x7d]))],
      ['handshake first', encodeBody('handshake', new Uint8Array(48))],
      ['wrong version', encodeBody('clear', jsonBytes({ t: 'hello', v: [7], mode: 'pair' }))],
    ]
    for (const [, body] of cases) {
      const raw = await t.connect()
      raw.send(body)
      const answer = clear(await nextFrame(raw))
      expect(answer).toMatchObject({ t: 'error', code: expect.stringMatching(/^(PROTOCOL_ERROR|UNSUPPORTED_VERSION)$/) })
      expect(await raw.next()).toBeNull()
    }
    const { session } = await t.pairWith((await t.newApp()).uri)
    expect((await session.list()).total).toBe(3)
  })
})

describe('application keys over the agent', () => {
  let t: TestAgent
  let dpk: string
  beforeEach(async () => {
    t = await startAgent()
    await addSecrets(t.services)
    await t.services.vault.confirmPassword(PASSWORD)
    dpk = toBase64Url(t.services.pairings.desktopKey().publicKey)
  })
  afterEach(() => t.stop())

  const target = () => ({ vaultId: t.services.vault.vault().id, desktopKey: dpk })
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise
    } catch (error) {
      return { code: (error as CompanionError).code, message: (error as CompanionError).message }
    }
    return null
  }

  it('an internal key with its token reads what its roles allow, and Last used updates', async () => {
    const { key: { key }, token } = await t.services.appKeys.generate({ label: 'ci', roleIds: ['secrets-reader'] })
    const session = await openAppKeySession(await t.connect(), target(), { key, token })
    const page = await session.list()
    expect(page.total).toBe(3)
    const stripe = page.items.find((s) => s.identifier === 'stripe')!
    expect(await session.reveal(stripe.id)).toEqual({ clientSecret: 'sk_live_stripe' })
    expect(await refusal(session.request('apps.list'))).toEqual({ code: 'FORBIDDEN', message: 'forbidden' })
    expect(t.services.appKeys.list().find((k) => k.key === key)?.lastUsedAt).not.toBeNull()
    session.close()
  })

  it('a wrong token, an unknown key, an inactive key and a key without roles all get the same "forbidden"', async () => {
    const good = await t.services.appKeys.generate({ label: 'good', roleIds: ['secrets-reader'] })
    const inactive = await t.services.appKeys.generate({ label: 'inactive', roleIds: ['secrets-reader'] })
    await t.services.appKeys.deactivate(inactive.key.key)
    const roleless = await t.services.appKeys.generate({ label: 'none', roleIds: [] })
    const answers = [
      await refusal(openAppKeySession(await t.connect(), target(), { key: good.key.key, token: inactive.token })),
      await refusal(openAppKeySession(await t.connect(), target(), { key: 'keyhold-nobody-here', token: good.token })),
      await refusal(openAppKeySession(await t.connect(), target(), { key: inactive.key.key, token: inactive.token })),
      await refusal(openAppKeySession(await t.connect(), target(), { key: roleless.key.key, token: roleless.token })),
    ]
    for (const answer of answers) expect(answer).toEqual({ code: 'FORBIDDEN', message: 'forbidden' })
  })

  it('a tag-scoped role reads only its tags; deactivating the key closes its live connection', async () => {
    const role = await t.services.appKeys.createRole({ name: 'prod reader', permissions: ['secrets:read'], tags: ['prod'] })
    const { key: { key }, token } = await t.services.appKeys.generate({ label: 'scoped', roleIds: [role.id] })
    const session = await openAppKeySession(await t.connect(), target(), { key, token })
    expect((await session.list()).items.map((s) => s.identifier)).toEqual(['stripe'])
    await t.services.appKeys.deactivate(key)
    await eventually(() => session.closed, 1_000)
  })

  it('a third-party key authenticates by its Ed25519 signature, and only with the right private key', async () => {
    const issuer = ed25519.utils.randomSecretKey()
    const other = ed25519.utils.randomSecretKey()
    const key = 'partner-key-0001' as AppKeyId
    await t.services.appKeys.addExternal({ key, account: 'partner', roleIds: ['secrets-reader'], publicKey: toBase64Url(ed25519.getPublicKey(issuer)) })
    const session = await openAppKeySession(await t.connect(), target(), { key, sign: (m) => ed25519.sign(m, issuer) })
    expect((await session.list()).total).toBe(3)
    session.close()
    expect(await refusal(openAppKeySession(await t.connect(), target(), { key, sign: (m) => ed25519.sign(m, other) }))).toEqual({ code: 'FORBIDDEN', message: 'forbidden' })
    await t.services.appKeys.addExternal({ key: 'no-public-key' as AppKeyId, roleIds: ['secrets-reader'] })
    expect(await refusal(openAppKeySession(await t.connect(), target(), { key: 'no-public-key', sign: (m) => ed25519.sign(m, issuer) }))).toEqual({
      code: 'FORBIDDEN',
      message: 'forbidden',
    })
  })

  it('a client pinning another agent key stops before sending its token', async () => {
    const { key: { key }, token } = await t.services.appKeys.generate({ label: 'ci', roleIds: ['secrets-reader'] })
    const wrong = { ...target(), desktopKey: toBase64Url(generateKeyPair().publicKey) }
    expect(await refusal(openAppKeySession(await t.connect(), wrong, { key, token }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/not the one/) })
  })
})
