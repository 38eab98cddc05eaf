import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SecretSort } from '../../../src-shared/types/secrets'
import { createServices, type Services } from '../../../src-main/core/services'
import { scanMatches } from '../../../src-main/core/secrets/secrets.match'
import * as repo from '../../../src-main/core/secrets/secrets.repo'
import type { SecretQuery } from '../../../src-main/core/secrets/secrets.service'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, PASSWORD } from '../../support/vault'
import { secretOf, secretsFixture } from './fixtures'

/** Names, URLs and tags where folding matters: ß/SS, final sigma, ligatures, Kelvin sign, NFD, dotted İ, emoji, digits. */
const NAMES = ['Straße prod', 'STRASSE staging', 'ΟΔΟΣ service', 'Οδός ΣΊΣΥΦΟΣ', 'ﬀ ligature', 'Kelvin \u212a', 'e\u0301mile', 'Émile 12', '🔑 vault', 'İstanbul', 'quote "q" back\\slash', 'Stripe payments']
const TAGS: string[][] = [['Prod', 'eu'], ['PROD'], [], ['a"b', 'c\\d'], ['ΣΊΣΥΦΟΣ', 'Straße'], ['staging', '12']]
const QUERIES = ['strasse', 'STRASSE', 'ß', 'οδος', 'οδοσ', 'ς', 'σισυφος', 'ff', 'k', 'kelvin k', 'emile', 'émile', 'e\u0301', '1', '12', '"', '\\', 'a"b', 'c\\d', 'prod eu', 'https', 'get post', '🔑', 'i̇', 'istanbul', 'stripe', 'api.', 'zzz', ' ', '']
const TAG_FILTERS: Array<string | undefined> = [undefined, 'prod', 'PROD', ' eu ', 'a"b', 'straße', 'STRASSE', '12', 'none']

