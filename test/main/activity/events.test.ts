import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openAppKeySession } from '../../../src-shared/local-access/client'
import { toBase64Url } from '../../../src-shared/local-access/frames'
import type { ActivityEntry } from '../../../src-shared/types/activity'
import { addSecrets, startAgent, type TestAgent } from '../../support/agent'
import { PASSWORD } from '../../support/vault'

/** Each event the services record, with its actor and target; and no secret, token or key in any entry. */
describe('the activity log records each event once, with who and what', () => {
  let t: TestAgent
  beforeEach(async () => {
    t = await startAgent()
    await addSecrets(t.services)
    await t.services.vault.confirmPassword(PASSWORD)
  })
  afterEach(() => t.stop())

  const log = async (): Promise<ActivityEntry[]> => (await t.services.activity.list({ limit: 500 })).items.reverse()
  const only = async (event: ActivityEntry['event']) => (await log()).filter((e) => e.event === event)
  const stripe = () => t.services.secrets.resolve('stripe')

  it('secrets: imported (the test data), added, shown, copied, edited and deleted, by the app', async () => {
    expect(await only('secret.imported')).toEqual([expect.objectContaining({ actor: { type: 'app' }, detail: { count: 3 } })])
    const added = await t.services.secrets.add({ name: 'Twilio', url: 'https://api.twilio.com', clientId: 'AC1', clientSecret: 'tw_canary_secret', tags: [] })
    t.services.secrets.reveal(stripe().id)
    await t.services.secrets.copy(stripe().id, 'clientSecret')
    await t.services.secrets.edit({ id: added.id, name: 'Twilio prod' })
    await t.services.secrets.remove(added.id)
    const events = (await log()).filter((e) => e.event.startsWith('secret.') && e.event !== 'secret.imported')
    expect(events.map((e) => [e.event, e.actor.type, e.target?.name, e.outcome])).toEqual([
      ['secret.added', 'app', 'Twilio', 'ok'],
      ['secret.revealed', 'app', 'Stripe prod', 'ok'],
      ['secret.copied', 'app', 'Stripe prod', 'ok'],
      ['secret.edited', 'app', 'Twilio prod', 'ok'],
      ['secret.deleted', 'app', 'Twilio prod', 'ok'],
    ])
    expect(events[2]!.detail).toEqual({ field: 'clientSecret' })
    expect(events[3]!.detail).toEqual({ fields: ['name'] })
  })

  it('authorization keys: created, edited, paired through the agent, its requests, signed out; another revoked; a denied one', async () => {
    const created = await t.newApp('Work phone')
    await t.services.apps.edit({ id: created.app.id, name: 'Work phone 2' })
    const { session } = await t.pairWith(created.uri)
    const page = await session.list()
    await session.reveal(page.items.find((s) => s.identifier === 'stripe')!.id)
    // The agent may close the session with pairing.ended before its answer to the sign-out arrives.
    await session.signOut().catch(() => undefined)
    const other = await t.newApp('Tablet')
    await t.services.apps.revoke(other.app.id)
    t.approver.onPairing = async () => ({ approved: false })
    const denied = await t.newApp('Stranger')
    await t.pairWith(denied.uri).catch(() => undefined)
    await t.services.vault.settle()

    const entries = await log()
    const paired = entries.find((e) => e.event === 'app.paired')!
    const pairingId = String(paired.detail.pairing)
    expect(paired).toMatchObject({ target: { type: 'app', id: created.app.id, name: 'Work phone 2' }, detail: { device: 'Test phone', kind: 'mobile', scope: 'all', reveal: 'allow' } })
    expect(entries.filter((e) => e.event === 'app.created').map((e) => e.target?.name)).toEqual(['Work phone', 'Tablet', 'Stranger'])
    expect(await only('app.edited')).toHaveLength(1)
    const requests = entries.filter((e) => e.event === 'pairing.request')
    // A pairing acts as its application in My apps (one application, one pairing), so the app's Activity finds its requests.
    const asApp = { type: 'pairing', id: created.app.id, name: 'Work phone 2' }
    expect(requests.map((e) => [e.detail.op, e.actor, e.target?.name ?? null, e.outcome])).toEqual([
      ['secrets.list', asApp, null, 'ok'],
      ['secrets.reveal', asApp, 'Stripe prod', 'ok'],
      ['pairing.signOut', asApp, null, 'ok'],
    ])
    expect(entries.find((e) => e.event === 'secret.revealed')).toMatchObject({ actor: asApp, target: { name: 'Stripe prod' } })
    expect(await only('app.signed-out')).toEqual([expect.objectContaining({ actor: asApp, detail: expect.objectContaining({ reason: 'signed-out', pairing: pairingId }) })])
    // The application's own entries: what was done to it and what it did.
    const ofApp = (await t.services.activity.list({ targetId: created.app.id, limit: 100 })).items.map((e) => e.event)
    expect(ofApp).toEqual(expect.arrayContaining(['app.created', 'app.paired', 'pairing.request', 'secret.revealed', 'app.signed-out']))
    expect((await only('app.revoked')).map((e) => e.target?.name)).toEqual(['Tablet'])
    expect(await only('app.pairing-denied')).toEqual([expect.objectContaining({ target: expect.objectContaining({ name: 'Stranger' }), outcome: 'denied' })])
  })

  it('application keys: generated, roles changed, deactivated, activated; every use, allowed or forbidden', async () => {
    const { key, token } = await t.services.appKeys.generate({ label: 'ci', roleIds: ['secrets-reader'] })
    await t.services.appKeys.changeRoles(key.key, { add: ['apps-reader'] }).catch(() => t.services.appKeys.setRoles(key.key, ['secrets-reader']))
    const target = { vaultId: t.services.vault.vault().id, desktopKey: toBase64Url(t.services.pairings.desktopKey().publicKey) }
    const session = await openAppKeySession(await t.connect(), target, { key: key.key, token })
    await session.list()
    await session.request('apps.list').catch(() => undefined)
    session.close()
    await t.services.appKeys.deactivate(key.key)
    await t.services.appKeys.activate(key.key)
    const entries = await log()
    expect(entries.filter((e) => e.event.startsWith('appkey.') && e.event !== 'appkey.used').map((e) => [e.event, e.target?.id])).toEqual([
      ['appkey.generated', key.key],
      ['appkey.roles-changed', key.key],
      ['appkey.deactivated', key.key],
      ['appkey.activated', key.key],
    ])
    const uses = entries.filter((e) => e.event === 'appkey.used')
    expect(uses.map((e) => [e.detail.op, e.actor, e.outcome])).toEqual([
      ['secrets.list', { type: 'appkey', id: key.key, name: 'ci' }, 'ok'],
      ['apps.list', { type: 'appkey', id: key.key, name: 'ci' }, expect.stringMatching(/ok|forbidden/)],
    ])
    // SECURITY: no token in any entry.
    expect(JSON.stringify(entries)).not.toContain(token)
  })

  it('the vault: a wrong password and the unlock after it, a lock, a password change and a re-key', async () => {
    t.services.vault.lock()
    await t.services.vault.locked()
    await t.services.vault.unlock({ password: 'not the password at all' }).catch(() => undefined)
    await t.services.vault.unlock({ password: PASSWORD })
    await t.services.vault.changePassword({ current: PASSWORD, next: 'another long password 2' })
    await t.services.vault.rotateKey({ password: 'another long password 2' })
    const events = (await log()).map((e) => e.event).filter((e) => e.startsWith('vault.'))
    expect(events).toEqual(['vault.locked', 'vault.unlock-failed', 'vault.unlocked', 'vault.password-changed', 'vault.rekeyed'])
    expect(await t.services.activity.verify()).toMatchObject({ ok: true })
  })

  it('SECURITY: no client secret, token, authorization key or password in any entry', async () => {
    const created = await t.newApp('Phone')
    const { session } = await t.pairWith(created.uri)
    await session.reveal((await session.list()).items.find((s) => s.identifier === 'stripe')!.id)
    t.services.secrets.reveal(stripe().id)
    await t.services.secrets.copy(stripe().id, 'clientSecret')
    const { token } = await t.services.appKeys.generate({ label: 'canary', roleIds: [] })
    const text = JSON.stringify(await log())
    for (const canary of ['sk_live_stripe', 'ghp_secret', created.code, created.code.replace(/-/g, ''), token, PASSWORD]) expect(text).not.toContain(canary)
  })

  it('an application key with audit:read reads the log through the agent; one without it, and a pairing, are refused', async () => {
    const reader = await t.services.appKeys.generate({ label: 'auditor', roleIds: ['audit-reader'] })
    const plain = await t.services.appKeys.generate({ label: 'ci', roleIds: ['secrets-reader'] })
    t.services.secrets.reveal(stripe().id)
    const target = { vaultId: t.services.vault.vault().id, desktopKey: toBase64Url(t.services.pairings.desktopKey().publicKey) }
    const session = await openAppKeySession(await t.connect(), target, { key: reader.key.key, token: reader.token })
    const page = (await session.request('audit.list', { event: 'secret.revealed' })) as { items: ActivityEntry[] }
    expect(page.items.map((e) => [e.event, e.target?.name])).toEqual([['secret.revealed', 'Stripe prod']])
    session.close()
    const other = await openAppKeySession(await t.connect(), target, { key: plain.key.key, token: plain.token })
    expect(await other.request('audit.list').then(() => 'OK', (e: { code: string }) => e.code)).toBe('FORBIDDEN')
    other.close()
    const { session: paired } = await t.pairWith((await t.newApp('Phone')).uri)
    expect(await paired.request('audit.list').then(() => 'OK', (e: { code: string }) => e.code)).toBe('FORBIDDEN')
    paired.close()
  })
})
