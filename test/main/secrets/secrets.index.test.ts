import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { HttpMethod, SecretId, SecretSort } from '../../../src-shared/types/secrets'
import { all, openDatabase, type Database } from '../../../src-main/core/vault/database'
import { fold } from '../../../src-shared/fold'
import { nameSortKey } from '../../../src-main/core/secrets/secrets.sort-key'
import { SecretsIndex, type IndexQuery } from '../../../src-main/core/secrets/secrets.index'
import * as repo from '../../../src-main/core/secrets/secrets.repo'

const WORDS = ['alpha', 'Beta', 'GAMMA', 'delta', 'Straße', 'émile', 'zeta', 'prod', 'staging', 'x']
const METHODS: Array<HttpMethod | null> = ['GET', 'POST', null, 'DELETE']

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

function makeRecord(random: () => number, i: number): repo.SecretRecord {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
  const tags = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(WORDS)))]
  return {
    id: randomUUID() as SecretId,
    name: `${pick(WORDS)} ${pick(WORDS)} ${i}`,
    url: `https://${pick(WORDS).toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.example.com/v${i % 3}`,
    clientId: `client-${Math.floor(random() * 1e6)}`,
    clientSecret: `secret-${i}`,
    identifier: random() < 0.5 ? `ident-${i}` : null,
    method: pick(METHODS),
    tags,
    notes: `notes ${pick(WORDS)}`,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 1e9)).toISOString(),
  }
}

interface NaiveRow {
  id: string
  nameKey: string
  updated: string
  tagKeys: string[]
  fields: string[]
}

function naiveRows(db: Database): NaiveRow[] {
  return all<{ id: string; name: string; url: string; client_id: string; identifier: string | null; method: string | null; tags: string; updated_at: string }>(
    db,
    'SELECT id, name, url, client_id, identifier, method, tags, updated_at FROM secret',
  ).map((r) => {
    const tags = JSON.parse(r.tags) as string[]
    return {
      id: r.id,
      nameKey: nameSortKey(r.name),
      updated: r.updated_at,
      tagKeys: tags.map(fold),
      fields: [r.name, r.url, r.client_id, r.identifier ?? '', r.method ?? '', ...tags].map(fold),
    }
  })
}

/** What the index must answer, computed the slow, obvious way from the database's rows. */
function naive(rows: NaiveRow[], q: IndexQuery): { ids: string[]; total: number } {
  const terms = fold(q.search).split(/\s+/).filter(Boolean)
  const matches = rows.filter((r) => {
    if (q.tag !== null && !r.tagKeys.includes(fold(q.tag))) return false
    return terms.every((t) => r.fields.some((f) => f.includes(t)))
  })
  const key = (r: NaiveRow) => (q.sort === 'name' ? r.nameKey : r.updated)
  matches.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1))
  if (q.direction === 'desc') matches.reverse()
  return { ids: matches.slice(q.offset, q.offset + q.limit).map((r) => r.id), total: matches.length }
}

