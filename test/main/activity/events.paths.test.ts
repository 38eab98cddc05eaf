import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { SaveFileDialog } from '../../../src-main/core/ports'
import { createServices, type Services } from '../../../src-main/core/services'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import type { ActivityEntry, ActivityEvent, Outcome } from '../../../src-shared/types/activity'
import type { AppKeySummary, GeneratedAppKey } from '../../../src-shared/types/app-keys'
import type { AppCreated, AppSummary } from '../../../src-shared/types/apps'
import type { SecretDetail } from '../../../src-shared/types/secrets'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { initVault, keyhold } from '../../support/cli'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

const DAY = 24 * 60 * 60 * 1000
const APP = { type: 'app' }
/** What an entry must say: who, on what, how it ended, with which facts (each compared whole). */
type Expected = { actor?: object; target?: object | null; outcome?: Outcome; detail?: object }

/** The real clock moved by hand: the agent's and the vault's timers keep running, and retention sees days pass. */
class ShiftedClock {
  offset = 0
  now(): number {
    return Date.now() + this.offset
  }
}

/** The app's save dialog, answering with a file in the test's folder named as Keyhold proposes. */
class ChosenFolder implements SaveFileDialog {
  constructor(private readonly folder: string) {}
  async choosePath(options: { defaultName: string }): Promise<string> {
    return join(this.folder, options.defaultName)
  }
}

/** The core as the window drives it: one process's services, every call through the validating IPC dispatch. */
function windowCore() {
  const { dir, cleanup } = tempDir()
  const clock = new ShiftedClock()
  const services = createServices({
    vaultPath: join(dir, 'vault.keyhold'),
    keyStore: new MemoryKeyStore(),
    kdf: FAST_KDF,
    clock,
    saveFileDialog: new ChosenFolder(dir),
    dataFolder: dir,
  })
  const dispatch: Dispatch = createAppDispatch(services)
  /** A channel called as the renderer calls it; a refusal becomes an error with its code. */
  const call = async <T>(channel: string, input: unknown = {}): Promise<T> => {
    const result = await dispatch(channel, input)
    if (!result.ok) throw Object.assign(new Error(`${channel}: ${result.error.code}: ${result.error.message}`), { code: result.error.code })
    return result.value as T
  }
  return { dir, clock, services, call, cleanup }
}

/** The entries an action added to the log, oldest first (what was pending before it is written first). */
async function recorded(services: Services, action: () => Promise<unknown>): Promise<ActivityEntry[]> {
  await services.activity.flush()
  const before = (await services.activity.list({ limit: 1 })).items[0]?.seq ?? 0
  await action()
  await services.activity.flush()
  return (await services.activity.list({ limit: 500 })).items.filter((e) => e.seq > before).reverse()
}

/** The one entry of `event` among `entries`, which must have these fields. */
function one(entries: readonly ActivityEntry[], event: ActivityEvent, fields: Expected): ActivityEntry {
  const found = entries.filter((e) => e.event === event)
  expect(found, `${event}: exactly one entry`).toEqual([expect.objectContaining({ event, ...fields })])
  return found[0]!
}

const none = (entries: readonly ActivityEntry[], event: ActivityEvent) => expect(entries.filter((e) => e.event === event), `${event}: no entry`).toEqual([])

/** Exports the log through the window (activity:export, the save dialog), returning the file's text. */
async function exported(call: ReturnType<typeof windowCore>['call'], format: 'csv' | 'json'): Promise<string> {
  const result = await call<{ saved: boolean; path: string }>('activity:export', { format })
  expect(result.saved).toBe(true)
  return readFileSync(result.path, 'utf8')
}

