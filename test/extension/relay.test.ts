import { describe, expect, it } from 'vitest'
import { CompanionError, openSession, pair, readPairingInput } from '../../src-shared/local-access/client'
import { encodeBody, jsonBytes, toBase64Url } from '../../src-shared/local-access/frames'
import { HelloWatch } from '../../extension/src/hello-watch'
import { HOST_MISSING, HOST_REFUSED, openRelay, RelayError } from '../../extension/src/relay'
import { sessionFailure, signedOutAnyway } from '../../extension/src/session-failure'
import { addSecrets, startAgent } from '../support/agent'
import { PASSWORD } from '../support/vault'
import { agentPort, FakePort } from './fake-port'

const CLAIM = { device: { name: 'Chromium on Linux', platform: 'chrome' as const }, software: 'keyhold-extension/0.1.0', kind: 'extension' as const }

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof CompanionError)) throw new Error(`expected a CompanionError, got ${String(error)}`)
  return { code: error.code, message: error.message }
}

describe('openRelay: a FrameTransport over the native messaging port', () => {
  it('asks for the vault, waits for the host, then carries each frame body as {f: base64url} both ways', async () => {
    const port = new FakePort()
    const opening = openRelay(port, 'c3a7f725f31ce7b0afc2')
    expect(port.posted).toEqual([{ relay: 1, vault: 'c3a7f725f31ce7b0afc2' }])
    port.deliver({ relay: 1, connected: true, vault: 'c3a7f725f31ce7b0afc2' })
    const { transport, vaultId } = await opening
    expect(vaultId).toBe('c3a7f725f31ce7b0afc2')
    const body = encodeBody('clear', jsonBytes({ t: 'hello' }))
    transport.send(body)
    expect(port.posted[1]).toEqual({ f: toBase64Url(body) })
    port.deliver({ f: toBase64Url(body) })
    expect(await transport.next()).toEqual(body)
  })

  it('without a vault (a typed code) sends {relay:1} and takes the vault the host reached', async () => {
    const port = new FakePort()
    const opening = openRelay(port, undefined)
    expect(port.posted).toEqual([{ relay: 1 }])
    port.deliver({ relay: 1, connected: true, vault: 'v1' })
    expect((await opening).vaultId).toBe('v1')
  })

  it("an answer that leaves the vault out is taken as the vault asked for (the protocol's first draft)", async () => {
    const port = new FakePort()
    const opening = openRelay(port, 'v2')
    port.deliver({ relay: 1, connected: true })
    expect((await opening).vaultId).toBe('v2')
  })

  it("the host's error becomes a CompanionError with its code and words, and the port is closed", async () => {
    const port = new FakePort()
    const opening = openRelay(port, undefined)
    port.deliver({ relay: 1, error: { code: 'AGENT_NOT_RUNNING', message: 'Keyhold is not running.' } })
    expect(await failure(opening)).toEqual({ code: 'AGENT_NOT_RUNNING', message: 'Keyhold is not running.' })
    expect(port.disconnected).toBe(true)
  })

  it("the host's own refusal of the caller (its FORBIDDEN before any frame) is HOST_REFUSED, never the agent's FORBIDDEN", async () => {
    const port = new FakePort()
    const opening = openRelay(port, 'v')
    port.deliver({ relay: 1, error: { code: 'FORBIDDEN', message: 'Only the Keyhold browser extension may start the Keyhold native messaging host.' } })
    const error = await opening.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({
      code: HOST_REFUSED,
      message: "Keyhold's browser integration refused this extension. Turn browser integration off and on again in Keyhold's Settings > Browser integration.",
    })
    expect(port.disconnected).toBe(true)
    // The popup keeps the pairing: it may still be active in Keyhold.
    expect(sessionFailure(error)).toBe('host-refused')
  })

  it('an answer that names another vault than the one asked for is refused as a relay error, not as FORBIDDEN', async () => {
    const port = new FakePort()
    const opening = openRelay(port, 'v1')
    port.deliver({ relay: 1, connected: true, vault: 'v2' })
    const error = await opening.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringMatching(/another vault/) })
    expect(port.disconnected).toBe(true)
    expect(sessionFailure(error)).toBe('other')
  })

  it('a first answer it cannot read is a PROTOCOL_ERROR', async () => {
    const port = new FakePort()
    const opening = openRelay(port, 'v')
    port.deliver({ relay: 2, connected: true, vault: 'v' })
    expect((await failure(opening)).code).toBe('PROTOCOL_ERROR')
  })

  it('no host for this extension (browser integration off) is HOST_MISSING, with what to do', async () => {
    const port = new FakePort()
    const opening = openRelay(port, 'v', () => 'Specified native messaging host not found.')
    port.hostGone()
    expect(await failure(opening)).toMatchObject({ code: HOST_MISSING, message: expect.stringMatching(/Settings > Browser integration/) })
    const forbidden = new FakePort()
    const refused = openRelay(forbidden, 'v', () => 'Access to the specified native messaging host is forbidden.')
    forbidden.hostGone()
    expect((await failure(refused)).code).toBe(HOST_MISSING)
  })

  it('a host that exits before answering is CLOSED; the lastError is read either way (Chromium logs unread ones)', async () => {
    const port = new FakePort()
    let read = 0
    const opening = openRelay(port, 'v', () => (read++, 'Native host has exited.'))
    port.hostGone()
    expect((await failure(opening)).code).toBe('CLOSED')
    const open = new FakePort()
    const later = openRelay(open, 'v', () => (read++, 'Native host has exited.'))
    open.deliver({ relay: 1, connected: true, vault: 'v' })
    const { transport } = await later
    open.hostGone()
    expect(await transport.next()).toBeNull()
    expect(read).toBe(2)
  })

  it('a malformed relayed message ends the connection: not base64url, out of bounds, not a frame', async () => {
    for (const bad of [{ f: 'not base64!' }, { f: toBase64Url(new Uint8Array([1])) }, { f: toBase64Url(new Uint8Array(65_537)) }, { x: 1 }, 'text', null]) {
      const port = new FakePort()
      const opening = openRelay(port, 'v')
      port.deliver({ relay: 1, connected: true, vault: 'v' })
      const { transport } = await opening
      port.deliver(bad)
      expect(await transport.next()).toBeNull()
      expect(port.disconnected).toBe(true)
    }
  })

  it('close() disconnects the port, ends reading, and later sends go nowhere', async () => {
    const port = new FakePort()
    const opening = openRelay(port, 'v')
    port.deliver({ relay: 1, connected: true, vault: 'v' })
    const { transport } = await opening
    const pending = transport.next()
    transport.close()
    expect(await pending).toBeNull()
    expect(port.disconnected).toBe(true)
    expect(() => transport.send(encodeBody('clear', jsonBytes({})))).not.toThrow()
    expect(port.posted).toHaveLength(1)
  })

  it('carries a real pairing and a session with the reference client, through a host that relays to a real agent', async () => {
    const t = await startAgent()
    try {
      await addSecrets(t.services)
      const created = await t.services.apps.create({ name: 'Work browser', type: 'extension', expiresAt: null })
      const first = await openRelay(agentPort(t), undefined)
      const { identity, session } = await pair(first.transport, readPairingInput(created.code), { claim: CLAIM })
      expect(identity.vaultId).toBe(first.vaultId)
      session.close()
      const again = await openSession((await openRelay(agentPort(t), identity.vaultId)).transport, identity)
      expect((await again.list({ query: 'stripe' })).items.map((s) => s.name)).toEqual(['Stripe prod'])
      again.close()
    } finally {
      await t.stop()
    }
  })
})

