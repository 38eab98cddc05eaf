import { writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalAgent } from '../../../src-main/core/agent/agent'
import { CompanionError, openSession } from '../../../src-shared/local-access/client'
import { REFUSAL } from '../../../src-shared/local-access/messages'
import { addSecrets, CLAIM, eventually, startAgent, type TestAgent } from '../../support/agent'
import { FAST_KDF, FakeClock, PASSWORD } from '../../support/vault'
import { createServices } from '../../../src-main/core/services'
import { MemoryKeyStore } from '../../fakes/memory.key-store'

const failure = async (promise: Promise<unknown>) => {
  try {
    await promise
  } catch (error) {
    if (error instanceof CompanionError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a refusal')
}

describe('pairing with an authorization key (agent on a real socket)', () => {
  let t: TestAgent
  beforeEach(async () => {
    t = await startAgent()
    await addSecrets(t.services)
  })
  afterEach(() => t.stop())

  it('pairs from the QR URI: both sides show the same phrase, the application becomes active, the companion lists and reveals', async () => {
    const created = await t.newApp('Work phone')
    expect(created.uri).toMatch(/&dpk=[A-Za-z0-9_-]{43}$/)
    const { identity, session, phrase } = await t.pairWith(created.uri)
    expect(phrase).toMatch(/^[a-z]+ [a-z]+ [a-z]+ [a-z]+$/)
    expect(t.approver.pairings[0]).toMatchObject({ phrase, app: { id: created.app.id, name: 'Work phone' }, claim: CLAIM })
    expect(identity.pairing).toMatchObject({ app: { id: created.app.id }, scope: { secrets: 'all' }, reveal: 'allow' })
    expect(t.services.apps.get(created.app.id)).toMatchObject({ status: 'active', lastUsedAt: expect.any(String) })

    const page = await session.list()
    expect(page.total).toBe(3)
    expect(JSON.stringify(page)).not.toMatch(/sk_live_stripe|ghp_secret/)
    const stripe = page.items.find((s) => s.identifier === 'stripe')!
    expect(await session.reveal(stripe.id)).toEqual({ clientSecret: 'sk_live_stripe' })
    session.close()

    const again = await openSession(await t.connect(), identity)
    expect((await again.list({ query: 'github' })).items.map((s) => s.name)).toEqual(['GitHub CI'])
    again.close()
  })

  it('a session learns the person\'s clipboard delay, so a companion clears its copies when Keyhold would', async () => {
    const { identity, session } = await t.pairWith((await t.newApp('Browser')).uri)
    session.close()
    await t.services.settings.update({ clipboardClearSeconds: 12 })
    const again = await openSession(await t.connect(), identity)
    expect(again.clipboardClearSeconds).toBe(12)
    again.close()
  })

  it('pairs from a typed code, trying every pending key', async () => {
    await t.newApp('Other')
    const created = await t.newApp('Typed')
    const typed = created.code.toLowerCase().replace(/-/g, ' ')
    const { identity } = await t.pairWith(typed)
    expect(identity.pairing.app.name).toBe('Typed')
  })

  it('refuses a wrong key, an unknown application and a used key with the same words', async () => {
    const a = await t.newApp('A')
    const b = await t.newApp('B')
    const wrongKey = a.uri.replace(/key=[^&]+/, `key=${encodeURIComponent(b.code)}`)
    const unknownApp = a.uri.replace(/app=[^&]+/, 'app=00000000-0000-4000-8000-000000000000')
    const refusals = [await failure(t.pairWith(wrongKey)), await failure(t.pairWith(unknownApp))]
    await t.pairWith(b.uri)
    refusals.push(await failure(t.pairWith(b.uri)))
    for (const refusal of refusals) expect(refusal).toEqual({ code: 'FORBIDDEN', message: REFUSAL.pair })
  })

  it('burns a key after five failed proofs', async () => {
    const a = await t.newApp('A')
    const b = await t.newApp('B')
    const wrongKey = a.uri.replace(/key=[^&]+/, `key=${encodeURIComponent(b.code)}`)
    for (let i = 0; i < 4; i++) await failure(t.pairWith(wrongKey))
    await t.services.vault.settle()
    expect(t.services.apps.get(a.app.id).status).toBe('pending')
    await failure(t.pairWith(wrongKey))
    // The refusal goes out first; the count is saved right after it.
    await eventually(() => t.services.apps.get(a.app.id).status === 'revoked')
    expect(await failure(t.pairWith(a.uri))).toEqual({ code: 'FORBIDDEN', message: REFUSAL.pair })
  })

  it('of 50 concurrent redemptions of one key, exactly one pairs', async () => {
    const created = await t.newApp('Raced')
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => t.pairWith(created.uri)))
    const won = results.filter((r) => r.status === 'fulfilled')
    expect(won).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect((r.reason as CompanionError).code).toBe('FORBIDDEN')
    expect(t.services.pairings.list()).toHaveLength(1)
  })

  it('a second holder of the key who reaches message 3 while the dialog is open is refused, and the dialog is told', async () => {
    const created = await t.newApp('Contested')
    let release: () => void = () => undefined
    t.approver.onPairing = () => new Promise((resolve) => (release = () => resolve({ approved: true, scope: { secrets: 'all' }, reveal: 'ask' })))
    // Ten holders at once: most pass message 1 before the winner's message 3 claims the key.
    const attempts = Array.from({ length: 10 }, () => t.pairWith(created.uri).then(() => 'paired', (e: CompanionError) => e.message))
    await eventually(() => t.approver.pairings.length === 1 && t.approver.contested.length > 0)
    expect(t.approver.contested).toContain(created.app.id)
    release()
    const outcomes = await Promise.all(attempts)
    expect(outcomes.filter((o) => o === 'paired')).toHaveLength(1)
    expect(new Set(outcomes.filter((o) => o !== 'paired'))).toEqual(new Set([REFUSAL.pair]))
  })

  it('ending a pairing revokes its application: My apps does not show a spent key as active', async () => {
    const created = await t.newApp()
    await t.pairWith(created.uri)
    expect(t.services.apps.get(created.app.id).status).toBe('active')
    await t.services.pairings.endAll()
    expect(t.services.apps.get(created.app.id).status).toBe('revoked')
    expect(t.services.pairings.list()[0]).toMatchObject({ status: 'ended', endReason: 'revoked-all' })
  })

  it('a companion pinning another desktop key stops before sending its claim', async () => {
    const created = await t.newApp()
    const wrong = created.uri.replace(/dpk=[^&]+/, `dpk=${'A'.repeat(43)}`)
    expect(await failure(t.pairWith(wrong))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/not the Keyhold/) })
    expect(t.approver.pairings).toHaveLength(0)
    expect(t.services.apps.get(created.app.id).status).toBe('pending')
  })

  it('deny burns the key and tells the companion', async () => {
    t.approver.onPairing = async () => ({ approved: false })
    const created = await t.newApp()
    expect(await failure(t.pairWith(created.uri))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/denied/) })
    expect(t.services.apps.get(created.app.id).status).toBe('revoked')
  })

  it('revoking the application closes its live session within a second', async () => {
    const created = await t.newApp()
    const { session } = await t.pairWith(created.uri)
    const events: unknown[] = []
    session.onEvent((e) => events.push(e))
    await session.ping()
    await t.services.apps.revoke(created.app.id)
    const took = await eventually(() => session.closed, 1_000)
    expect(took).toBeLessThan(1_000)
    expect(events).toContainEqual({ event: 'pairing.ended', reason: 'revoked' })
    // Settings > Connected apps dates it by the revoke in My apps.
    const revokedAt = t.services.apps.get(created.app.id).revokedAt
    expect(t.services.pairings.list()[0]).toMatchObject({ status: 'app-revoked', endedAt: revokedAt, endReason: 'revoked' })
  })

  it('a pairing holds at most four connections at once: the fifth is closed with RATE_LIMITED', async () => {
    const { identity, session } = await t.pairWith((await t.newApp()).uri)
    const more = [await openSession(await t.connect(), identity), await openSession(await t.connect(), identity), await openSession(await t.connect(), identity)]
    await Promise.all(more.map((s) => s.ping()))
    const fifth = await openSession(await t.connect(), identity)
    expect(await failure(fifth.ping())).toMatchObject({ code: 'RATE_LIMITED' })
    await session.ping()
    for (const s of [session, ...more]) s.close()
  })

  it('a revoke saved by another process (keyhold app revoke) closes the live session within a second; a key created there pairs', async () => {
    const created = await t.newApp()
    const { session } = await t.pairWith(created.uri)
    await session.ping()
    const other = createServices({ vaultPath: t.path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
    await other.vault.unlock({ password: PASSWORD })
    const fresh = await other.apps.create({ name: 'Made elsewhere', type: 'mobile' })
    await other.apps.revoke(created.app.id)
    other.vault.lock()
    const took = await eventually(() => session.closed, 1_500)
    expect(took).toBeLessThan(1_000)
    expect((await t.pairWith(fresh.uri)).identity.pairing.app.name).toBe('Made elsewhere')
  })

  it('sign out ends the pairing: the identity opens nothing afterwards', async () => {
    const created = await t.newApp()
    const { identity, session } = await t.pairWith(created.uri)
    await session.signOut()
    expect(t.services.pairings.list()[0]).toMatchObject({ status: 'ended', endReason: 'signed-out' })
    expect(await failure(openSession(await t.connect(), identity))).toEqual({ code: 'FORBIDDEN', message: REFUSAL.session })
  })

  it('sign out is answered even when the agent\'s periodic check sees the pairing end before the answer goes', async () => {
    const { session } = await t.pairWith((await t.newApp()).uri)
    // The sweep (every few seconds) landing while the sign-out saves: forced here, between the end and the answer.
    const end = t.services.pairings.end.bind(t.services.pairings)
    t.services.pairings.end = async (...args: Parameters<typeof end>) => {
      const ended = await end(...args)
      ;(t.agent as unknown as { check(): void }).check()
      return ended
    }
    await session.signOut()
    expect(t.services.pairings.list()[0]).toMatchObject({ status: 'ended', endReason: 'signed-out' })
  })

  it('a tag-scoped pairing sees only secrets with its tags; others do not exist for it', async () => {
    t.approver.onPairing = async () => ({ approved: true, scope: { secrets: 'tagged', tags: ['PROD'] }, reveal: 'ask' })
    t.approver.onReveal = async () => 'deny'
    const { session } = await t.pairWith((await t.newApp()).uri)
    const page = await session.list()
    expect(page).toMatchObject({ total: 1, items: [{ identifier: 'stripe' }] })
    const github = (await t.services.secrets.list({ search: 'github' })).items[0]!
    expect(await failure(session.get(github.id))).toMatchObject({ code: 'NOT_FOUND' })
    expect(await failure(session.reveal(github.id))).toMatchObject({ code: 'NOT_FOUND' })
    expect(await failure(session.reveal(page.items[0]!.id))).toMatchObject({ code: 'FORBIDDEN' })
    expect(t.approver.reveals).toHaveLength(1)
    session.close()
  })
})

