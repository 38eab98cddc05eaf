import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createServices, type Services } from '../../../src-main/core/services'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import type { ActivityEntry } from '../../../src-shared/types/activity'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { codeOf, FakeClock, FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

const HOUR = 60 * 60 * 1000

/** What the log says over time: keys that expire, how long entries are kept, a vault put back from a backup, and the words people search for. */
describe('the activity log over time', () => {
  let dir: string
  let cleanup: () => void
  let clock: FakeClock
  let app: Services
  let data: string

  const open = (path = join(dir, 'vault.keyhold')) => createServices({ vaultPath: path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF, clock, dataFolder: data })
  const log = async (services = app): Promise<ActivityEntry[]> => (await services.activity.list({ limit: 500 })).items.reverse()
  const events = async (event: ActivityEntry['event'], services = app) => (await log(services)).filter((e) => e.event === event)
  const relock = async () => {
    app.vault.lock()
    await app.vault.locked()
    await app.vault.unlock({ password: PASSWORD })
  }

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    data = join(dir, 'data')
    mkdirSync(data)
    clock = new FakeClock()
    app = open()
    await app.vault.create({ password: PASSWORD, rememberOnDevice: false })
  })
  afterEach(async () => {
    app.vault.lock()
    await app.vault.locked()
    cleanup()
  })

  it('app.expired: once per key, by Keyhold itself, when it falls due while unlocked or is found at the next unlock', async () => {
    const soon = await app.apps.create({ name: 'Soon', type: 'extension', expiresAt: new Date(clock.now() + HOUR).toISOString() })
    const later = await app.apps.create({ name: 'Later', type: 'mobile', expiresAt: new Date(clock.now() + 3 * HOUR).toISOString() })
    const revoked = await app.apps.create({ name: 'Revoked first', type: 'mobile', expiresAt: new Date(clock.now() + 2 * HOUR).toISOString() })
    await app.apps.revoke(revoked.app.id)
    await app.apps.create({ name: 'Forever', type: 'mobile' })
    expect(await events('app.expired')).toEqual([])

    // Due while unlocked: the timer looks again at the expiry (the clock is the core's).
    clock.advance(HOUR + 1)
    app.apps.noteExpiries()
    app.apps.noteExpiries()
    expect(await events('app.expired')).toEqual([
      expect.objectContaining({ actor: { type: 'system' }, target: { type: 'app', id: soon.app.id, name: 'Soon' }, outcome: 'ok', detail: { expiresAt: soon.app.expiresAt } }),
    ])
    // Passed while locked: found at the next unlock; none recorded twice, the revoked one never.
    app.vault.lock()
    await app.vault.locked()
    clock.advance(5 * HOUR)
    await app.vault.unlock({ password: PASSWORD })
    await relock()
    expect((await events('app.expired')).map((e) => e.target?.name)).toEqual(['Soon', 'Later'])
    expect(later.app.id).toBe((await events('app.expired'))[1]!.target?.id)
  })

  it('app.expired: the timer set at unlock fires by itself', async () => {
    const real = createServices({ vaultPath: join(dir, 'real.keyhold'), keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
    await real.vault.create({ password: PASSWORD, rememberOnDevice: false })
    try {
      await real.apps.create({ name: 'Brief', type: 'extension', expiresAt: new Date(Date.now() + 300).toISOString() })
      await new Promise((resolve) => setTimeout(resolve, 600))
      expect((await events('app.expired', real)).map((e) => e.target?.name)).toEqual(['Brief'])
    } finally {
      real.vault.lock()
      await real.vault.locked()
    }
  })

  it('retention: a shorter setting removes old entries at once, is recorded, keeps the chain whole, and is kept in the vault', async () => {
    expect(app.activity.retention()).toEqual({ days: 365, entries: 100_000 })
    for (let i = 0; i < 300; i++) app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: `s${i}`, name: `S${i}` } })
    await app.activity.flush()
    const result = await app.activity.setRetention({ days: 30, entries: 100 })
    expect(result).toEqual({ days: 30, entries: 100, removed: expect.any(Number) })
    expect(result.removed).toBeGreaterThan(190)
    const entries = await log()
    expect(entries.length).toBeLessThanOrEqual(102)
    expect(entries.find((e) => e.event === 'log.retention-changed')).toMatchObject({
      actor: { type: 'app' },
      detail: { days: 30, entries: 100, previousDays: 365, previousEntries: 100_000 },
    })
    expect(entries.find((e) => e.event === 'log.pruned')).toMatchObject({ detail: { removed: result.removed } })
    expect(await app.activity.verify()).toMatchObject({ ok: true })
    // The same setting again changes nothing and records nothing.
    expect(await app.activity.setRetention({ days: 30, entries: 100 })).toEqual({ days: 30, entries: 100, removed: 0 })
    expect(await events('log.retention-changed')).toHaveLength(1)
    await relock()
    expect(app.activity.retention()).toEqual({ days: 30, entries: 100 })
    // At unlock the app keeps to the vault's setting.
    clock.advance(31 * 24 * HOUR)
    await relock()
    await app.activity.flush()
    expect((await log()).every((e) => Date.parse(e.at) >= clock.now() - 30 * 24 * HOUR)).toBe(true)
    expect(await app.activity.verify()).toMatchObject({ ok: true })
  })

  const putBack = async (older: string) => {
    app.vault.lock()
    await app.vault.locked()
    copyFileSync(older, join(dir, 'vault.keyhold'))
    await app.vault.unlock({ password: PASSWORD })
  }

  it('a vault put back from an older copy: reported as restored, accepted by the person, recorded, and checked from there on', async () => {
    app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: 's1' } })
    await app.activity.flush()
    await app.vault.settle()
    copyFileSync(join(dir, 'vault.keyhold'), join(dir, 'older.keyhold'))
    for (let i = 0; i < 5; i++) app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: `s${i}` } })
    await app.activity.flush()
    // Nothing to accept while the log is where this computer saw it.
    expect(await codeOf(app.activity.acceptRestore())).toBe('CONFLICT')
    await putBack(join(dir, 'older.keyhold'))
    const found = await app.activity.verify()
    expect(found).toMatchObject({ ok: false, restored: true })

    const accepted = await app.activity.acceptRestore()
    expect(accepted).toMatchObject({ ok: true, restored: false })
    const entry = (await events('log.restore-accepted'))[0]!
    expect(entry).toMatchObject({ actor: { type: 'app' }, target: { type: 'vault' }, detail: { seenLast: expect.any(Number), vaultLast: expect.any(Number) } })
    expect(Number(entry.detail.seenLast)).toBeGreaterThan(Number(entry.detail.vaultLast))
    // Still intact after more writes and another unlock: the anchor follows this vault now.
    app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: 's9' } })
    await relock()
    expect(await app.activity.verify()).toMatchObject({ ok: true })
  })

  it('an older copy written to since (another entry at the position this computer saw) is "forked", also acceptable; an edit is not', async () => {
    await app.activity.flush()
    await app.vault.settle()
    copyFileSync(join(dir, 'vault.keyhold'), join(dir, 'older.keyhold'))
    for (let i = 0; i < 3; i++) app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: `s${i}` } })
    await app.activity.flush()
    await app.vault.settle()
    // The older copy is used elsewhere (no anchors there) until its log is longer than the one seen here.
    app.vault.lock()
    await app.vault.locked()
    const elsewhere = createServices({ vaultPath: join(dir, 'older.keyhold'), keyStore: new MemoryKeyStore(), kdf: FAST_KDF, clock })
    await elsewhere.vault.unlock({ password: PASSWORD })
    for (let i = 0; i < 20; i++) elsewhere.activity.record({ event: 'secret.copied', target: { type: 'secret', id: `o${i}` } })
    elsewhere.vault.lock()
    await elsewhere.vault.locked()
    await app.vault.unlock({ password: PASSWORD })
    await putBack(join(dir, 'older.keyhold'))
    const found = await app.activity.verify()
    expect(found).toMatchObject({ ok: false, restored: true, problem: expect.stringMatching(/^The vault file is older than the activity log this computer saw: entry \d+ is not the one written here before/) })
    await app.activity.acceptRestore()
    expect(await app.activity.verify()).toMatchObject({ ok: true })

    // An entry edited in the database is no restore: nothing to accept.
    await app.vault.vault().mutate((db) => db.run("UPDATE activity SET outcome = 'denied' WHERE seq = 2"))
    expect(await app.activity.verify()).toMatchObject({ ok: false, restored: false, at: 2 })
    expect(await codeOf(app.activity.acceptRestore())).toBe('CONFLICT')
  })

  it('search finds entries by the words on screen: the events and kinds of actor the caller names, with the names as before', async () => {
    app.activity.record({ event: 'vault.unlock-failed', outcome: 'failed', target: { type: 'vault' } })
    app.activity.record({ event: 'secret.copied', actor: { type: 'cli' }, target: { type: 'secret', id: 's1', name: 'Stripe' } })
    app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: 's2', name: 'Wrong password vault' } })
    const found = async (query: Parameters<Services['activity']['list']>[0]) => (await app.activity.list(query)).items.map((e) => e.event).sort()
    expect(await found({ search: 'wrong password', searchEvents: ['vault.unlock-failed'] })).toEqual(['secret.revealed', 'vault.unlock-failed'])
    expect(await found({ search: 'wrong password' })).toEqual(['secret.revealed'])
    expect(await found({ search: 'keyhold command', searchActorTypes: ['cli'] })).toEqual(['secret.copied'])
    expect(await found({ search: 'zzz', searchEvents: [], searchActorTypes: [] })).toEqual([])
  })
})