describe('SecretsIndex', () => {
  let db: Database
  let index: SecretsIndex
  const read = <T>(fn: (d: Database) => T): T => fn(db)

  beforeEach(async () => {
    db = await openDatabase()
    // Small blocks, so that edits split, empty and rebuild them.
    index = new SecretsIndex(16)
  })
  afterEach(() => db.close())

  const insert = (record: repo.SecretRecord) => {
    repo.insert(db, record, nameSortKey(record.name), record.identifier && fold(record.identifier))
    index.put(db, record)
  }
  const queries = (): IndexQuery[] => {
    const list: IndexQuery[] = []
    for (const search of ['', 'a', 'alpha', 'BETA prod', 'strasse', 'ÉMILE', 'example.com', 'zzz', 'get', 'ident-1'])
      for (const tag of [null, 'prod', 'Staging'])
        for (const sort of ['name', 'updated'] as SecretSort[])
          for (const direction of ['asc', 'desc'] as const) list.push({ search, tag, sort, direction, offset: 3, limit: 7 })
    return list
  }
  const expectSameAsNaive = () => {
    expect(index.isReadyFor(db)).toBe(true)
    const rows = naiveRows(db)
    for (const q of queries()) expect(index.query(db, q), JSON.stringify(q)).toEqual(naive(rows, q))
    // Edits clear only the blocks they touch; every block's text must be that of its entries.
    const orders = (index as unknown as { orders: Record<string, { entries: Array<{ hay: string }>; blocks: Array<{ count: number; text: string | null; starts: Int32Array | null }> | null }> }).orders
    for (const order of Object.values(orders)) {
      if (!order.blocks) continue
      expect(order.blocks.reduce((n, b) => n + b.count, 0)).toBe(order.entries.length)
      let from = 0
      for (const block of order.blocks) {
        const mine = order.entries.slice(from, from + block.count)
        if (block.text !== null) {
          expect(block.text).toBe(mine.map((e) => `${e.hay}\u001e`).join(''))
          let at = 0
          mine.forEach((e, r) => {
            expect(block.starts![r]).toBe(at)
            at += e.hay.length + 1
          })
          expect(block.starts![block.count]).toBe(block.text.length)
        }
        from += block.count
      }
    }
  }

  it('answers exactly as a full scan would, through random adds, edits and deletes', async () => {
    const random = prng(42)
    const records = Array.from({ length: 300 }, (_, i) => makeRecord(random, i))
    records.forEach((r) => repo.insert(db, r, nameSortKey(r.name), r.identifier && fold(r.identifier)))
    await index.ensure(read)
    expectSameAsNaive()
    for (let step = 0; step < 200; step++) {
      const roll = random()
      if (roll < 0.4) {
        const record = makeRecord(random, 1000 + step)
        records.push(record)
        insert(record)
      } else if (roll < 0.7 && records.length) {
        const at = Math.floor(random() * records.length)
        const changed = { ...makeRecord(random, 2000 + step), id: records[at]!.id }
        records[at] = changed
        repo.update(db, changed, nameSortKey(changed.name), changed.identifier && fold(changed.identifier))
        index.put(db, changed)
      } else if (records.length) {
        const [gone] = records.splice(Math.floor(random() * records.length), 1)
        repo.remove(db, gone!.id)
        index.delete(db, gone!.id)
      }
      if (step % 40 === 0) expectSameAsNaive()
    }
    expectSameAsNaive()
  })

  it('stays exact when changes land while it is being built block by block', async () => {
    const random = prng(7)
    const records = Array.from({ length: 5000 }, (_, i) => makeRecord(random, i))
    records.forEach((r) => repo.insert(db, r, nameSortKey(r.name), r.identifier && fold(r.identifier)))
    const building = index.ensure(read)
    // The first block is read; the rest are not yet. Change rows on both sides of the scan.
    const early = records[10]!
    const late = records[4500]!
    repo.remove(db, early.id)
    index.delete(db, early.id)
    repo.remove(db, late.id)
    index.delete(db, late.id)
    const edited = { ...makeRecord(random, 9000), id: records[3000]!.id }
    repo.update(db, edited, nameSortKey(edited.name), edited.identifier && fold(edited.identifier))
    index.put(db, edited)
    insert(makeRecord(random, 9001))
    expect(index.isReadyFor(db)).toBe(false)
    await building
    expect(index.size).toBe(4999)
    expectSameAsNaive()
  })

  it('throws itself away when a change arrives for another database, and rebuilds for it', async () => {
    const random = prng(3)
    const first = makeRecord(random, 1)
    repo.insert(db, first, 'k', first.identifier && fold(first.identifier))
    await index.ensure(read)
    const other = await openDatabase(db.export())
    index.put(other, makeRecord(random, 2))
    expect(index.isReadyFor(db)).toBe(false)
    expect(index.size).toBe(0)
    db.close()
    db = other
    await index.ensure(read)
    expect(index.size).toBe(1)
  })

  it('still builds when a value written around the service holds its record separators', async () => {
    const random = prng(11)
    const odd = { ...makeRecord(random, 1), name: 'odd\u001ename\u001fhere' }
    repo.insert(db, odd, nameSortKey(odd.name), null)
    const plain = makeRecord(random, 2)
    repo.insert(db, plain, nameSortKey(plain.name), plain.identifier && fold(plain.identifier))
    await index.ensure(read)
    expect(index.size).toBe(2)
    expect(index.query(db, { search: plain.clientId, tag: null, sort: 'name', direction: 'asc', offset: 0, limit: 10 }).ids).toEqual([plain.id])
    expect(index.query(db, { search: 'odd', tag: null, sort: 'name', direction: 'asc', offset: 0, limit: 10 }).ids).toEqual([odd.id])
  })

  it('builds the same texts as a change does, for values JSON escapes and values folding lengthens', async () => {
    const random = prng(13)
    const odd = {
      ...makeRecord(random, 1),
      name: 'Quote " back\\slash \u0130stanbul STRASSE',
      url: 'https://example.com/a"b\\c?q=\u00c9T\u00c9',
      clientId: 'e\u0301cole-\u2028-\u00df',
      identifier: 'ID-\u0130',
      tags: ['\u00c9t\u00e9', 'A"B'],
    }
    insert(odd)
    await index.ensure(read)
    const entry = (index as unknown as { entries: Map<string, { hay: string; nameKey: string }> }).entries.get(odd.id)!
    const core = fold([odd.name, odd.url, odd.clientId, odd.identifier, odd.method ?? ''].join('\n'))
    expect(entry.nameKey).toBe(nameSortKey(odd.name))
    expect(entry.hay).toBe(`${core}\n${odd.tags.map(fold).join('\n')}`)
    for (const search of ['quote " back\\slash', 'i\u0307stanbul', 'strasse', '\u00e9cole', 'a"b'])
      expect(index.query(db, { search, tag: null, sort: 'name', direction: 'asc', offset: 0, limit: 10 }).ids).toEqual([odd.id])
    expect(index.query(db, { search: '', tag: '\u00c9T\u00c9', sort: 'name', direction: 'asc', offset: 0, limit: 10 }).ids).toEqual([odd.id])
  })

  it('holds no client secret or notes', async () => {
    const random = prng(9)
    const record = makeRecord(random, 1)
    insert(record)
    await index.ensure(read)
    index.query(db, { search: 'x', tag: null, sort: 'name', direction: 'asc', offset: 0, limit: 10 })
    const internals = index as unknown as { entries: Map<string, unknown>; orders: Record<string, { text: string | null }> }
    const text = JSON.stringify([...internals.entries.values()]) + internals.orders.name?.text
    expect(text).not.toContain(record.clientSecret!)
    expect(text).not.toContain(record.notes)
  })

  it('forgets everything on clear', async () => {
    const random = prng(5)
    insert(makeRecord(random, 1))
    await index.ensure(read)
    index.clear()
    expect(index.size).toBe(0)
    expect(index.isReadyFor(db)).toBe(false)
  })
})
