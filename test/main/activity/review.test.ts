import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createServices, type Services } from '../../../src-main/core/services'
import { Vault } from '../../../src-main/core/vault/vault'
import type { ActivityEntry } from '../../../src-shared/types/activity'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

/**
 * What a fresh-eyes review of the activity log found (each case failed before its fix): a
 * journal that could empty the log, a truncation hidden by a save, entries taken in twice, an
 * anchor that followed a forked copy, a stale verify, an expiry recorded twice, a read-only
 * command that wrote, an export recorded before it was written.
 */
describe('the activity log holds where the review pressed', () => {
  let dir: string
  let cleanup: () => void
  let data: string
  const path = () => join(dir, 'vault.keyhold')
  const open = (actor: 'app' | 'cli' = 'app') => createServices({ vaultPath: path(), keyStore: new MemoryKeyStore(), kdf: FAST_KDF, dataFolder: data, actor })
  const entries = async (services: Services): Promise<ActivityEntry[]> => (await services.activity.list({ limit: 500 })).items.reverse()
  const close = async (services: Services) => {
    services.vault.lock()
    await services.vault.locked()
    await services.activity.settled()
  }
  const reveal = (services: Services, n: number) => {
    for (let i = 0; i < n; i++) services.activity.record({ event: 'secret.revealed', target: { type: 'secret', id: `s${i}` } })
  }

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    data = join(dir, 'data')
    mkdirSync(data)
    const made = open()
    await made.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await close(made)
  })
  afterEach(() => cleanup())

  it('a journal entry dated long ago does not let retention empty the log', async () => {
    const app = open()
    await app.vault.unlock({ password: PASSWORD })
    reveal(app, 50)
    const id = app.vault.vault().id
    await close(app)
    const planted = { [id]: { dropped: 0, entries: [{ id: 'a'.repeat(24), at: '1970-01-01T00:00:00.000Z', event: 'vault.locked', actor: { type: 'cli' }, outcome: 'ok', detail: {} }] } }
    writeFileSync(join(data, 'activity-journal.json'), JSON.stringify(planted))
    await app.vault.unlock({ password: PASSWORD })
    await app.activity.prune(app.activity.retention())
    expect((await entries(app)).filter((e) => e.event === 'secret.revealed')).toHaveLength(50)
    expect(await app.activity.verify()).toMatchObject({ ok: true })
    await close(app)
  })

  it('entries removed from the end stay reported after a save of something else comes first', async () => {
    const app = open('cli')
    await app.vault.unlock({ password: PASSWORD })
    reveal(app, 10)
    await close(app)
    const raw = await Vault.open(path(), { password: PASSWORD })
    await raw.mutate((db) => db.run('DELETE FROM activity WHERE seq > 5'))
    raw.close()
    // A CLI command that adds a secret: its save recommits the table's last entry before the log writes.
    await app.vault.unlock({ password: PASSWORD })
    await app.activity.ready()
    await app.secrets.add({ name: 'Later', url: 'https://later.example', clientId: 'x', tags: [] })
    await close(app)
    await app.vault.unlock({ password: PASSWORD })
    expect(await app.activity.verify()).toMatchObject({ ok: false, problem: expect.stringMatching(/^The log ends at entry 5, but the vault says it reached \d+/) })
    await close(app)
  })

  it('two writers after a read-only command take its journal entries in once', async () => {
    const reader = open('cli')
    await reader.vault.unlock({ password: PASSWORD })
    await reader.activity.ready()
    await close(reader)
    const [a, b] = [open('cli'), open('cli')]
    await a.vault.unlock({ password: PASSWORD })
    await b.vault.unlock({ password: PASSWORD })
    await Promise.all([a.activity.ready(), b.activity.ready()])
    reveal(a, 1)
    reveal(b, 1)
    await Promise.all([close(a), close(b)])
    const check = open()
    await check.vault.unlock({ password: PASSWORD })
    expect((await entries(check)).filter((e) => e.detail.journal === true).map((e) => e.event)).toEqual(['vault.unlocked', 'vault.locked'])
    await close(check)
  })

  it('a copy put back and written to since does not move the anchor until it is accepted; the acceptance names what this computer had seen', async () => {
    const app = open()
    await app.vault.unlock({ password: PASSWORD })
    await app.activity.flush()
    await app.vault.settle()
    copyFileSync(path(), join(dir, 'older.keyhold'))
    reveal(app, 3)
    await close(app)
    const anchors = () => Object.values(JSON.parse(readFileSync(join(data, 'activity-anchors.json'), 'utf8')) as Record<string, { seq: number }>)[0]!.seq
    const before = anchors()
    const elsewhere = createServices({ vaultPath: join(dir, 'older.keyhold'), keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
    await elsewhere.vault.unlock({ password: PASSWORD })
    reveal(elsewhere, 20)
    await close(elsewhere)
    copyFileSync(join(dir, 'older.keyhold'), path())
    await app.vault.unlock({ password: PASSWORD })
    await app.activity.ready()
    reveal(app, 2)
    expect(await app.activity.verify()).toMatchObject({ ok: false, restored: true })
    expect(anchors()).toBe(before)
    await app.activity.acceptRestore()
    await app.activity.flush()
    const accepted = (await entries(app)).find((e) => e.event === 'log.restore-accepted')!
    expect(accepted.detail.seenLast).toBe(before)
    await close(app)
  })

  it('verify reads what another process wrote before comparing with the anchor it moved', async () => {
    const app = open()
    await app.vault.unlock({ password: PASSWORD })
    await app.activity.flush()
    const cli = open('cli')
    await cli.vault.unlock({ password: PASSWORD })
    await cli.activity.ready()
    reveal(cli, 3)
    await close(cli)
    expect(await app.activity.verify()).toMatchObject({ ok: true, restored: false })
    await close(app)
  })

  it('a key that expired is recorded once when two processes notice it', async () => {
    const app = open()
    await app.vault.unlock({ password: PASSWORD })
    const expired = { event: 'app.expired' as const, actor: { type: 'system' as const }, target: { type: 'app' as const, id: 'app-1', name: 'Brief' } }
    // The app's entry is still pending when a CLI notices the same expiry and writes first.
    app.activity.record(expired)
    const cli = open('cli')
    await cli.vault.unlock({ password: PASSWORD })
    await cli.activity.ready()
    cli.activity.record(expired)
    await close(cli)
    await app.activity.flush()
    expect((await entries(app)).filter((e) => e.event === 'app.expired')).toHaveLength(1)
    expect(await app.activity.verify()).toMatchObject({ ok: true })
    await close(app)
  })

  it('a CLI command that only reads, for longer than the log waits, still writes nothing to the vault', async () => {
    const before = readFileSync(path())
    const cli = open('cli')
    await cli.vault.unlock({ password: PASSWORD })
    await cli.activity.ready()
    await cli.secrets.list()
    await new Promise((resolve) => setTimeout(resolve, 1_300))
    await close(cli)
    expect(readFileSync(path()).equals(before)).toBe(true)
  })

  it('an export that could not be written is not recorded as one', async () => {
    const app = open()
    await app.vault.unlock({ password: PASSWORD })
    await expect(app.activity.exportTo(join(dir, 'missing', 'log.csv'), 'csv')).rejects.toThrow()
    await app.activity.flush()
    expect((await entries(app)).filter((e) => e.event === 'log.exported')).toEqual([])
    await app.activity.exportTo(join(dir, 'log.csv'), 'csv')
    await app.activity.flush()
    expect((await entries(app)).filter((e) => e.event === 'log.exported')).toHaveLength(1)
    await close(app)
  })
})
