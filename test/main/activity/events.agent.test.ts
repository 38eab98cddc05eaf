import { chmodSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ed25519 } from '@noble/curves/ed25519.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { agentEndpoint, type AgentEndpoint } from '../../../src-main/core/agent/agent-paths'
import { connectSocket } from '../../../src-main/core/agent/socket-transport'
import type { SaveFileDialog } from '../../../src-main/core/ports'
import { createServices, type Services } from '../../../src-main/core/services'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import { openAppKeySession, pair, readPairingInput, type AppKeyProof, type PairedIdentity, type Session } from '../../../src-shared/local-access/client'
import { toBase64Url } from '../../../src-shared/local-access/frames'
import type { DeviceClaim } from '../../../src-shared/local-access/messages'
import type { ActivityEntry, ActivityEvent, Outcome } from '../../../src-shared/types/activity'
import type { AgentPrompt } from '../../../src-shared/types/agent'
import type { GeneratedAppKey } from '../../../src-shared/types/app-keys'
import type { AppCreated } from '../../../src-shared/types/apps'
import type { PairingSummary } from '../../../src-shared/types/pairings'
import type { SecretDetail } from '../../../src-shared/types/secrets'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { eventually } from '../../support/agent'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

const APP = { type: 'app' }
/** What an entry must say: who, on what, how it ended, with which facts (each compared whole). */
type Expected = { actor?: object; target?: object | null; outcome?: Outcome; detail?: object }
const BROWSER: DeviceClaim = { device: { name: 'Chromium on Linux', platform: 'chrome' }, software: 'keyhold-extension/0.1.0', kind: 'extension' }

/** The app's save dialog, answering with a file in the test's folder named as Keyhold proposes. */
class ChosenFolder implements SaveFileDialog {
  constructor(private readonly folder: string) {}
  async choosePath(options: { defaultName: string }): Promise<string> {
    return join(this.folder, options.defaultName)
  }
}

type PairingAnswer = { approved: false } | { approved: true; scope: { secrets: 'all' } | { secrets: 'tagged'; tags: string[] }; reveal: 'ask' | 'allow' }

/**
 * Each event a companion causes (a browser extension paired over the local socket, a script
 * with an application key), through the real agent and protocol, and the person's answers
 * through the window's IPC channels (agent:prompts, agent:answer-pairing, agent:answer-reveal).
 */