/** What cannot be written into the vault when it happens waits in the journal outside it (docs/activity-log.md §2). */
describe('the activity journal: wrong passwords and read-only CLI commands', () => {
  let dir: string
  let cleanup: () => void
  let data: string
  const path = () => join(dir, 'vault.keyhold')
  const open = (actor: 'app' | 'cli') => createServices({ vaultPath: path(), keyStore: new MemoryKeyStore(), kdf: FAST_KDF, dataFolder: data, actor })
  const journal = () => (existsSync(join(data, 'activity-journal.json')) ? (JSON.parse(readFileSync(join(data, 'activity-journal.json'), 'utf8')) as Record<string, { entries: Array<{ event: string }> }>) : {})
  /** One CLI command: unlock, maybe do something, lock, and wait as the CLI does before it exits. */
  const command = async (password: string, work: (services: Services) => Promise<unknown> | unknown = () => undefined) => {
    const cli = open('cli')
    try {
      await cli.vault.unlock({ password })
      await cli.activity.ready()
      await work(cli)
    } catch {
      // a wrong password
    } finally {
      // As the CLI ends a command (src-main/cli/program.ts).
      cli.vault.lock()
      await cli.vault.locked()
      await cli.activity.settled()
    }
  }

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    data = join(dir, 'data')
    const made = open('app')
    await made.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await made.secrets.add({ name: 'Stripe', url: 'https://api.stripe.com', clientId: 'ci', clientSecret: 'sk_canary', tags: [] })
    made.vault.lock()
    await made.vault.locked()
  })
  afterEach(() => cleanup())

  it('a read-only command and wrong passwords leave the vault file as it was and wait in the journal; the next writer takes them in, in order', async () => {
    const before = readFileSync(path())
    await command(PASSWORD, (cli) => cli.secrets.list())
    await command('wrong password one')
    await command('wrong password two')
    expect(readFileSync(path()).equals(before)).toBe(true)
    const waiting = Object.values(journal())[0]!.entries
    expect(waiting.map((e) => e.event)).toEqual(['vault.unlocked', 'vault.locked', 'vault.unlock-failed', 'vault.unlock-failed'])
    expect(waiting[2]).toMatchObject({ detail: { count: 1 }, outcome: 'failed', actor: { type: 'cli' } })

    const app = open('app')
    await app.vault.unlock({ password: PASSWORD })
    const entries = (await app.activity.list({ limit: 500 })).items.reverse()
    const tail = entries.slice(-5).map((e) => [e.event, e.actor.type, e.detail.journal ?? false])
    expect(tail).toEqual([
      ['vault.locked', 'app', false],
      ['vault.unlocked', 'cli', true],
      ['vault.locked', 'cli', true],
      ['vault.unlock-failed', 'cli', true],
      ['vault.unlocked', 'app', false],
    ])
    expect(entries.find((e) => e.event === 'vault.unlock-failed')).toMatchObject({ target: { type: 'vault', id: app.vault.vault().id }, detail: { count: 2, journal: true } })
    expect(journal()).toEqual({})
    expect(await app.activity.verify()).toMatchObject({ ok: true })
    // Taken in once: more writes add none of them again.
    app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: 'x' } })
    await app.activity.flush()
    expect((await app.activity.list({ limit: 500 })).items.filter((e) => e.detail.journal)).toHaveLength(3)
    app.vault.lock()
    await app.vault.locked()
  })

  it('the app, unlocked, sees a CLI command that only read when its Activity is next listed; a CLI command that writes takes the journal in itself', async () => {
    const app = open('app')
    await app.vault.unlock({ password: PASSWORD })
    await app.activity.flush()
    await command(PASSWORD, (cli) => cli.secrets.list())
    const seen = (await app.activity.list({ limit: 500 })).items.filter((e) => e.actor.type === 'cli').map((e) => e.event)
    expect(seen).toEqual(['vault.locked', 'vault.unlocked'])
    app.vault.lock()
    await app.vault.locked()

    await command('wrong password')
    await command(PASSWORD, async (cli) => cli.secrets.reveal((await cli.secrets.list()).items[0]!.id))
    expect(journal()).toEqual({})
    const check = open('app')
    await check.vault.unlock({ password: PASSWORD })
    const cli = (await check.activity.list({ limit: 500 })).items.reverse().filter((e) => e.actor.type === 'cli')
    expect(cli.slice(-4).map((e) => [e.event, e.detail.journal ?? false])).toEqual([
      ['vault.unlock-failed', true],
      ['vault.unlocked', false],
      ['secret.revealed', false],
      ['vault.locked', false],
    ])
    check.vault.lock()
    await check.vault.locked()
  })

  it('takes in only what the journal may hold: three vault events, public facts, the kind of actor', async () => {
    const made = open('app')
    await made.vault.unlock({ password: PASSWORD })
    const id = made.vault.vault().id
    made.vault.lock()
    await made.vault.locked()
    const at = new Date().toISOString()
    const planted = {
      [id]: {
        dropped: 0,
        entries: [
          { id: 'a'.repeat(24), at, event: 'secret.revealed', actor: { type: 'cli' }, outcome: 'ok', detail: {} },
          { id: 'b'.repeat(24), at, event: 'vault.unlocked', actor: { type: 'pairing', id: 'p', name: 'Mallory' }, outcome: 'ok', detail: {} },
          { id: 'c'.repeat(24), at, event: 'vault.unlocked', actor: { type: 'cli', name: 'Mallory' }, outcome: 'ok', detail: { with: 'device', extra: 'x' } },
          // A time in another form (free text Date.parse would take), or long ago to pull retention's boundary: refused.
          { id: 'd'.repeat(24), at: '2030-01-01 (nothing happened here)', event: 'vault.locked', actor: { type: 'cli' }, outcome: 'ok', detail: {} },
          { id: 'e'.repeat(24), at: '2099-01-01T00:00:00.000Z', event: 'vault.locked', actor: { type: 'cli' }, outcome: 'ok', detail: {} },
          { id: 'f'.repeat(24), at, event: 'vault.unlock-failed', actor: { type: 'cli' }, outcome: 'failed', detail: { count: -5, first: 'yesterday', last: at } },
        ],
      },
    }
    mkdirSync(data, { recursive: true })
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(data, 'activity-journal.json'), JSON.stringify(planted))
    const app = open('app')
    await app.vault.unlock({ password: PASSWORD })
    const taken = (await app.activity.list({ limit: 500 })).items.filter((e) => e.detail.journal)
    expect(taken.map((e) => [e.event, e.actor, e.detail]).reverse()).toEqual([
      ['vault.unlocked', { type: 'cli' }, { with: 'device', journal: true }],
      ['vault.unlock-failed', { type: 'cli' }, { count: 1, first: at, last: at, journal: true }],
    ])
    app.vault.lock()
    await app.vault.locked()
  })
})

