import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CompanionError, openSession } from '../../../src-shared/local-access/client'
import { encodeBody, jsonBytes } from '../../../src-shared/local-access/frames'
import { addSecrets, eventually, startAgent, type TestAgent } from '../../support/agent'
import { PASSWORD } from '../../support/vault'

/** An approver that holds every question until the test answers it, and sees it withdrawn. */
function holdQuestions(t: TestAgent) {
  const asked: Array<{ signal: AbortSignal; answer: (approved: boolean) => void }> = []
  t.approver.onPairing = (_request, signal) =>
    new Promise((resolve) => asked.push({ signal, answer: (approved) => resolve(approved ? { approved: true, scope: { secrets: 'all' }, reveal: 'ask' } : { approved: false }) }))
  return asked
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('the approval wait, however it ends', () => {
  let t: TestAgent
  beforeEach(async () => {
    t = await startAgent()
    await addSecrets(t.services)
  })
  afterEach(() => t.stop())

  it('a companion that leaves during the dialog withdraws it, and the key is burned (not left claimed)', async () => {
    const asked = holdQuestions(t)
    const created = await t.newApp()
    const attempt = t.pairWith(created.uri).catch((e: CompanionError) => e)
    await eventually(() => asked.length === 1)
    // The companion goes away: the test closes every socket the agent holds.
    await t.agent.stop()
    await attempt
    await eventually(() => asked[0]!.signal.aborted)
    await eventually(() => t.services.apps.get(created.app.id).status === 'revoked')
  })

  it('a lock during the dialog refuses the companion ("locked") and burns the key at the next unlock', async () => {
    const asked = holdQuestions(t)
    const created = await t.newApp()
    const attempt = t.pairWith(created.uri).catch((e: CompanionError) => e)
    await eventually(() => asked.length === 1)
    t.services.vault.lock()
    expect(await attempt).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/locked before the pairing was approved/) })
    await t.services.vault.locked()
    await t.services.vault.unlock({ password: PASSWORD })
    await eventually(() => t.services.apps.get(created.app.id).status === 'revoked')
  })

  it('an answer that comes after the companion left changes nothing: the key stays burned and no pairing is made', async () => {
    const asked = holdQuestions(t)
    t.approver.onPairing = (_request) => new Promise((resolve) => asked.push({ signal: new AbortController().signal, answer: () => resolve({ approved: true, scope: { secrets: 'all' }, reveal: 'ask' }) }))
    const created = await t.newApp()
    const raw = await t.connect()
    const attempt = t.pairWith(created.uri).catch((e: CompanionError) => e)
    raw.close()
    await eventually(() => asked.length === 1)
    await t.agent.stop()
    await attempt
    asked[0]!.answer(true)
    await eventually(() => t.services.apps.get(created.app.id).status === 'revoked')
    expect(t.services.pairings.list().every((p) => p.status !== 'live')).toBe(true)
  })

  it('two keys redeemed at once never open two dialogs: the second waits its turn with RATE_LIMITED, its key unused', async () => {
    const asked = holdQuestions(t)
    const [a, b] = [await t.newApp('A'), await t.newApp('B')]
    const results = Promise.allSettled([t.pairWith(a.uri), t.pairWith(b.uri)])
    await eventually(() => asked.length === 1)
    await new Promise((r) => setTimeout(r, 200))
    expect(asked).toHaveLength(1)
    asked[0]!.answer(true)
    const [ra, rb] = await results
    const refused = [ra, rb].find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toMatchObject({ code: 'RATE_LIMITED' })
    const other = ra.status === 'rejected' ? a : b
    expect(t.services.apps.get(other.app.id).status).toBe('pending')
  })

  it('a proof against an unknown application writes nothing: the vault file stays byte-identical', async () => {
    await t.services.vault.settle()
    const before = sha(t.path)
    for (let i = 0; i < 5; i++) {
      const raw = await t.connect()
      raw.send(encodeBody('clear', jsonBytes({ t: 'hello', v: [1], mode: 'pair', app: 'no-such-app' })))
      await raw.next()
      raw.send(encodeBody('handshake', new Uint8Array(48)))
      await raw.next()
    }
    await t.services.vault.settle()
    expect(sha(t.path)).toBe(before)
  })

  it('a reveal question is withdrawn when its companion leaves; nothing is revealed or recorded', async () => {
    t.approver.onPairing = async () => ({ approved: true, scope: { secrets: 'all' }, reveal: 'ask' })
    let withdrawn: AbortSignal | null = null
    let answer: (d: 'once') => void = () => undefined
    t.approver.onReveal = (_r, signal) => {
      withdrawn = signal
      return new Promise((resolve) => (answer = resolve))
    }
    const { identity, session } = await t.pairWith((await t.newApp()).uri)
    const id = (await session.list({ query: 'stripe' })).items[0]!.id
    const asking = session.reveal(id).catch((e: CompanionError) => e)
    await eventually(() => withdrawn !== null)
    session.close()
    await eventually(() => withdrawn!.aborted)
    answer('once')
    await asking
    expect(t.services.pairings.reveals()).toEqual([])
    const again = await openSession(await t.connect(), identity)
    t.approver.onReveal = async () => 'once'
    expect(await again.reveal(id)).toEqual({ clientSecret: 'sk_live_stripe' })
    expect(t.services.pairings.reveals()).toEqual([expect.objectContaining({ secretId: id, allowedBy: 'asked', pairingId: identity.pairing.id, appKey: null })])
    again.close()
  })
})

describe('connections that misbehave', () => {
  let t: TestAgent
  beforeEach(async () => {
    t = await startAgent({ requestLimits: false })
    await addSecrets(t.services)
  })
  afterEach(() => t.stop())

  it('a peer that leaves more than a megabyte of answers unread is dropped', async () => {
    t.approver.onPairing = async () => ({ approved: true, scope: { secrets: 'all' }, reveal: 'allow' })
    const { session } = await t.pairWith((await t.newApp()).uri)
    await session.ping()
    // Requests without reading: the client's socket stops reading when its buffer fills.
    const flood = Array.from({ length: 4_000 }, () => session.list({ limit: 100 }).catch(() => undefined))
    await eventually(() => session.closed, 10_000)
    await Promise.all(flood)
    expect(t.agent.connectionCount).toBe(0)
  })

  it('the 65th connection is told RATE_LIMITED in words, not dropped silently', async () => {
    const open = await Promise.all(Array.from({ length: 64 }, () => t.connect()))
    const extra = await t.connect()
    const body = await extra.next()
    expect(body && new TextDecoder().decode(body.subarray(1))).toMatch(/"code":"RATE_LIMITED"/)
    for (const c of [...open, extra]) c.close()
  })

  it('a session ended by a revoke tells its pending requests why', async () => {
    t.approver.onPairing = async () => ({ approved: true, scope: { secrets: 'all' }, reveal: 'ask' })
    t.approver.onReveal = () => new Promise(() => undefined)
    const created = await t.newApp()
    const { session } = await t.pairWith(created.uri)
    const id = (await session.list()).items[0]!.id
    const pending = session.reveal(id).catch((e: CompanionError) => e)
    await eventually(() => t.approver.reveals.length === 1)
    await t.services.apps.revoke(created.app.id)
    expect(await pending).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/pairing was ended in Keyhold/) })
  })
})