/** Each event a person causes in the window: through the IPC channel the renderer calls, once, by the app. */
describe('the activity log through the window (IPC), one entry per event', () => {
  let core: ReturnType<typeof windowCore>
  let call: ReturnType<typeof windowCore>['call']
  let services: Services
  let vaultId: string
  let password = PASSWORD
  const canaries = [PASSWORD, 'sk_live_window_canary', 'tw_window_canary']
  const during = (action: () => Promise<unknown>) => recorded(services, action)
  let stripe: SecretDetail

  beforeAll(async () => {
    core = windowCore()
    ;({ call, services } = core)
    await call('vault:create', { password: PASSWORD, rememberOnDevice: true })
    vaultId = services.vault.vault().id
    stripe = await call<SecretDetail>('secrets:add', { name: 'Stripe prod', url: 'https://api.stripe.com', clientId: 'stripe-id', clientSecret: 'sk_live_window_canary', tags: ['prod'] })
  })
  afterAll(async () => {
    services.vault.lock()
    await services.vault.locked()
    core.cleanup()
  })

  describe('API secrets', () => {
    it('secrets:add records secret.added once, by the app, on the new secret', async () => {
      let added: SecretDetail | undefined
      const entries = await during(async () => {
        added = await call<SecretDetail>('secrets:add', { name: 'Twilio', url: 'https://api.twilio.com', clientId: 'AC1', clientSecret: 'tw_window_canary', tags: [] })
      })
      one(entries, 'secret.added', { actor: APP, target: { type: 'secret', id: added!.id, name: 'Twilio' }, outcome: 'ok' })
    })

    it('secrets:reveal records secret.revealed once, by the app, on the secret shown', async () => {
      const entries = await during(() => call('secrets:reveal', { id: stripe.id }))
      one(entries, 'secret.revealed', { actor: APP, target: { type: 'secret', id: stripe.id, name: 'Stripe prod' }, outcome: 'ok' })
    })

    it('secrets:copy records secret.copied once per copy, by the app, with the field copied', async () => {
      const secret = await during(() => call('secrets:copy', { id: stripe.id, field: 'clientSecret' }))
      one(secret, 'secret.copied', { actor: APP, target: { type: 'secret', id: stripe.id, name: 'Stripe prod' }, outcome: 'ok', detail: { field: 'clientSecret' } })
      const clientId = await during(() => call('secrets:copy', { id: stripe.id, field: 'clientId' }))
      one(clientId, 'secret.copied', { actor: APP, target: { type: 'secret', id: stripe.id, name: 'Stripe prod' }, outcome: 'ok', detail: { field: 'clientId' } })
    })

    it('secrets:edit records secret.edited once, by the app, under the new name, with the fields changed', async () => {
      const twilio = await call<SecretDetail>('secrets:add', { name: 'Twilio staging', url: 'https://api.twilio.com', clientId: 'AC2', tags: [] })
      const entries = await during(() => call('secrets:edit', { id: twilio.id, name: 'Twilio test' }))
      one(entries, 'secret.edited', { actor: APP, target: { type: 'secret', id: twilio.id, name: 'Twilio test' }, outcome: 'ok', detail: { fields: ['name'] } })
    })

    it('secrets:remove records secret.deleted once, by the app, naming the secret it was', async () => {
      const doomed = await call<SecretDetail>('secrets:add', { name: 'Old API', url: 'https://old.example.com', clientId: 'old', tags: [] })
      const entries = await during(() => call('secrets:remove', { id: doomed.id }))
      one(entries, 'secret.deleted', { actor: APP, target: { type: 'secret', id: doomed.id, name: 'Old API' }, outcome: 'ok' })
    })
  })

  describe('authorization keys (My apps)', () => {
    const create = (name: string) => call<AppCreated>('apps:create', { name, type: 'extension', expiresAt: null })

    it('apps:create records app.created once, by the app, on the new application', async () => {
      let created: AppCreated | undefined
      const entries = await during(async () => {
        created = await create('Work browser')
        canaries.push(created.code, created.code.replace(/-/g, ''))
      })
      one(entries, 'app.created', { actor: APP, target: { type: 'app', id: created!.app.id, name: 'Work browser' }, outcome: 'ok' })
    })

    it('apps:edit records app.edited once, by the app, under the new name', async () => {
      const created = await create('Home browser')
      canaries.push(created.code)
      const entries = await during(() => call('apps:edit', { id: created.app.id, name: 'Home laptop browser' }))
      one(entries, 'app.edited', { actor: APP, target: { type: 'app', id: created.app.id, name: 'Home laptop browser' }, outcome: 'ok' })
    })

    it('apps:revoke records app.revoked once, by the app, on the application', async () => {
      const created = await create('Spare browser')
      canaries.push(created.code)
      let revoked: AppSummary | undefined
      const entries = await during(async () => (revoked = await call<AppSummary>('apps:revoke', { id: created.app.id })))
      expect(revoked!.status).toBe('revoked')
      one(entries, 'app.revoked', { actor: APP, target: { type: 'app', id: created.app.id, name: 'Spare browser' }, outcome: 'ok' })
    })
  })

  describe('application keys', () => {
    beforeEach(() => call('vault:confirm-password', { password }))
    const keyTarget = (key: string, name: string) => ({ type: 'appkey', id: key, name })
    const generate = async (label: string) => {
      const generated = await call<GeneratedAppKey>('app-keys:generate', { label, roleIds: ['secrets-reader'] })
      canaries.push(generated.token)
      return generated.key.key
    }

    it('app-keys:generate records appkey.generated once, by the app, on the new key by its label', async () => {
      let generated: GeneratedAppKey | undefined
      const entries = await during(async () => {
        generated = await call<GeneratedAppKey>('app-keys:generate', { label: 'ci deploy', roleIds: ['secrets-reader'] })
        canaries.push(generated.token)
      })
      one(entries, 'appkey.generated', { actor: APP, target: keyTarget(generated!.key.key, 'ci deploy'), outcome: 'ok' })
    })

    it('app-keys:set-roles records appkey.roles-changed once, by the app, with the roles it has now', async () => {
      const key = await generate('reporting')
      const entries = await during(() => call('app-keys:set-roles', { key, roleIds: ['secrets-reader', 'apps-reader'] }))
      const entry = one(entries, 'appkey.roles-changed', { actor: APP, target: keyTarget(key, 'reporting'), outcome: 'ok' })
      expect(entry.detail.roles).toEqual(expect.arrayContaining(['API secrets reader', 'Apps reader']))
    })

    it('app-keys:deactivate and app-keys:activate record appkey.deactivated and appkey.activated once each, by the app', async () => {
      const key = await generate('nightly')
      const off = await during(() => call('app-keys:deactivate', { key }))
      one(off, 'appkey.deactivated', { actor: APP, target: keyTarget(key, 'nightly'), outcome: 'ok' })
      none(off, 'appkey.activated')
      const on = await during(() => call('app-keys:activate', { key }))
      one(on, 'appkey.activated', { actor: APP, target: keyTarget(key, 'nightly'), outcome: 'ok' })
      none(on, 'appkey.deactivated')
    })

    it("app-keys:add-external and app-keys:remove record appkey.added and appkey.removed once each, by the app, on the key by its account", async () => {
      const key = 'partner-key-window-1'
      let added: AppKeySummary | undefined
      const add = await during(async () => (added = await call<AppKeySummary>('app-keys:add-external', { key, account: 'partner.example', roleIds: ['secrets-reader'] })))
      expect(added!.type).toBe('external')
      one(add, 'appkey.added', { actor: APP, target: keyTarget(key, 'partner.example'), outcome: 'ok' })
      const remove = await during(() => call('app-keys:remove', { key }))
      one(remove, 'appkey.removed', { actor: APP, target: keyTarget(key, 'partner.example'), outcome: 'ok' })
    })

    it('app-keys:export-csv (the save dialog) records appkey.exported once, by the app, with the count and the file name', async () => {
      let result: { saved: boolean; path: string; count: number } | undefined
      const entries = await during(async () => (result = await call('app-keys:export-csv')))
      expect(result!.saved).toBe(true)
      one(entries, 'appkey.exported', { actor: APP, target: null, outcome: 'ok', detail: { count: result!.count, file: basename(result!.path) } })
    })
  })

  describe('the vault', () => {
    const vault = () => ({ type: 'vault', id: vaultId })
    const lock = async () => {
      await call('vault:lock')
      await services.vault.locked()
    }

    it('vault:lock records vault.locked once, by the app, on the vault', async () => {
      const entries = await during(async () => {
        await lock()
        await call('vault:unlock', { password })
      })
      one(entries, 'vault.locked', { actor: APP, target: vault(), outcome: 'ok' })
    })

    it('vault:unlock records vault.unlocked once, by the app, with the password', async () => {
      const entries = await during(async () => {
        await lock()
        await call('vault:unlock', { password })
      })
      one(entries, 'vault.unlocked', { actor: APP, target: vault(), outcome: 'ok', detail: { with: 'password' } })
      none(entries, 'vault.unlock-failed')
    })

    it('vault:unlock-with-device records vault.unlocked once, by the app, with the device', async () => {
      const entries = await during(async () => {
        await lock()
        await call('vault:unlock-with-device')
      })
      one(entries, 'vault.unlocked', { actor: APP, target: vault(), outcome: 'ok', detail: { with: 'device' } })
    })

    it('a wrong password at vault:unlock records vault.unlock-failed once (failed, by the app), before the unlock that follows', async () => {
      const entries = await during(async () => {
        await lock()
        await expect(call('vault:unlock', { password: 'not the master password' })).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })
        await call('vault:unlock', { password })
      })
      canaries.push('not the master password')
      one(entries, 'vault.unlock-failed', { actor: APP, target: vault(), outcome: 'failed', detail: expect.objectContaining({ count: 1 }) })
      one(entries, 'vault.unlocked', { actor: APP, target: vault(), outcome: 'ok', detail: { with: 'password' } })
      expect(entries.findIndex((e) => e.event === 'vault.unlock-failed')).toBeLessThan(entries.findIndex((e) => e.event === 'vault.unlocked'))
    })

    it('vault:change-password records vault.password-changed once, by the app, on the vault', async () => {
      const next = 'another long master password'
      canaries.push(next)
      const entries = await during(() => call('vault:change-password', { current: password, next }))
      password = next
      one(entries, 'vault.password-changed', { actor: APP, target: vault(), outcome: 'ok' })
    })

    it('vault:rotate-key records vault.rekeyed once, by the app, on the vault', async () => {
      const entries = await during(() => call('vault:rotate-key', { password }))
      one(entries, 'vault.rekeyed', { actor: APP, target: vault(), outcome: 'ok' })
    })
  })

  describe('the log itself', () => {
    it('activity:export (the save dialog) records log.exported once per export, by the app, with the format and the count', async () => {
      for (const format of ['csv', 'json'] as const) {
        let result: { saved: boolean; count: number } | undefined
        const entries = await during(async () => (result = await call('activity:export', { format })))
        expect(result!.saved).toBe(true)
        one(entries, 'log.exported', { actor: APP, target: { type: 'log' }, outcome: 'ok', detail: { format, count: result!.count } })
      }
    })
  })

  it('SECURITY: no client secret, authorization code, token or password used above is in any entry, nor in the CSV and JSON exports', async () => {
    const raw = JSON.stringify((await services.activity.list({ limit: 500 })).items)
    const csv = await exported(call, 'csv')
    const json = await exported(call, 'json')
    expect(canaries.length).toBeGreaterThan(8)
    for (const text of [raw, csv, json]) for (const canary of canaries) expect(text).not.toContain(canary)
  })
})