/** The vault's secrets as the app sees them (the search index) and as the CLI sees them (one scan), from two processes' worth of services. */
describe('SecretsService.listOnce (the CLI\'s one search without the index)', () => {
  let ctx: Awaited<ReturnType<typeof secretsFixture>>
  let other: Services

  beforeEach(async () => {
    ctx = await secretsFixture()
    const inputs = []
    for (let i = 0; i < 60; i++)
      inputs.push(
        secretOf({
          name: `${NAMES[i % NAMES.length]} ${i % 5 === 0 ? '' : i}`.trim(),
          url: `https://api${i % 3 === 0 ? '.stripe' : ''}.example.com/${NAMES[(i * 7) % NAMES.length]!.normalize('NFD').replace(/[^a-z]/gi, '') || 'x'}`,
          clientId: `ci_${i}_${i % 4 === 0 ? 'ΣΟΦΟΣ' : 'plain'}`,
          identifier: i % 2 === 0 ? `ident-${i}` : undefined,
          method: i % 3 === 0 ? undefined : ['GET', 'POST', 'DELETE'][i % 3],
          tags: TAGS[i % TAGS.length],
          clientSecret: 'sk_never_searched',
          notes: 'notes are never searched: stripe prod',
        }),
      )
    await ctx.services.secrets.addMany(inputs)
    // Timestamps differ, so the "updated" order is not the insertion order.
    const list = await ctx.services.secrets.listOnce({ limit: 1000 })
    for (const item of list.items.filter((_, i) => i % 4 === 1)) {
      ctx.clock.advance(1000)
      await ctx.services.secrets.edit({ id: item.id, notes: 'touched' })
    }
    other = createServices({ vaultPath: ctx.path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
  })
  afterEach(() => {
    other.vault.lock()
    ctx.cleanup()
  })

  /** listOnce on a freshly unlocked vault (no index), and list on another process's services (the index). */
  async function both(queries: SecretQuery[]) {
    ctx.services.vault.lock()
    await ctx.services.vault.unlock({ password: PASSWORD })
    const once = []
    for (const query of queries) once.push(await ctx.services.secrets.listOnce(query))
    await other.vault.unlock({ password: PASSWORD })
    const indexed = []
    for (const query of queries) indexed.push(await other.secrets.list(query))
    return { once, indexed }
  }

  it('finds exactly what the search index finds, in the same order, for searches and tag filters', async () => {
    const queries: SecretQuery[] = []
    for (const search of QUERIES) for (const tag of TAG_FILTERS) queries.push({ search, tag, limit: 1000 })
    const { once, indexed } = await both(queries)
    queries.forEach((query, i) => expect(once[i], JSON.stringify(query)).toEqual(indexed[i]))
    // The set is not trivial: some queries match several secrets, some none.
    const totals = once.map((page) => page.total)
    expect(totals.filter((n) => n > 1).length).toBeGreaterThan(20)
    expect(totals.filter((n) => n === 0).length).toBeGreaterThan(5)
  })

  it('sorts, reverses and pages as the index does', async () => {
    const queries: SecretQuery[] = []
    for (const sort of ['name', 'updated'] as SecretSort[])
      for (const direction of ['asc', 'desc', undefined] as const)
        for (const [offset, limit] of [[0, 1000], [3, 7], [0, 1], [55, 50]] as const)
          for (const search of ['e', 'stripe prod', '']) queries.push({ search, tag: search === '' ? 'prod' : undefined, sort, direction, offset, limit })
    const { once, indexed } = await both(queries)
    queries.forEach((query, i) => expect(once[i], JSON.stringify(query)).toEqual(indexed[i]))
  })

  it('does not build the search index', async () => {
    ctx.services.vault.lock()
    await ctx.services.vault.unlock({ password: PASSWORD })
    await ctx.services.secrets.listOnce({ search: 'stripe', tag: 'prod' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    const index = (ctx.services.secrets as unknown as { index: { size: number } }).index
    expect(index.size).toBe(0)
  })

  it('never carries a client secret or notes, and never matches them', async () => {
    const page = await ctx.services.secrets.listOnce({ search: 'sk_never_searched', limit: 1000 })
    expect(page.total).toBe(0)
    const all = await ctx.services.secrets.listOnce({ search: 'e', limit: 1000 })
    expect(all.total).toBeGreaterThan(0)
    expect(JSON.stringify(all)).not.toMatch(/sk_never_searched|notes are never/)
  })

  it('asks the index when a stored value holds a record separator, and still answers exactly', async () => {
    // No input path stores control characters; another writer of the file might.
    const [first] = (await ctx.services.secrets.listOnce({ search: 'stripe', limit: 1 })).items
    await ctx.services.vault.vault().mutate((db) => db.run("UPDATE secret SET name = 'Stripe' || char(30) || 'split' || char(31) || 'x' WHERE id = ?", [first!.id]))
    const text = ctx.services.vault.vault().read((db) => repo.searchText(db))
    expect(scanMatches(text, 'stripe', null)).toBeNull()
    const queries: SecretQuery[] = ['stripe', 'split', 'x', 'stripe split', 'e'].map((search) => ({ search, limit: 1000 }))
    const { once, indexed } = await both(queries)
    queries.forEach((query, i) => expect(once[i], JSON.stringify(query)).toEqual(indexed[i]))
    expect(once[1]!.total).toBe(1)
  })
})

describe('scanMatches', () => {
  it('matches nothing in an empty vault', () => {
    expect(scanMatches({ count: 0, core: '', tags: '' }, 'x', null)).toEqual([])
  })

  it('never matches a rowid, only the fields', () => {
    const text = { count: 2, core: '123\u001fabc\u001e7\u001fx123', tags: '[]\u001e["t"]' }
    expect(scanMatches(text, '12', null)).toEqual([7])
    expect(scanMatches(text, '1', null)).toEqual([7])
    expect(scanMatches(text, 'abc', null)).toEqual([123])
    expect(scanMatches(text, '', 'T')).toEqual([7])
  })
})
