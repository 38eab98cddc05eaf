import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAppKeySession } from '../../../src-shared/local-access/client'
import { toBase64Url } from '../../../src-shared/local-access/frames'
import { addSecrets, startAgent, type TestAgent } from '../../support/agent'

/** Issue 17: a burst of 10,000 requests through the agent leaves 10,000 entries, in one chain. */
describe('a burst of requests through the agent', () => {
  let t: TestAgent
  beforeAll(async () => {
    // The request limits (20/s per connection) are lifted, as the bench does: the burst tests the log, not the limits.
    t = await startAgent({ requestLimits: false })
    await addSecrets(t.services)
  })
  afterAll(() => t.stop())

  it('10,000 requests of an application key leave 10,000 appkey.used entries, and the chain verifies', async () => {
    const { key, token } = await t.services.appKeys.generate({ label: 'burst', roleIds: ['secrets-reader'] })
    const target = { vaultId: t.services.vault.vault().id, desktopKey: toBase64Url(t.services.pairings.desktopKey().publicKey) }
    const session = await openAppKeySession(await t.connect(), target, { key: key.key, token })
    const id = (await session.list()).items[0]!.id
    const used = async () => {
      await t.services.activity.flush()
      return t.services.vault.vault().read((db) => db.exec("SELECT count(*) FROM activity WHERE event = 'appkey.used'")[0]!.values[0]![0]) as number
    }
    const before = await used()
    let sent = 0
    // Eight in flight, the most a connection may have outstanding.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < 10_000) {
          sent++
          await session.get(id)
        }
      }),
    )
    session.close()
    expect((await used()) - before).toBe(10_000)
    expect(await t.services.activity.verify()).toMatchObject({ ok: true })
  })
})