describe('sessionFailure: only the agent may say the pairing ended', () => {
  it("the agent's FORBIDDEN ends the pairing; the relay's errors, whatever their code, do not", () => {
    expect(sessionFailure(new CompanionError('FORBIDDEN', 'This device is not paired with this vault.'))).toBe('ended')
    expect(sessionFailure(new RelayError('FORBIDDEN', 'refused'))).toBe('host-refused')
    expect(sessionFailure(new RelayError(HOST_REFUSED, 'refused'))).toBe('host-refused')
    expect(sessionFailure(new RelayError(HOST_MISSING, 'missing'))).toBe('host-missing')
    expect(sessionFailure(new RelayError('AGENT_NOT_RUNNING', 'not running'))).toBe('not-running')
    expect(sessionFailure(new CompanionError('VAULT_LOCKED', 'locked'))).toBe('locked')
    expect(sessionFailure(new CompanionError('CLOSED', 'closed'))).toBe('other')
    expect(sessionFailure(new Error('boom'))).toBe('other')
  })

  it('a sign-out whose session the pairing.ended closed before the answer came is signed out all the same', async () => {
    const t = await startAgent()
    try {
      const created = await t.services.apps.create({ name: 'Work browser', type: 'extension', expiresAt: null })
      const { session } = await pair((await openRelay(agentPort(t), undefined)).transport, readPairingInput(created.code), { claim: CLAIM })
      // The pairing ends in Keyhold while the sign-out is on its way: the session closes with the agent's pairing.ended.
      await t.services.pairings.end(t.services.pairings.list()[0]!.id, 'revoked')
      const error = await session.signOut().then(
        () => null,
        (e: unknown) => e,
      )
      expect(error).toMatchObject({ code: 'FORBIDDEN' })
      expect(signedOutAnyway(error)).toBe(true)
    } finally {
      await t.stop()
    }
    expect(signedOutAnyway(new CompanionError('CLOSED', 'The agent closed the session.'))).toBe(false)
    expect(signedOutAnyway(new RelayError(HOST_REFUSED, 'refused'))).toBe(false)
    expect(signedOutAnyway(new CompanionError('RATE_LIMITED', 'Slow down.'))).toBe(false)
  })
})

describe('HelloWatch: the lock state from the agent’s hello', () => {
  it('tells when the hello says locked, asks for the unlock screen only then, and tells when it unlocks', async () => {
    const t = await startAgent()
    try {
      const created = await t.services.apps.create({ name: 'Work browser', type: 'extension', expiresAt: null })
      t.services.vault.lock()
      const changes: boolean[] = []
      const watch = new HelloWatch((await openRelay(agentPort(t), undefined)).transport, (locked) => changes.push(locked))
      expect(watch.requestUnlock()).toBe(false)
      const pairing = pair(watch, readPairingInput(created.code), { claim: CLAIM })
      await expect.poll(() => changes).toEqual([true])
      expect(watch.requestUnlock()).toBe(true)
      await expect.poll(() => t.approver.unlockRequests).toBe(1)
      await t.services.vault.unlock({ password: PASSWORD })
      const { session } = await pairing
      expect(changes).toEqual([true, false])
      expect(watch.requestUnlock()).toBe(false)
      session.close()
    } finally {
      await t.stop()
    }
  })
})