/** The window's channels for retention and for accepting a restored vault, through the validating dispatch. */
describe('activity:retention, activity:set-retention and activity:accept-restore', () => {
  let dir: string
  let cleanup: () => void
  let app: Services
  let dispatch: ReturnType<typeof createAppDispatch>
  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    app = createServices({ vaultPath: join(dir, 'vault.keyhold'), keyStore: new MemoryKeyStore(), kdf: FAST_KDF, dataFolder: join(dir, 'data') })
    await app.vault.create({ password: PASSWORD, rememberOnDevice: false })
    dispatch = createAppDispatch(app)
  })
  afterEach(async () => {
    app.vault.lock()
    await app.vault.locked()
    cleanup()
  })

  it('reads and changes retention; a value out of bounds is a field error that changes nothing', async () => {
    expect(await dispatch('activity:retention', {})).toEqual({ ok: true, value: { days: 365, entries: 100_000 } })
    const refused = await dispatch('activity:set-retention', { days: 0, entries: 50 })
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', fields: { days: expect.any(String), entries: expect.any(String) } } })
    expect(app.activity.retention()).toEqual({ days: 365, entries: 100_000 })
    expect(await dispatch('activity:set-retention', { days: 30, entries: 1000 })).toEqual({ ok: true, value: { days: 30, entries: 1000, removed: 0 } })
    await app.activity.flush()
    const entries = (await app.activity.list({ event: 'log.retention-changed' })).items
    expect(entries).toEqual([expect.objectContaining({ actor: { type: 'app' }, target: { type: 'log' } })])
  })

  it('accept-restore: CONFLICT when nothing was put back; after a copy is put back, accepted and recorded by the app', async () => {
    expect(await dispatch('activity:accept-restore', {})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } })
    await app.activity.flush()
    await app.vault.settle()
    copyFileSync(join(dir, 'vault.keyhold'), join(dir, 'older.keyhold'))
    for (let i = 0; i < 3; i++) app.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: `s${i}` } })
    app.vault.lock()
    await app.vault.locked()
    copyFileSync(join(dir, 'older.keyhold'), join(dir, 'vault.keyhold'))
    await app.vault.unlock({ password: PASSWORD })
    expect(await dispatch('activity:verify', {})).toMatchObject({ ok: true, value: { ok: false, restored: true } })
    expect(await dispatch('activity:accept-restore', {})).toMatchObject({ ok: true, value: { ok: true, restored: false } })
    await app.activity.flush()
    expect((await app.activity.list({ event: 'log.restore-accepted' })).items).toEqual([expect.objectContaining({ actor: { type: 'app' }, target: { type: 'vault', id: app.vault.vault().id } })])
  })
})
