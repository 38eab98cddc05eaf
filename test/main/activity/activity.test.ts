import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createServices } from '../../../src-main/core/services'
import type { ActivityRecord } from '../../../src-main/core/activity/activity.service'
import { Vault } from '../../../src-main/core/vault/vault'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FakeClock, FAST_KDF, PASSWORD, unlockedServices } from '../../support/vault'

type Base = Awaited<ReturnType<typeof unlockedServices>>

const read = (seq: number): ActivityRecord => ({ event: 'secret.revealed', actor: { type: 'app' }, target: { type: 'secret', id: `s${seq}`, name: `Secret ${seq}` } })

describe('the activity log: a hash chain inside the vault', () => {
  let t: Base
  beforeEach(async () => {
    t = await unlockedServices()
  })
  afterEach(() => t.cleanup())

  const entries = async () => (await t.services.activity.list({ limit: 500 })).items
  const tamper = (sql: string, params: unknown[] = []) => t.services.vault.vault().mutate((db) => db.run(sql, params as never))

  it('records without waiting, lists newest first with filters and pages, and verifies intact', async () => {
    for (let i = 1; i <= 5; i++) t.services.activity.record(read(i))
    t.services.activity.record({ event: 'app.revoked', actor: { type: 'cli' }, target: { type: 'app', id: 'a1', name: 'Work phone' } })
    const all = await entries()
    expect(all.map((e) => e.event)).toEqual(['app.revoked', ...Array(5).fill('secret.revealed')])
    expect(all[0]).toMatchObject({ actor: { type: 'cli' }, target: { type: 'app', id: 'a1', name: 'Work phone' }, outcome: 'ok', mac: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) })
    expect((await t.services.activity.list({ event: 'app.revoked' })).items).toHaveLength(1)
    expect((await t.services.activity.list({ targetId: 's3' })).items.map((e) => e.target?.name)).toEqual(['Secret 3'])
    expect((await t.services.activity.list({ search: 'phone' })).items.map((e) => e.event)).toEqual(['app.revoked'])
    const first = await t.services.activity.list({ limit: 4 })
    const second = await t.services.activity.list({ limit: 4, before: first.nextBefore! })
    expect([...first.items, ...second.items].map((e) => e.seq)).toEqual([6, 5, 4, 3, 2, 1])
    expect(second.nextBefore).toBeNull()
    expect(await t.services.activity.verify()).toEqual({ ok: true, count: 6, first: 1, last: 6, problem: null, at: null, restored: false })
  })

  it('says where the chain breaks: an edited entry, a deleted one, two swapped', async () => {
    for (let i = 1; i <= 10; i++) t.services.activity.record(read(i))
    await t.services.activity.flush()
    await tamper("UPDATE activity SET target_name = 'Nothing to see' WHERE seq = 4")
    expect(await t.services.activity.verify()).toMatchObject({ ok: false, at: 4, problem: 'Entry 4 was changed or moved: it does not follow the entry before it.' })
  })

  it('a deletion in the middle is named by its positions', async () => {
    for (let i = 1; i <= 10; i++) t.services.activity.record(read(i))
    await t.services.activity.flush()
    await tamper('DELETE FROM activity WHERE seq BETWEEN 5 AND 7')
    expect(await t.services.activity.verify()).toMatchObject({ ok: false, at: 5, problem: 'Entries 5 to 7 are missing: they were removed.' })
  })

  it('a reordering (two entries swapped, seq kept) breaks at the first of them', async () => {
    for (let i = 1; i <= 10; i++) t.services.activity.record(read(i))
    await t.services.activity.flush()
    await tamper(`UPDATE activity SET target_id = CASE seq WHEN 6 THEN 's8' ELSE 's6' END, target_name = CASE seq WHEN 6 THEN 'Secret 8' ELSE 'Secret 6' END,
                  mac = (SELECT mac FROM activity AS o WHERE o.seq = CASE activity.seq WHEN 6 THEN 8 ELSE 6 END) WHERE seq IN (6, 8)`)
    expect(await t.services.activity.verify()).toMatchObject({ ok: false, at: 6 })
  })

  it('entries removed from the end by a tool that did not update the header are found, also after Keyhold wrote more', async () => {
    for (let i = 1; i <= 10; i++) t.services.activity.record(read(i))
    await t.services.activity.flush()
    t.services.vault.lock()
    await t.services.vault.locked()
    // The file edited with the vault's key but without the header's head (the raw vault engine, no commitments).
    const raw = await Vault.open(t.path, { password: PASSWORD })
    expect(raw.commitments.activity).toMatch(/^11:/)
    await raw.mutate((db) => db.run('DELETE FROM activity WHERE seq > 7'))
    raw.close()
    await t.services.vault.unlock({ password: PASSWORD })
    expect(await t.services.activity.verify()).toMatchObject({
      ok: false,
      at: 8,
      problem: 'The log ends at entry 7, but the vault says it reached 11: entries were removed from the end.',
    })
    // Keyhold goes on logging (the unlock above, more reads): the break stays on record.
    t.services.activity.record(read(11))
    await t.services.activity.flush()
    expect(await t.services.activity.verify()).toMatchObject({ ok: false, at: 8 })
  })

  it('a burst of 10,000 records leaves 10,000 entries, one chain', async () => {
    for (let i = 1; i <= 10_000; i++) t.services.activity.record(read(i))
    await t.services.activity.flush()
    expect(t.services.activity.count()).toBe(10_000)
    expect(await t.services.activity.verify()).toMatchObject({ ok: true, count: 10_000, first: 1, last: 10_000 })
  })

  it('retention removes the oldest entries, records log.pruned, and the rest still verifies from the base it kept', async () => {
    for (let i = 1; i <= 300; i++) t.services.activity.record(read(i))
    expect(await t.services.activity.prune({ days: 365, entries: 100 })).toBe(200)
    const kept = await entries()
    expect(kept[0]).toMatchObject({ seq: 301, event: 'log.pruned', actor: { type: 'system' }, detail: { removed: 200, firstSeq: 1, lastSeq: 200 } })
    expect(kept.at(-1)!.seq).toBe(201)
    expect(await t.services.activity.verify()).toMatchObject({ ok: true, count: 101, first: 201, last: 301 })
    // Pruned again later: the base moves, the chain still verifies.
    for (let i = 1; i <= 50; i++) t.services.activity.record(read(i))
    expect(await t.services.activity.prune({ days: 365, entries: 100 })).toBe(51)
    expect(await t.services.activity.verify()).toMatchObject({ ok: true, first: 252 })
  })

  it('what is pending when the vault locks is written, with vault.locked; wrong passwords are written at the next unlock', async () => {
    t.services.activity.record(read(1))
    t.services.vault.lock()
    await t.services.vault.locked()
    for (let i = 0; i < 2; i++) expect(await t.services.vault.unlock({ password: 'wrong password here' }).then(() => 'OK', (e: { code: string }) => e.code)).toBe('WRONG_PASSWORD')
    await t.services.vault.unlock({ password: PASSWORD })
    const events = (await entries()).map((e) => [e.event, e.outcome, e.detail.count ?? null])
    expect(events).toEqual([
      ['vault.unlocked', 'ok', null],
      ['vault.unlock-failed', 'failed', 2],
      ['vault.locked', 'ok', null],
      ['secret.revealed', 'ok', null],
    ])
    expect(await t.services.activity.verify()).toMatchObject({ ok: true, count: 4 })
  })

  it('two processes logging into one vault keep one chain (seq and MAC computed at the write)', async () => {
    const other = createServices({ vaultPath: t.path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
    await other.vault.unlock({ password: PASSWORD })
    for (let i = 1; i <= 20; i++) (i % 2 ? t : { services: other }).services.activity.record(read(i))
    await Promise.all([t.services.activity.flush(), other.activity.flush()])
    await t.services.vault.vault().refresh()
    // The other process's unlock is an entry too.
    expect(t.services.activity.count()).toBe(21)
    expect(await t.services.activity.verify()).toMatchObject({ ok: true, count: 21, last: 21 })
    other.vault.lock()
  })

  it('never keeps an oversized detail', async () => {
    t.services.activity.record({ ...read(1), detail: { note: 'x'.repeat(2_000) } })
    expect((await entries())[0]!.detail).toEqual({ truncated: true })
  })

  it('the app prunes at unlock: entries older than a year go, the rest still verifies', async () => {
    const clock = new FakeClock()
    const old = await unlockedServices({ clock })
    try {
      for (let i = 1; i <= 5; i++) old.services.activity.record(read(i))
      await old.services.activity.flush()
      clock.advance(400 * 24 * 60 * 60 * 1000)
      old.services.activity.record(read(6))
      old.services.vault.lock()
      await old.services.vault.locked()
      await old.services.vault.unlock({ password: PASSWORD })
      await expect.poll(async () => (await old.services.activity.list({ event: 'log.pruned' })).items.length, { timeout: 3_000 }).toBe(1)
      const left = (await old.services.activity.list({ limit: 100 })).items
      expect(left.every((e) => Date.parse(e.at) >= clock.now() - 365 * 24 * 60 * 60 * 1000)).toBe(true)
      expect(await old.services.activity.verify()).toMatchObject({ ok: true })
    } finally {
      old.cleanup()
    }
  })

  it('a vault file put back from an older copy is found by the anchor kept outside it, and stays reported', async () => {
    const { copyFileSync } = await import('node:fs')
    const folder = join(t.dir, 'data')
    mkdirSync(folder)
    const app = createServices({ vaultPath: join(t.dir, 'app.keyhold'), keyStore: new MemoryKeyStore(), kdf: FAST_KDF, dataFolder: folder })
    await app.vault.create({ password: PASSWORD, rememberOnDevice: false })
    for (let i = 1; i <= 3; i++) app.activity.record(read(i))
    await app.activity.flush()
    await app.vault.settle()
    copyFileSync(join(t.dir, 'app.keyhold'), join(t.dir, 'older.keyhold'))
    for (let i = 4; i <= 8; i++) app.activity.record(read(i))
    app.vault.lock()
    await app.vault.locked()
    expect(Object.values(JSON.parse(readFileSync(join(folder, 'activity-anchors.json'), 'utf8')) as object)).toEqual([expect.objectContaining({ seq: 9 })])
    copyFileSync(join(t.dir, 'older.keyhold'), join(t.dir, 'app.keyhold'))
    await app.vault.unlock({ password: PASSWORD })
    await new Promise((r) => setTimeout(r, 50))
    const result = await app.activity.verify()
    expect(result.ok).toBe(false)
    expect(result.problem).toMatch(/^The vault file is older than the activity log this computer saw: its log ends at entry \d, but entry 9 was written here before\./)
    // Keyhold writes on past entry 9: the break found stays reported.
    for (let i = 1; i <= 10; i++) app.activity.record(read(i))
    await app.activity.flush()
    expect(await app.activity.verify()).toMatchObject({ ok: false, problem: expect.stringMatching(/older than the activity log this computer saw/) })
    app.vault.lock()
  })
})
