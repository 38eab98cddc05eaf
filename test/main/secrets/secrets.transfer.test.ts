import { parse as parseCsv } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SecretId } from '../../../src-shared/types/secrets'
import { neutraliseCell } from '../../../src-main/core/csv-cell'
import * as repo from '../../../src-main/core/secrets/secrets.repo'
import { exportCell, importCell, secretsCsv, secretsJson } from '../../../src-main/core/secrets/secrets.transfer'
import { fold } from '../../../src-shared/fold'
import { codeOf, errorOf, secretOf, secretsFixture } from './fixtures'

describe('exportCell and importCell', () => {
  const values = ['plain', '', '=1+2', '+x', '-1', '@SUM(A1)', '\tx', '\rx', ' =x', '\u00a0=x', '\uff1dx', "'", "'plain", "'=x", "''=x", "''", 'it\'s']

  it('give back every value as it was', () => {
    for (const value of values) expect(importCell(exportCell(value)), JSON.stringify(value)).toBe(value)
  })

  it('mark every cell a spreadsheet would run as a formula, as the other exports do', () => {
    for (const value of values) if (neutraliseCell(value) !== value) expect(exportCell(value)).toBe(`'${value}`)
    expect(exportCell('plain')).toBe('plain')
  })

  it("keep a leading ' that is not a mark (a value written by hand)", () => {
    expect(importCell("'plain")).toBe("'plain")
    expect(importCell("'")).toBe("'")
    expect(importCell("'=x")).toBe('=x')
  })
})

describe('secretsCsv and secretsJson', () => {
  const record = {
    name: '=HYPERLINK("x")',
    url: 'https://x.example',
    clientId: '-c',
    clientSecret: '@s "quoted", kept ',
    identifier: null,
    method: 'GET' as const,
    tags: ['-a', 'b'],
    notes: "'n\nline 2",
  }

  it('writes a CSV with the header import reads, null as an empty cell and tags joined by ";"', () => {
    const [header, row] = parseCsv(secretsCsv([record])) as string[][]
    expect(header).toEqual(['name', 'url', 'clientId', 'clientSecret', 'identifier', 'method', 'tags', 'notes'])
    expect(row).toEqual([`'=HYPERLINK("x")`, 'https://x.example', "'-c", `'@s "quoted", kept `, '', 'GET', "'-a;b", "''n\nline 2"])
  })

  it('writes JSON with the same keys, nothing neutralised', () => {
    expect(JSON.parse(secretsJson([record]))).toEqual([record])
  })
})

describe('SecretsService export and lookup', () => {
  let ctx: Awaited<ReturnType<typeof secretsFixture>>
  beforeEach(async () => {
    ctx = await secretsFixture()
  })
  afterEach(() => ctx.cleanup())

  it('exports every secret with its client secret, in name order, once delivered, and records it', async () => {
    await ctx.services.secrets.add(secretOf({ name: 'b', identifier: 'b' }))
    await ctx.services.secrets.add(secretOf({ name: 'A', identifier: null, clientSecret: null }))
    let delivered = ''
    expect(await ctx.services.secrets.exportAll('json', async (text) => void (delivered = text))).toEqual({ count: 2 })
    expect(JSON.parse(delivered)).toMatchObject([{ name: 'A', clientSecret: null }, { name: 'b', clientSecret: 'sk_live_TOPSECRET_1' }])
    await ctx.services.activity.flush()
    const { items } = await ctx.services.activity.list({ event: 'secrets.exported' })
    expect(items).toMatchObject([{ event: 'secrets.exported', detail: { format: 'json', count: 2 } }])
    expect(JSON.stringify(items)).not.toContain('TOPSECRET')
  })

  it('records nothing when the file could not be delivered', async () => {
    await ctx.services.secrets.add(secretOf())
    await expect(ctx.services.secrets.exportAll('csv', () => Promise.reject(new Error('disk')))).rejects.toThrow('disk')
    await ctx.services.activity.flush()
    expect((await ctx.services.activity.list({ event: 'secrets.exported' })).items).toEqual([])
  })

  it('refuses to export without a recent confirmation of the master password', async () => {
    await ctx.services.secrets.add(secretOf())
    ctx.clock.advance(60 * 60 * 1000)
    expect(await codeOf(ctx.services.secrets.exportAll('json', async () => undefined))).toBe('REAUTH_REQUIRED')
  })

  /** Inserts a secret with a chosen id (ids are random otherwise). */
  const insertWithId = (id: string, name: string) =>
    ctx.services.vault.vault().mutate((db) =>
      repo.insert(db, { ...secretOf({ name, identifier: null }), id: id as SecretId, clientSecret: null, identifier: null, method: null, tags: [], notes: '', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }, fold(name), null),
    )

  it('shows as much of an id as tells every secret apart, and finds a secret by that start', async () => {
    await insertWithId('0123456789-a-0000-0000-000000000000', 'one')
    expect(ctx.services.secrets.shortIdLength()).toBe(8)
    await insertWithId('0123456789-b-0000-0000-000000000000', 'two')
    await insertWithId('fedcba98-0000-0000-0000-000000000000', 'three')
    expect(ctx.services.secrets.shortIdLength()).toBe(12)
    // Only the ids asked about count, each against every other id of the vault.
    expect(ctx.services.secrets.shortIdLength(['fedcba98-0000-0000-0000-000000000000' as SecretId])).toBe(8)
    expect(ctx.services.secrets.shortIdLength(['0123456789-b-0000-0000-000000000000' as SecretId])).toBe(12)
    expect(ctx.services.secrets.shortIdLength([])).toBe(8)
    expect(ctx.services.secrets.resolve('0123456789-a').name).toBe('one')
    const error = await errorOf(() => ctx.services.secrets.resolve('01234567'))
    expect(error).toMatchObject({ code: 'CONFLICT' })
    expect(error.message).toMatch(/^2 API secrets have an id starting with "01234567": 0123456789-a-.*, 0123456789-b-/)
  })

  it('finds an id first, then an Identifier, then a name', async () => {
    const byName = await ctx.services.secrets.add(secretOf({ name: 'stripe-prod', identifier: null }))
    const byIdentifier = await ctx.services.secrets.add(secretOf({ name: 'Other', identifier: 'stripe-prod' }))
    expect(ctx.services.secrets.resolve('stripe-prod').id).toBe(byIdentifier.id)
    expect(ctx.services.secrets.resolve(byName.id).id).toBe(byName.id)
  })
})
