import { readFileSync, writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appsChannels } from '../../../src-shared/ipc/apps.contract'
import { createServices, type Services } from '../../../src-main/core/services'
import { CatalogRows, matchRows, parseRows, privateFieldsAt, type CatalogRow } from '../../../src-main/core/secrets/secrets.catalog'
import * as repo from '../../../src-main/core/secrets/secrets.repo'
import { resolveRef } from '../../../src-main/core/secrets/secrets.refs'
import { secretTable } from '../../../src-main/cli/secrets.format'
import type { SecretId } from '../../../src-shared/types/secrets'
import { openCatalogFile, sealCatalog, tagsOf, type CatalogBlockName } from '../../../src-main/core/vault/catalog'
import { open, sealWithNonce } from '../../../src-main/core/vault/crypto'
import { run } from '../../../src-main/core/vault/database'
import { readMeta, writeMeta } from '../../../src-main/core/vault/meta'
import { catalogBytes, decodeVault, encodePreamble, imageEnd } from '../../../src-main/core/vault/format'
import { unwrapDataKey } from '../../../src-main/core/vault/key-slots'
import { TAG_BYTES } from '../../../src-main/core/vault/sizes'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, PASSWORD } from '../../support/vault'
import { codeOf, secretOf, secretsFixture } from './fixtures'

/** Where folding matters (as secrets.list-once.test.ts): ß/SS, final sigma, ligatures, Kelvin sign, NFD, dotted İ, emoji. */
const NAMES = ['Straße prod', 'STRASSE staging', 'ΟΔΟΣ service', 'Οδός ΣΊΣΥΦΟΣ', 'ﬀ ligature', 'Kelvin \u212a', 'e\u0301mile', 'Émile 12', '🔑 vault', 'İstanbul', 'quote "q" back\\slash']
const TAGS: string[][] = [['Prod', 'eu'], ['PROD'], [], ['a"b', 'c\\d'], ['ΣΊΣΥΦΟΣ', 'Straße']]
const QUERIES = ['strasse', 'ß', 'οδος', 'ς', 'ff', 'kelvin k', 'emile', 'e\u0301', '12', '"', '\\', 'prod eu', 'https', 'get post', '🔑', 'istanbul', 'zzz', '']
const TAG_FILTERS: Array<string | undefined> = [undefined, 'prod', ' eu ', 'a"b', 'STRASSE', 'none', '  ']

/** The catalog of the vault file at `path`, read as the CLI's read path reads it. */
async function readCatalog(path: string, names: CatalogBlockName[] = ['rows', 'search', 'secrets'], password = PASSWORD) {
  const file = await openCatalogFile(path)
  if (!file) return null
  try {
    return await file.readBlocks(await unwrapDataKey(file.header, { password }), names)
  } finally {
    await file.close()
  }
}

/** What the vault's database says, through the services: every secret in list order, with its folded Identifier, client secret and notes. */
async function fromSql(services: Services) {
  const page = await services.secrets.listOnce({ limit: Number.MAX_SAFE_INTEGER })
  return page.items.map((item) => {
    const record = services.vault.vault().read((db) => repo.findRecord(db, item.id))!
    return { item, clientSecret: record.clientSecret, notes: record.notes }
  })
}

/** Locks and unlocks again: the session's last save writes the catalog (Vault.finish). */
async function endSession(services: Services, password = PASSWORD) {
  services.vault.lock()
  await services.vault.locked()
  await services.vault.unlock({ password })
}

/** The catalog holds what SQL holds: rows, client secrets and notes, in the same order, once the session that changed them ends. */
async function expectCatalogMatches(services: Services, path: string, password = PASSWORD) {
  await endSession(services, password)
  const blocks = (await readCatalog(path, undefined, password))!
  expect(blocks).not.toBeNull()
  const rows = parseRows(blocks.rows!)
  const sql = await fromSql(services)
  expect(rows.map(({ identifierKey: _key, ...summary }) => summary)).toEqual(sql.map((s) => s.item))
  rows.forEach((row, i) => {
    expect(privateFieldsAt(blocks.secrets!, i, rows.length)).toEqual({ clientSecret: sql[i]!.clientSecret, notes: sql[i]!.notes })
    // The folded Identifier is the key `resolve` finds a secret by.
    if (row.identifier !== null) expect(services.vault.vault().read((db) => repo.idByIdentifierKey(db, row.identifierKey!))).toBe(row.id)
    else expect(row.identifierKey).toBeNull()
  })
  return { blocks, rows }
}