describe('the activity log through the agent (a real socket), one entry per event', () => {
  let dir: string
  let cleanup: () => void
  let services: Services
  let dispatch: Dispatch
  let endpoint: AgentEndpoint
  let stripe: SecretDetail
  let github: SecretDetail
  const canaries = [PASSWORD, 'sk_live_agent_canary', 'ghp_agent_canary']
  const sessions: Session[] = []

  const call = async <T>(channel: string, input: unknown = {}): Promise<T> => {
    const result = await dispatch(channel, input)
    if (!result.ok) throw Object.assign(new Error(`${channel}: ${result.error.code}: ${result.error.message}`), { code: result.error.code })
    return result.value as T
  }

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir())
    const folder = join(dir, 'run')
    mkdirSync(folder, { mode: 0o700 })
    chmodSync(folder, 0o700)
    services = createServices({
      vaultPath: join(dir, 'vault.keyhold'),
      keyStore: new MemoryKeyStore(),
      kdf: FAST_KDF,
      saveFileDialog: new ChosenFolder(dir),
      dataFolder: dir,
      agent: { holder: 'app', software: 'keyhold/test', folder, networkAddresses: () => [{ address: '127.0.0.1', family: 'IPv4', interface: 'lo', loopback: true }] },
    })
    dispatch = createAppDispatch(services)
    await call('vault:create', { password: PASSWORD, rememberOnDevice: false })
    await eventually(() => services.agent.status().listening)
    endpoint = agentEndpoint(services.vault.vault().id, folder)
    stripe = await call<SecretDetail>('secrets:add', { name: 'Stripe prod', url: 'https://api.stripe.com', clientId: 'stripe-id', clientSecret: 'sk_live_agent_canary', tags: ['prod'] })
    github = await call<SecretDetail>('secrets:add', { name: 'GitHub CI', url: 'https://api.github.com', clientId: 'gh-id', clientSecret: 'ghp_agent_canary', tags: ['ci'] })
  })
  afterAll(async () => {
    for (const session of sessions) session.close()
    await services.agent.stop()
    await services.vault.settle()
    services.vault.lock()
    await services.vault.locked()
    cleanup()
  })

  /** The entries an action added to the log, oldest first. */
  const during = async (action: () => Promise<unknown>): Promise<ActivityEntry[]> => {
    await services.activity.flush()
    const before = (await services.activity.list({ limit: 1 })).items[0]?.seq ?? 0
    await action()
    await services.vault.settle()
    await services.activity.flush()
    return (await services.activity.list({ limit: 500 })).items.filter((e) => e.seq > before).reverse()
  }

  const one = (entries: readonly ActivityEntry[], event: ActivityEvent, fields: Expected): ActivityEntry => {
    const found = entries.filter((e) => e.event === event)
    expect(found, `${event}: exactly one entry`).toEqual([expect.objectContaining({ event, ...fields })])
    return found[0]!
  }
  const none = (entries: readonly ActivityEntry[], event: ActivityEvent) => expect(entries.filter((e) => e.event === event), `${event}: no entry`).toEqual([])

  /** The question the window shows next, as the renderer polls for it. */
  const prompt = async <K extends AgentPrompt['kind']>(kind: K): Promise<Extract<AgentPrompt, { kind: K }>> => {
    for (let i = 0; i < 500; i++) {
      const found = (await call<AgentPrompt[]>('agent:prompts')).find((p) => p.kind === kind)
      if (found) return found as Extract<AgentPrompt, { kind: K }>
      await new Promise((r) => setTimeout(r, 10))
    }
    throw new Error(`the window was asked no ${kind} question within 5 s`)
  }

  /** My apps > New (an Extension key) in the window. */
  const newApp = async (name: string): Promise<AppCreated> => {
    const created = await call<AppCreated>('apps:create', { name, type: 'extension', expiresAt: null })
    canaries.push(created.code, created.code.replace(/-/g, ''))
    return created
  }

  /** The extension redeems the key over the socket; the person answers in the window. */
  const redeem = async (created: AppCreated, answer: PairingAnswer): Promise<{ identity: PairedIdentity; session: Session }> => {
    const pairing = pair(await connectSocket(endpoint), readPairingInput(created.uri), { claim: BROWSER })
    pairing.catch(() => undefined)
    const question = await prompt('pairing')
    expect(question.app.id).toBe(created.app.id)
    await call('agent:answer-pairing', { id: question.id, ...answer })
    const paired = await pairing
    canaries.push(paired.identity.privateKey)
    sessions.push(paired.session)
    return paired
  }

  /** An application paired with every secret in scope, asking before each reveal. */
  const pairedApp = async (name: string, answer: PairingAnswer = { approved: true, scope: { secrets: 'all' }, reveal: 'ask' }) => {
    const created = await newApp(name)
    const { identity, session } = await redeem(created, answer)
    return { app: created.app, pairingId: identity.pairing.id, session, asPairing: { type: 'pairing', id: created.app.id, name } }
  }

  const keySession = async (proof: AppKeyProof): Promise<Session> => {
    const target = { vaultId: services.vault.vault().id, desktopKey: toBase64Url(services.pairings.desktopKey().publicKey) }
    const session = await openAppKeySession(await connectSocket(endpoint), target, proof)
    sessions.push(session)
    return session
  }
  const codeOf = (promise: Promise<unknown>) => promise.then(() => 'OK', (e: { code?: string }) => e.code)

  describe('pairing', () => {
    it('a companion redeeming its key, approved in the window (agent:answer-pairing), records app.paired once, by the app, on the application', async () => {
      const created = await newApp('Work browser')
      let pairingId = ''
      const entries = await during(async () => {
        const { identity } = await redeem(created, { approved: true, scope: { secrets: 'all' }, reveal: 'ask' })
        pairingId = identity.pairing.id
      })
      one(entries, 'app.paired', {
        actor: APP,
        target: { type: 'app', id: created.app.id, name: 'Work browser' },
        outcome: 'ok',
        detail: { pairing: pairingId, device: 'Chromium on Linux', kind: 'extension', scope: 'all', reveal: 'ask' },
      })
      none(entries, 'app.pairing-denied')
    })

    it('a companion redeeming its key, denied in the window, records app.pairing-denied once (denied, by the app), and no app.revoked', async () => {
      const created = await newApp('Stranger')
      const entries = await during(async () => {
        const pairing = pair(await connectSocket(endpoint), readPairingInput(created.uri), { claim: BROWSER })
        const refused = codeOf(pairing)
        await call('agent:answer-pairing', { id: (await prompt('pairing')).id, approved: false })
        expect(await refused).not.toBe('OK')
      })
      one(entries, 'app.pairing-denied', { actor: APP, target: { type: 'app', id: created.app.id, name: 'Stranger' }, outcome: 'denied', detail: { reason: 'denied' } })
      none(entries, 'app.revoked')
      none(entries, 'app.paired')
    })
  })

  describe('a pairing\'s requests', () => {
    it('secrets.list records pairing.request once, by the pairing (its application by id and name), allowed', async () => {
      const { session, asPairing } = await pairedApp('Lister')
      const entries = await during(() => session.list())
      one(entries, 'pairing.request', { actor: asPairing, target: null, outcome: 'ok', detail: { op: 'secrets.list' } })
    })

    it('secrets.reveal allowed in the window (agent:answer-reveal) records pairing.request and secret.revealed once each, by the pairing, on the secret', async () => {
      const { session, asPairing } = await pairedApp('Revealer')
      const entries = await during(async () => {
        const reveal = session.reveal(stripe.id)
        await call('agent:answer-reveal', { id: (await prompt('reveal')).id, decision: 'once' })
        expect(await reveal).toEqual({ clientSecret: 'sk_live_agent_canary' })
      })
      const secret = { type: 'secret', id: stripe.id, name: 'Stripe prod' }
      one(entries, 'pairing.request', { actor: asPairing, target: secret, outcome: 'ok', detail: { op: 'secrets.reveal' } })
      one(entries, 'secret.revealed', { actor: asPairing, target: secret, outcome: 'ok' })
    })

    it('secrets.reveal refused by the person in the window records pairing.request once, denied (not forbidden: no rule refused it), and no secret.revealed', async () => {
      const { session, asPairing } = await pairedApp('Refused')
      const entries = await during(async () => {
        const reveal = codeOf(session.reveal(stripe.id))
        await call('agent:answer-reveal', { id: (await prompt('reveal')).id, decision: 'deny' })
        expect(await reveal).toBe('FORBIDDEN')
      })
      // docs/activity-log.md §1: outcome `denied` is "refused by the person", `forbidden` "refused by a rule".
      one(entries, 'pairing.request', { actor: asPairing, target: { type: 'secret', id: stripe.id, name: 'Stripe prod' }, outcome: 'denied', detail: { op: 'secrets.reveal' } })
      none(entries, 'secret.revealed')
    })

    it('secrets.reveal of a secret out of the pairing\'s scope records pairing.request once, forbidden, on the secret by its id only, and no secret.revealed', async () => {
      const { session, asPairing } = await pairedApp('CI only', { approved: true, scope: { secrets: 'tagged', tags: ['ci'] }, reveal: 'allow' })
      const entries = await during(async () => expect(await codeOf(session.reveal(stripe.id))).toBe('NOT_FOUND'))
      one(entries, 'pairing.request', { actor: asPairing, target: { type: 'secret', id: stripe.id }, outcome: 'forbidden', detail: { op: 'secrets.reveal' } })
      none(entries, 'secret.revealed')
    })

    it('pairing.signOut records app.signed-out once, by the pairing, on its application, and its request once; no app.revoked', async () => {
      const { app, pairingId, session, asPairing } = await pairedApp('Leaving browser')
      // The agent may end the session (pairing.ended) before its answer to the sign-out arrives.
      const entries = await during(() => session.signOut().catch(() => undefined))
      one(entries, 'app.signed-out', {
        actor: asPairing,
        target: { type: 'app', id: app.id, name: 'Leaving browser' },
        outcome: 'ok',
        detail: { pairing: pairingId, device: 'Chromium on Linux', reason: 'signed-out' },
      })
      one(entries, 'pairing.request', { actor: asPairing, target: null, outcome: 'ok', detail: { op: 'pairing.signOut' } })
      none(entries, 'app.revoked')
    })
  })

  describe('ending a pairing in the window', () => {
    it('pairings:revoke (Settings > Connected apps) records app.revoked once, by the app, on the application', async () => {
      const { app, pairingId, session } = await pairedApp('Old laptop')
      const entries = await during(async () => {
        await call('pairings:revoke', { id: pairingId })
        await eventually(() => session.closed)
      })
      one(entries, 'app.revoked', { actor: APP, target: { type: 'app', id: app.id, name: 'Old laptop' }, outcome: 'ok', detail: expect.objectContaining({ pairing: pairingId, reason: 'revoked' }) })
    })

    it('apps:revoke of a paired application records app.revoked once, by the app (not once more for its pairing)', async () => {
      const { app, session } = await pairedApp('Lost laptop')
      const entries = await during(async () => {
        await call('apps:revoke', { id: app.id })
        // The agent notices at its next look, or at the next request, and closes the session.
        await session.list().catch(() => undefined)
      })
      one(entries, 'app.revoked', { actor: APP, target: { type: 'app', id: app.id, name: 'Lost laptop' }, outcome: 'ok' })
    })

    it('pairings:revoke-all records app.revoked once for each live pairing, by the app', async () => {
      await pairedApp('Desk browser')
      const live = (await call<PairingSummary[]>('pairings:list')).filter((p) => p.status === 'live')
      expect(live.length).toBeGreaterThanOrEqual(2)
      let ended = 0
      const entries = await during(async () => (ended = (await call<{ ended: number }>('pairings:revoke-all')).ended))
      expect(ended).toBe(live.length)
      const byApp = (a: { target: { id?: string } | null }, b: { target: { id?: string } | null }) => String(a.target?.id).localeCompare(String(b.target?.id))
      const revoked = entries.filter((e) => e.event === 'app.revoked').map((e) => ({ actor: e.actor, target: e.target, outcome: e.outcome }))
      expect(revoked.sort(byApp)).toEqual(live.map((p) => ({ actor: APP, target: { type: 'app', id: p.app.id, name: p.app.name }, outcome: 'ok' })).sort(byApp))
    })
  })

  describe('an application key\'s requests', () => {
    const generate = async (label: string, roleIds: string[]) => {
      await call('vault:confirm-password', { password: PASSWORD })
      const generated = await call<GeneratedAppKey>('app-keys:generate', { label, roleIds })
      canaries.push(generated.token)
      return { key: generated.key.key, token: generated.token, asKey: { type: 'appkey', id: generated.key.key, name: label } }
    }

    it('secrets.list records appkey.used once, by the key (id and label), allowed', async () => {
      const { key, token, asKey } = await generate('deploy bot', ['secrets-reader'])
      const session = await keySession({ key, token })
      const entries = await during(() => session.list())
      one(entries, 'appkey.used', { actor: asKey, target: null, outcome: 'ok', detail: { op: 'secrets.list' } })
    })

    it('a request its roles do not allow records appkey.used once, forbidden', async () => {
      const { key, token, asKey } = await generate('reader only', ['secrets-reader'])
      const session = await keySession({ key, token })
      const entries = await during(async () => expect(await codeOf(session.request('apps.list'))).toBe('FORBIDDEN'))
      one(entries, 'appkey.used', { actor: asKey, target: null, outcome: 'forbidden', detail: { op: 'apps.list' } })
    })

    it('secrets.reveal records appkey.used and secret.revealed once each, by the key, on the secret', async () => {
      const { key, token, asKey } = await generate('release job', ['secrets-reader'])
      const session = await keySession({ key, token })
      const entries = await during(async () => expect(await session.reveal(github.id)).toEqual({ clientSecret: 'ghp_agent_canary' }))
      const secret = { type: 'secret', id: github.id, name: 'GitHub CI' }
      one(entries, 'appkey.used', { actor: asKey, target: secret, outcome: 'ok', detail: { op: 'secrets.reveal' } })
      one(entries, 'secret.revealed', { actor: asKey, target: secret, outcome: 'ok' })
    })

    it('a third-party key (signed in with its Ed25519 key) records appkey.used once, by the key named as its other entries name it (its account)', async () => {
      const issuer = ed25519.utils.randomSecretKey()
      canaries.push(Buffer.from(issuer).toString('hex'), toBase64Url(issuer), Buffer.from(issuer).toString('base64'))
      const key = 'partner-key-agent-1'
      await call('vault:confirm-password', { password: PASSWORD })
      const added = await during(() => call('app-keys:add-external', { key, account: 'partner.example', roleIds: ['secrets-reader'], publicKey: toBase64Url(ed25519.getPublicKey(issuer)) }))
      const name = one(added, 'appkey.added', { actor: APP }).target?.name
      expect(name).toBe('partner.example')
      const session = await keySession({ key, sign: (m) => ed25519.sign(m, issuer) })
      const entries = await during(() => session.list())
      one(entries, 'appkey.used', { actor: { type: 'appkey', id: key, name: 'partner.example' }, target: null, outcome: 'ok', detail: { op: 'secrets.list' } })
    })
  })

  it('SECURITY: no client secret, authorization code, companion key, token, private key or password used above is in any entry, nor in the CSV and JSON exports', async () => {
    const raw = JSON.stringify((await services.activity.list({ limit: 500 })).items)
    const exported = async (format: 'csv' | 'json') => readFileSync((await call<{ path: string }>('activity:export', { format })).path, 'utf8')
    const [csv, json] = [await exported('csv'), await exported('json')]
    expect(canaries.length).toBeGreaterThan(20)
    for (const text of [raw, csv, json]) for (const canary of canaries) expect(text).not.toContain(canary)
  })
})