/** Retention runs by itself at unlock, and at once when the person shortens it: log.pruned, by Keyhold. */
describe('the activity log through the window: retention removes old entries (log.pruned)', () => {
  let core: ReturnType<typeof windowCore>
  let call: ReturnType<typeof windowCore>['call']
  let services: Services

  beforeAll(async () => {
    core = windowCore()
    ;({ call, services } = core)
    await call('vault:create', { password: PASSWORD, rememberOnDevice: false })
    const secret = await call<SecretDetail>('secrets:add', { name: 'Stripe prod', url: 'https://api.stripe.com', clientId: 'stripe-id', clientSecret: 'sk_live_prune_canary', tags: [] })
    for (let i = 0; i < 3; i++) await call('secrets:reveal', { id: secret.id })
  })
  afterAll(async () => {
    services.vault.lock()
    await services.vault.locked()
    core.cleanup()
  })

  /** Waits until the log holds `event`: retention at unlock runs after the unlock has answered. */
  const until = async (event: ActivityEvent) => {
    for (let i = 0; i < 300 && (await services.activity.list({ event, limit: 1 })).items.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  }

  it('vault:unlock a year and more later removes the older entries and records log.pruned once, by Keyhold, with the range removed', async () => {
    const head = (await services.activity.list({ limit: 1 })).items[0]!.seq
    const entries = await recorded(services, async () => {
      await call('vault:lock')
      await services.vault.locked()
      core.clock.offset += 400 * DAY
      await call('vault:unlock', { password: PASSWORD })
      await until('log.pruned')
    })
    // Everything up to the lock's entry (head + 1) was written before the year passed.
    one(entries, 'log.pruned', { actor: { type: 'system' }, target: { type: 'log' }, outcome: 'ok', detail: { removed: head + 1, firstSeq: 1, lastSeq: head + 1 } })
    none(entries, 'vault.locked')
    expect(await call('activity:verify')).toMatchObject({ ok: true })
  })

  it('activity:set-retention to fewer days removes what falls outside at once and records log.pruned once, by Keyhold', async () => {
    const before = (await services.activity.list({ limit: 1 })).items[0]!.seq
    core.clock.offset += 2 * DAY
    const entries = await recorded(services, () => call('activity:set-retention', { days: 1, entries: 100_000 }))
    const pruned = one(entries, 'log.pruned', { actor: { type: 'system' }, target: { type: 'log' }, outcome: 'ok' })
    expect(pruned.detail).toMatchObject({ lastSeq: before })
    expect(await call('activity:verify')).toMatchObject({ ok: true })
    const raw = JSON.stringify((await services.activity.list({ limit: 500 })).items)
    for (const text of [raw, await exported(call, 'csv'), await exported(call, 'json')]) for (const canary of ['sk_live_prune_canary', PASSWORD]) expect(text).not.toContain(canary)
  })
})

/** Events that only the CLI causes: a spawned `keyhold`, as a script runs it. */
describe('the activity log through the CLI, one entry per event', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  const run = (args: string[], input = `${PASSWORD}\n`) => keyhold(['--vault', vault, '--password-stdin', ...args], input)
  const log = () => JSON.parse(run(['--json', 'audit', 'list', '--limit', '500']).stdout) as ActivityEntry[]

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'cli.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })
  afterAll(() => cleanup())

  it('keyhold secret import records secret.imported once, by the CLI, with the count (and no secret.added per row)', () => {
    const file = join(dir, 'secrets.csv')
    writeFileSync(file, 'name,url,clientId,clientSecret\nStripe prod,https://api.stripe.com,stripe-id,sk_live_cli_canary\nGitHub CI,https://api.github.com,gh-id,ghp_cli_canary\n')
    expect(run(['secret', 'import', file])).toMatchObject({ status: 0, stderr: '' })
    const entries = log()
    one(entries, 'secret.imported', { actor: { type: 'cli' }, target: null, outcome: 'ok', detail: { count: 2 } })
    none(entries, 'secret.added')
    const csv = run(['audit', 'export', '--format', 'csv'])
    const json = run(['audit', 'export', '--format', 'json'])
    expect([csv.status, json.status]).toEqual([0, 0])
    for (const text of [JSON.stringify(entries), csv.stdout, json.stdout]) for (const canary of ['sk_live_cli_canary', 'ghp_cli_canary', PASSWORD]) expect(text).not.toContain(canary)
  })
})