describe('the API secrets catalog (format 1.3)', () => {
  let ctx: Awaited<ReturnType<typeof secretsFixture>>
  beforeEach(async () => {
    ctx = await secretsFixture()
  })
  afterEach(() => ctx.cleanup())

  async function addVaried(count: number) {
    const inputs = []
    for (let i = 0; i < count; i++)
      inputs.push(
        secretOf({
          name: `${NAMES[i % NAMES.length]} ${i % 5 === 0 ? '' : i}`.trim(),
          url: `https://api${i % 3 === 0 ? '.stripe' : ''}.example.com/${i}`,
          clientId: `ci_${i}_${i % 4 === 0 ? 'ΣΟΦΟΣ' : 'plain'}`,
          identifier: i % 2 === 0 ? `Ident-${i}` : undefined,
          method: i % 3 === 0 ? undefined : ['GET', 'POST', 'DELETE'][i % 3],
          tags: TAGS[i % TAGS.length],
          clientSecret: i % 7 === 0 ? null : `sk_${i}_"quoted"\\ ü`,
          notes: i % 2 ? `line one\n\tline two ${i} "q" \\ ü` : '',
        }),
      )
    await ctx.services.secrets.addMany(inputs)
  }

  it('holds every secret as SQL does, and a search matches what the CLI search lists', async () => {
    await addVaried(44)
    const { blocks, rows } = await expectCatalogMatches(ctx.services, ctx.path)
    let matched = 0
    for (const search of QUERIES)
      for (const tag of TAG_FILTERS) {
        const expected = (await ctx.services.secrets.listOnce({ search, tag, limit: 1000 })).items.map((item) => item.id)
        const found = matchRows(blocks.search!, rows, search, tag).map((i) => rows[i]!.id)
        expect(found, `search ${JSON.stringify(search)} tag ${JSON.stringify(tag)}`).toEqual(expected)
        matched += found.length
      }
    expect(matched).toBeGreaterThan(100)
  })

  it('gives each row on demand as parseRows gives them all: its id and whether it has an Identifier from its bytes', async () => {
    await addVaried(23)
    const { blocks, rows } = await expectCatalogMatches(ctx.services, ctx.path)
    const lazy = new CatalogRows(blocks.rows!)
    expect(lazy.count).toBe(23)
    for (let r = 0; r < lazy.count; r++) {
      expect(lazy.at(r)).toEqual(rows[r])
      expect(lazy.id(r)).toBe(rows[r]!.id)
      expect(lazy.unidentified(r)).toBe(rows[r]!.identifier === null)
    }
    expect(rows.some((row) => row.identifier === null) && rows.some((row) => row.identifier !== null)).toBe(true)
    expect(new CatalogRows(Buffer.alloc(0)).count).toBe(0)
  })

  it("prints the list's table measured on the rows' texts exactly as measured on its cells: names that are not one line, wide characters, no Identifier or method, escaped tags", async () => {
    await addVaried(30)
    await ctx.services.secrets.addMany([
      secretOf({ name: 'Two  spaces  here', identifier: undefined, method: undefined, tags: [] }),
      secretOf({ name: 'No\u00a0break\u00a0\u00a0run', identifier: 'a-rather-long-identifier-for-the-ref-column' }),
      secretOf({ name: '🔑🔑 keys', identifier: undefined, tags: ['x', 'a "quoted", tag', 'back\\slash'] }),
      secretOf({ name: 'Z'.repeat(120), url: `https://example.com/${'p'.repeat(300)}`, identifier: undefined }),
    ])
    const { blocks } = await expectCatalogMatches(ctx.services, ctx.path)
    const rows = new CatalogRows(blocks.rows!)
    // All the rows, then each alone (so that each row's own widths decide its table).
    const sets = [Array.from({ length: rows.count }, (_, r) => r), ...Array.from({ length: rows.count }, (_, r) => [r])]
    for (const set of sets) {
      const cellsOnly = { count: set.length, at: (i: number) => rows.at(set[i]!) }
      const measured = { ...cellsOnly, textAt: (i: number, starts: Int32Array) => rows.textAt(set[i]!, starts) }
      for (const idLength of [8, 13, 36])
        for (const width of [undefined, 40, 90, 400]) {
          const table = secretTable(measured, set.length, idLength, width)
          expect(table, `rows ${set.length === 1 ? set[0] : 'all'}, idLength ${idLength}, width ${width}`).toBe(secretTable(cellsOnly, set.length, idLength, width))
          if (set.length > 1 && width === undefined) expect(table).toContain('\nTwo spaces here ')
        }
    }
  })

  it("finds a REF in the rows' bytes as the service finds it in SQL: id, Identifier, exact name, start of an id, conflicts", async () => {
    await addVaried(30)
    // Two secrets named alike, and an Identifier that is another secret's name.
    await ctx.services.secrets.addMany([secretOf({ name: 'Twin', identifier: undefined }), secretOf({ name: 'Twin', identifier: undefined }), secretOf({ name: 'ident-4', identifier: 'Twin' }), secretOf({ name: 'Pair', identifier: undefined }), secretOf({ name: 'Pair', identifier: undefined })])
    const { blocks, rows } = await expectCatalogMatches(ctx.services, ctx.path)
    const lazy = new CatalogRows(blocks.rows!)
    const outcome = (find: () => string) => {
      try {
        return find()
      } catch (error) {
        return `${(error as { code?: string }).code}: ${(error as Error).message}`
      }
    }
    const refs = [...rows.flatMap((row) => [row.id, row.id.slice(0, 8), row.id.slice(0, 13), row.name, row.identifier ?? '', (row.identifier ?? '').toUpperCase(), ` ${row.identifier ?? ''} `]),
      'Twin', 'twin', 'Pair', 'ident-4', 'IDENT-4', 'Straße prod', 'strasse prod', '0000', 'nope', '', 'a\u001fb', rows[0]!.id.slice(0, 7), rows[0]!.id.slice(0, 1)]
    let found = 0
    for (const ref of refs) {
      const expected = outcome(() => ctx.services.secrets.resolve(ref).id)
      const got = outcome(() => resolveRef(ref, lazy.lookup()))
      expect(got, JSON.stringify(ref)).toBe(expected)
      if (!got.includes(':')) {
        found++
        expect(lazy.rowOf(got as SecretId)).toBe(rows.findIndex((row) => row.id === got))
      }
    }
    expect(found).toBeGreaterThan(100)
    expect(outcome(() => resolveRef('Pair', lazy.lookup()))).toMatch(/^CONFLICT: 2 API secrets are named "Pair"/)
  })

  it('follows every change of the secrets: add, edit, delete, import, a password change and another process\'s save', async () => {
    await addVaried(12)
    await expectCatalogMatches(ctx.services, ctx.path)
    const [first, second] = (await ctx.services.secrets.listOnce({ limit: 100 })).items
    await ctx.services.secrets.edit({ id: first!.id, name: 'Renamed to the end zzz', clientSecret: 'sk_new', tags: ['fresh'] })
    await expectCatalogMatches(ctx.services, ctx.path)
    await ctx.services.secrets.remove(second!.id)
    await expectCatalogMatches(ctx.services, ctx.path)
    await ctx.services.secrets.addMany([secretOf({ name: 'Imported', identifier: 'imported-one' })])
    await expectCatalogMatches(ctx.services, ctx.path)
    // SECURITY: a re-key never carries the catalog under the old key into the new file; the session's end writes it under the new one.
    await ctx.services.vault.changePassword({ current: PASSWORD, next: 'a new master password 2' })
    await ctx.services.vault.settle()
    expect(await openCatalogFile(ctx.path)).toBeNull()
    await expectCatalogMatches(ctx.services, ctx.path, 'a new master password 2')
    await expect(readCatalog(ctx.path, ['rows'], PASSWORD)).rejects.toMatchObject({ code: 'WRONG_PASSWORD' })

    // Another process adds one; this one reloads (its next change is applied on the new version).
    const other = createServices({ vaultPath: ctx.path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
    await other.vault.unlock({ password: 'a new master password 2' })
    await other.secrets.add(secretOf({ name: 'From elsewhere', identifier: 'elsewhere' }))
    await other.vault.settle()
    other.vault.lock()
    await ctx.services.secrets.edit({ id: first!.id, notes: 'after the other process' })
    await endSession(ctx.services, 'a new master password 2')
    const file = (await openCatalogFile(ctx.path))!
    const after = await file.readBlocks(await unwrapDataKey(file.header, { password: 'a new master password 2' }), ['rows'])
    await file.close()
    expect(parseRows(after.rows!).map((row) => row.name)).toContain('From elsewhere')
    expect(parseRows(after.rows!)).toHaveLength(13)
  })

  it('writes the same blocks again while no secret changed, none while some did, and new ones when that session ends', async () => {
    await addVaried(5)
    await endSession(ctx.services)
    const blocksOf = (bytes: Buffer) => {
      const { header, preamble } = decodeVault(bytes)
      const start = imageEnd(header, preamble.length)!
      return bytes.subarray(start, start + catalogBytes(header.catalog!) - 48)
    }
    const before = readFileSync(ctx.path)
    await ctx.services.settings.update({ clipboardClearSeconds: 50 })
    await ctx.services.vault.settle()
    const same = readFileSync(ctx.path)
    expect(blocksOf(same).equals(blocksOf(before))).toBe(true)
    // Carried again and again through saves of another size, it still reads.
    for (const seconds of [51, 52, 53]) {
      await ctx.services.settings.update({ clipboardClearSeconds: seconds })
      // Other tables grow, so the image (and where the catalog starts) moves with each save.
      for (let i = 0; i < 40; i++) await ctx.services.apps.create(appsChannels.appsCreate.input.parse({ name: `App ${seconds}-${i} ${'x'.repeat(60)}`, type: 'mobile', expiresAt: null }))
      await ctx.services.activity.flush()
      await ctx.services.vault.settle()
      expect(blocksOf(readFileSync(ctx.path)).equals(blocksOf(before))).toBe(true)
      expect(parseRows((await readCatalog(ctx.path, ['rows']))!.rows!)).toHaveLength(5)
    }
    // The seal is new with each save: it binds the blocks to this save's header.
    expect(same.subarray(-48).equals(before.subarray(-48))).toBe(false)
    const [item] = (await ctx.services.secrets.listOnce({ limit: 1 })).items
    await ctx.services.secrets.edit({ id: item!.id, url: 'https://changed.example.com' })
    await ctx.services.vault.settle()
    // Saves in a session that changed a secret write no catalog (a build per save would cost seconds at 100,000)...
    expect(await openCatalogFile(ctx.path)).toBeNull()
    expect(decodeVault(readFileSync(ctx.path)).header.catalog).toBeUndefined()
    // ...its last one, at the lock, does.
    await endSession(ctx.services)
    expect(blocksOf(readFileSync(ctx.path)).equals(blocksOf(same))).toBe(false)
    expect(parseRows((await readCatalog(ctx.path, ['rows']))!.rows!).map((row) => row.url)).toContain('https://changed.example.com')
  })

  it('refuses a catalog whose blocks, tags or seal were changed, or that comes from another save', async () => {
    await addVaried(6)
    await endSession(ctx.services)
    const good = readFileSync(ctx.path)
    const { header, preamble } = decodeVault(good)
    const start = imageEnd(header, preamble.length)!
    const rowsBytes = header.catalog!.blocks[0]!.bytes
    const tampered = (at: number) => {
      const copy = Buffer.from(good)
      copy[at]! ^= 1
      return copy
    }
    for (const [what, bytes] of [
      ['a byte of the rows block', tampered(start + 10)],
      ["the rows block's tag", tampered(start + rowsBytes + 2)],
      ['the seal', tampered(good.length - 20)],
      ["the seal's tag", tampered(good.length - 1)],
    ] as const) {
      writeFileSync(ctx.path, bytes)
      expect(await codeOf(readCatalog(ctx.path, ['rows'])), what).toBe('VAULT_CORRUPT')
    }
    // Another save of the same vault with no secret changed has the same blocks: its seal does not fit this header.
    writeFileSync(ctx.path, good)
    await ctx.services.vault.lock()
    await ctx.services.vault.unlock({ password: PASSWORD })
    await ctx.services.settings.update({ clipboardClearSeconds: 55 })
    await ctx.services.vault.settle()
    const later = readFileSync(ctx.path)
    writeFileSync(ctx.path, Buffer.concat([later.subarray(0, later.length - 48), good.subarray(good.length - 48)]))
    expect(await codeOf(readCatalog(ctx.path, ['rows']))).toBe('VAULT_CORRUPT')
    // A whole catalog from another save, after this save's image: its seal fails this header.
    const laterHead = decodeVault(later)
    const laterStart = imageEnd(laterHead.header, laterHead.preamble.length)!
    writeFileSync(ctx.path, Buffer.concat([later.subarray(0, laterStart), good.subarray(start)]))
    expect(await codeOf(readCatalog(ctx.path, ['rows']))).toBe('VAULT_CORRUPT')
    // A cut-off catalog is no catalog to read; the vault as a whole says it is truncated.
    writeFileSync(ctx.path, good.subarray(0, good.length - 1))
    expect(await openCatalogFile(ctx.path)).toBeNull()
    ctx.services.vault.lock()
    expect(await codeOf(ctx.services.vault.unlock({ password: PASSWORD }))).toBe('VAULT_CORRUPT')
    // The good file opens as a whole too, the catalog after the image unread.
    writeFileSync(ctx.path, good)
    await ctx.services.vault.unlock({ password: PASSWORD })
    expect(ctx.services.secrets.count()).toBe(6)
  })

  it("leaves a later version's catalog unread (a newer Keyhold's) and opens the vault's image", async () => {
    await addVaried(4)
    await endSession(ctx.services)
    ctx.services.vault.lock()
    const good = readFileSync(ctx.path)
    const { header, preamble, ciphertext } = decodeVault(good)
    const dataKey = await unwrapDataKey(header, { password: PASSWORD })
    const image = open(dataKey, header.payloadNonce, ciphertext, preamble)!
    // The same file as a Keyhold with catalog version 2 would write it: every part sealed again to its header.
    const later = { ...header, catalog: { ...header.catalog!, v: 2 } }
    const head = encodePreamble(later)
    let at = imageEnd(header, preamble.length)!
    const blocks = {
      id: later.catalog.id,
      blocks: later.catalog.blocks.map((block) => ({ name: block.name as CatalogBlockName, nonce: block.nonce, sealed: good.subarray(at, (at += block.bytes + TAG_BYTES)) })),
    }
    writeFileSync(ctx.path, Buffer.concat([head, sealWithNonce(dataKey, later.payloadNonce, image, head), ...blocks.blocks.map((b) => b.sealed), sealCatalog(dataKey, later.vaultId, later.catalog, tagsOf(blocks), head)]))
    expect(decodeVault(readFileSync(ctx.path)).header.catalog!.v).toBe(2)
    expect(await openCatalogFile(ctx.path)).toBeNull()
    await ctx.services.vault.unlock({ password: PASSWORD })
    expect(ctx.services.secrets.count()).toBe(4)
  })

  it('is not added by a session that only read: a vault without one is left as it is until a session writes', async () => {
    await addVaried(3)
    await ctx.services.secrets.add(secretOf({ name: 'Late', identifier: 'late' }))
    await ctx.services.vault.settle()
    // Another process reads and locks: the file it found (no catalog: secrets changed here) stays byte for byte.
    const before = readFileSync(ctx.path)
    expect(decodeVault(before).header.catalog).toBeUndefined()
    const reader = createServices({ vaultPath: ctx.path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF, actor: 'cli' })
    await reader.vault.unlock({ password: PASSWORD })
    expect((await reader.secrets.listOnce({ limit: 10 })).total).toBe(4)
    reader.vault.lock()
    await reader.vault.locked()
    expect(readFileSync(ctx.path).equals(before)).toBe(true)
    // The session that wrote adds it as it ends.
    await endSession(ctx.services)
    expect(parseRows((await readCatalog(ctx.path, ['rows']))!.rows!)).toHaveLength(4)
  })

  it('survives a lock that closes the vault in the middle of a save: before it writes (nothing written) or after (the change kept)', async () => {
    await addVaried(3)
    await endSession(ctx.services)
    await ctx.services.activity.flush()
    await ctx.services.vault.settle()
    const before = readFileSync(ctx.path)
    // Closed while the save reads the catalog to carry (the key wiped): the save stops, the file is as it was.
    const vault = ctx.services.vault.vault() as unknown as { openForCarrying(): Promise<unknown>; close(): void; file: { write(...args: unknown[]): Promise<unknown> } }
    const open = vault.openForCarrying.bind(vault)
    vault.openForCarrying = async () => {
      const handle = await open()
      vault.close()
      return handle
    }
    expect(await codeOf(ctx.services.settings.update({ clipboardClearSeconds: 41 }))).toBe('VAULT_LOCKED')
    expect(readFileSync(ctx.path).equals(before)).toBe(true)
    ctx.services.vault.lock()
    await ctx.services.vault.locked()
    await ctx.services.vault.unlock({ password: PASSWORD })
    expect(ctx.services.secrets.count()).toBe(3)
    // Closed once the file is written: the change is kept and reported saved.
    await ctx.services.activity.flush()
    await ctx.services.vault.settle()
    const reopened = ctx.services.vault.vault()
    const patched = reopened as unknown as typeof vault
    const write = patched.file.write.bind(patched.file)
    patched.file.write = async (...args: unknown[]) => {
      const stamp = await write(...args)
      patched.close()
      return stamp
    }
    await reopened.mutate((db) => writeMeta(db, 'test_marker', 'kept'))
    ctx.services.vault.lock()
    await ctx.services.vault.locked()
    await ctx.services.vault.unlock({ password: PASSWORD })
    expect(ctx.services.vault.vault().read((db) => readMeta(db, 'test_marker'))).toBe('kept')
    expect(parseRows((await readCatalog(ctx.path, ['rows']))!.rows!)).toHaveLength(3)
  })

  it("carries the catalog another process wrote, after reloading its version", async () => {
    await addVaried(2)
    await endSession(ctx.services)
    const other = createServices({ vaultPath: ctx.path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
    await other.vault.unlock({ password: PASSWORD })
    await other.secrets.add(secretOf({ name: 'From the other', identifier: 'other-one' }))
    other.vault.lock()
    await other.vault.locked()
    const written = decodeVault(readFileSync(ctx.path)).header.catalog!
    // This process's next save finds the file changed, reloads it, and carries its catalog (no secret changed here).
    await ctx.services.settings.update({ clipboardClearSeconds: 44 })
    await ctx.services.vault.settle()
    const carried = decodeVault(readFileSync(ctx.path)).header.catalog!
    expect(carried.id.equals(written.id)).toBe(true)
    expect(parseRows((await readCatalog(ctx.path, ['rows']))!.rows!).map((row) => row.name)).toContain('From the other')
  })

  it('writes no catalog for a vault whose values hold its separators (from before the contract refused them)', async () => {
    await addVaried(3)
    await endSession(ctx.services)
    expect(await readCatalog(ctx.path, ['rows'])).not.toBeNull()
    await ctx.services.vault.vault().mutate((db) => {
      run(db, "UPDATE secret SET name = 'bad\u001fname' WHERE rowid = (SELECT min(rowid) FROM secret)")
      repo.countWrite(db)
    })
    await endSession(ctx.services)
    expect(await openCatalogFile(ctx.path)).toBeNull()
    // The vault itself is fine.
    ctx.services.vault.lock()
    await ctx.services.vault.unlock({ password: PASSWORD })
    expect((await ctx.services.secrets.listOnce({ search: 'bad' })).total).toBe(1)
  })

  it('is empty for a vault without secrets, and the rows of one secret read back whole', async () => {
    await ctx.services.settings.update({ clipboardClearSeconds: 40 })
    await endSession(ctx.services)
    const empty = (await readCatalog(ctx.path))!
    expect(parseRows(empty.rows!)).toEqual([])
    expect(matchRows(empty.search!, [], 'x', undefined)).toEqual([])
    const added = await ctx.services.secrets.add(secretOf({ tags: [] }))
    await endSession(ctx.services)
    const blocks = (await readCatalog(ctx.path))!
    const rows: CatalogRow[] = parseRows(blocks.rows!)
    expect(rows).toEqual([{ ...(await ctx.services.secrets.listOnce({ limit: 1 })).items[0], identifierKey: 'stripe-prod' }])
    expect(rows[0]!.id).toBe(added.id)
    expect(privateFieldsAt(blocks.secrets!, 0, 1)).toEqual({ clientSecret: 'sk_live_TOPSECRET_1', notes: 'Rotated every 90 days.' })
  })

  it('has its size checked from the header: the blocks and the seal after the image', async () => {
    await addVaried(2)
    await endSession(ctx.services)
    const bytes = readFileSync(ctx.path)
    const { header, preamble } = decodeVault(bytes)
    expect(imageEnd(header, preamble.length)! + catalogBytes(header.catalog!)).toBe(bytes.length)
    expect(header.catalog!.blocks.map((block) => block.name)).toEqual(['rows', 'search', 'secrets'])
    expect(catalogBytes(header.catalog!)).toBe(header.catalog!.blocks.reduce((sum, block) => sum + block.bytes + TAG_BYTES, 48))
    // SECURITY: nothing of a secret is in the file in clear.
    expect(bytes.includes(Buffer.from('sk_1_'))).toBe(false)
    expect(bytes.includes(Buffer.from('ci_1_plain'))).toBe(false)
  })
})