describe('pairing expiry and lock', () => {
  it('a session ends at the application expiry instant, and no handshake succeeds after it', async () => {
    const clock = new FakeClock(Date.now())
    const t = await startAgent({ clock })
    try {
      const expiresAt = new Date(clock.now() + 60_000).toISOString()
      const created = await t.newApp('Expiring', expiresAt)
      const { identity, session } = await t.pairWith(created.uri)
      clock.time = Date.parse(expiresAt) - 1
      await session.ping()
      clock.time = Date.parse(expiresAt)
      await eventually(() => session.closed, 1_000)
      expect(await failure(openSession(await t.connect(), identity))).toEqual({ code: 'FORBIDDEN', message: REFUSAL.session })
    } finally {
      await t.stop()
    }
  })

  it('idle auto-revoke ends pairings unused for the set days (90 by default; 0 never), at unlock too', async () => {
    const clock = new FakeClock(Date.now())
    const t = await startAgent({ clock })
    try {
      const { session } = await t.pairWith((await t.newApp()).uri)
      session.close()
      clock.advance(89 * 24 * 3600_000)
      expect(await t.services.pairings.endIdle()).toBe(0)
      await t.services.pairings.setIdleDays(0)
      clock.advance(365 * 24 * 3600_000)
      expect(await t.services.pairings.endIdle()).toBe(0)
      await t.services.pairings.setIdleDays(90)
      t.services.vault.lock()
      await t.services.vault.locked()
      await t.services.vault.unlock({ password: PASSWORD })
      await eventually(() => t.services.pairings.list()[0]?.status === 'ended')
      expect(t.services.pairings.list()[0]).toMatchObject({ endReason: 'idle' })
    } finally {
      await t.stop()
    }
  })

  it('while locked, requests get VAULT_LOCKED and a new hello waits, then gives up', async () => {
    const t = await startAgent({ timings: { lockedWaitMs: 300 } })
    try {
      const created = await t.newApp()
      const { identity, session } = await t.pairWith(created.uri)
      t.services.vault.lock()
      expect(await failure(session.list())).toMatchObject({ code: 'VAULT_LOCKED' })
      expect(await failure(openSession(await t.connect(), identity))).toMatchObject({ code: 'VAULT_LOCKED' })
      session.close()
    } finally {
      await t.stop()
    }
  })
})

describe('one agent per vault', () => {
  it('a second agent in this process is refused while the first answers; files left by one that died are cleared', async () => {
    const t = await startAgent()
    try {
      const second = new LocalAgent({ services: t.services, clock: t.services.clock, approver: t.approver, holder: 'app', software: 'x', folder: t.endpoint.folder })
      await expect(second.start()).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/already running in the Keyhold app \(process \d+/) })
      // A core thread that died leaves its socket and facts file, with this very pid in them.
      await t.agent.stop()
      writeFileSync(t.endpoint.info, JSON.stringify({ v: 1, vault: 'x', dpk: null, pid: process.pid, holder: 'app', since: new Date().toISOString() }))
      writeFileSync(t.endpoint.socket, '')
      const third = new LocalAgent({ services: t.services, clock: t.services.clock, approver: t.approver, holder: 'app', software: 'x', folder: t.endpoint.folder })
      await third.start()
      expect((await t.pairWith((await t.newApp()).uri)).identity.pairing.app.name).toBe('Phone')
      await third.stop()
    } finally {
      await t.stop()
    }
  })
})
