import initSqlJs from 'sql.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fold } from '../../../src-shared/fold'
import { SCHEMA } from '../../../src-main/core/schema'
import { migrate, openDatabase } from '../../../src-main/core/vault/database'
import { nameSortKey } from '../../../src-main/core/secrets/secrets.sort-key'
import { secretOf, secretsFixture } from './fixtures'

const NAMES = ['Service 49', 'service 5', 'Service 100', 'Service 10', 'Émile 2', 'emile 11']
const NATURAL = ['Émile 2', 'emile 11', 'service 5', 'Service 10', 'Service 49', 'Service 100']

describe('names in natural order', () => {
  let ctx: Awaited<ReturnType<typeof secretsFixture>>
  beforeEach(async () => {
    ctx = await secretsFixture()
    for (const [i, name] of NAMES.entries()) await ctx.services.secrets.add(secretOf({ name, identifier: `id-${i}` }))
  })
  afterEach(() => ctx.cleanup())

  const names = async (query: Parameters<typeof ctx.services.secrets.list>[0]) => (await ctx.services.secrets.list(query)).items.map((s) => s.name)

  it('lists API secrets by name in natural order, both ways, page by page', async () => {
    expect(await names({ sort: 'name' })).toEqual(NATURAL)
    expect(await names({ sort: 'name', direction: 'desc' })).toEqual([...NATURAL].reverse())
    const pages = [0, 2, 4].map((offset) => names({ sort: 'name', offset, limit: 2 }))
    expect((await Promise.all(pages)).flat()).toEqual(NATURAL)
  })

  it('keeps that order when searching (the index) and after a rename', async () => {
    expect(await names({ sort: 'name', search: 'service' })).toEqual(['service 5', 'Service 10', 'Service 49', 'Service 100'])
    const [five] = (await ctx.services.secrets.list({ search: 'service 5' })).items
    await ctx.services.secrets.edit({ id: five!.id, name: 'Service 50' })
    expect(await names({ sort: 'name', search: 'service' })).toEqual(['Service 10', 'Service 49', 'Service 50', 'Service 100'])
  })

  it('lists roles by name in natural order, built-in ones first', async () => {
    const { appKeys } = ctx.services
    for (const name of ['Reader 49', 'reader 5', 'Reader 10']) await appKeys.createRole({ name, permissions: ['secrets:read'] })
    const custom = appKeys.listRoles().filter((role) => !role.builtin)
    expect(custom.map((role) => role.name)).toEqual(['reader 5', 'Reader 10', 'Reader 49'])
  })
})

describe('migration 7 (secrets-natural-order)', () => {
  it('rewrites the sort key of every API secret a vault of schema 6 holds', async () => {
    const SQL = await initSqlJs()
    const old = new SQL.Database()
    migrate(old, SCHEMA.slice(0, 6))
    for (const [i, name] of NAMES.entries())
      old.run(`INSERT INTO secret (id, name, name_key, url, client_id, created_at, updated_at) VALUES (?, ?, ?, 'https://x', 'c', 't', 't')`, [`id-${i}`, name, fold(name)])
    const upgraded = await openDatabase(old.export())
    const rows = upgraded.exec('SELECT name, name_key FROM secret ORDER BY name_key, id')[0]!.values
    expect(rows.map(([name]) => name)).toEqual(NATURAL)
    for (const [name, key] of rows) expect(key).toBe(nameSortKey(String(name)))
    upgraded.close()
    old.close()
  })
})
