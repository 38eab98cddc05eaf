import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import initSqlJs, { type Database } from 'sql.js'
import { describe, expect, it } from 'vitest'
import { migrate, openDatabase, schemaVersion } from '../../../src-main/core/vault/database'
import { latestVersion, metaMigration, type Migration } from '../../../src-main/core/vault/migrations'
import { LATEST_SCHEMA_VERSION, SCHEMA } from '../../../src-main/core/schema'

const CORE = join(__dirname, '../../../src-main/core')

const tables = (db: { exec(sql: string): Array<{ values: unknown[][] }> }) =>
  (db.exec("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' ORDER BY name")[0]?.values ?? []).map((r) => r[0])

/** Every file below `dir`, as paths. */
const filesBelow = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesBelow(join(dir, entry.name)) : [join(dir, entry.name)]))

const isMigration = (value: unknown): value is Migration =>
  typeof value === 'object' && value !== null && typeof (value as Migration).version === 'number' && typeof (value as Migration).up === 'function'

/**
 * What a database holds, one line per schema object and per row: every CREATE statement as
 * SQLite keeps it (verbatim) and every row, with the values that differ from one run to the
 * next (times, and meta's random hash key) left out.
 */
function contents(db: Database): string[] {
  const lines: string[] = []
  const master = db.exec("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")[0]?.values ?? []
  for (const [type, name, , sql] of master) {
    lines.push(JSON.stringify([type, name, sql]))
    if (type !== 'table') continue
    const result = db.exec(`SELECT * FROM "${String(name)}" ORDER BY rowid`)[0]
    for (const row of result?.values ?? [])
      lines.push(JSON.stringify([name, row.map((value, i) => (/_at$/.test(result!.columns[i]!) || name === 'meta' ? '<varies>' : value))]))
  }
  return lines
}

/**
 * SHA-256 of what each migration adds to the database (see contents), recorded when it shipped.
 * A migration is never edited once shipped: vaults in the wild were built by it.
 */
const SHIPPED: Record<number, string> = {
  1: '2b32f95f0c7e0c2eac85f81dcedb84892f6f3a2155bb72d4098170f2f8e97553',
  2: '53fd9a834b69375e5b1a992f0f1e54a2d12ed1f1aaa3c0dd087ec2d0ff5ecf48',
  3: '0e0ed205fe147d7a496183981c479bf6de1e1efcfdc3f9a08b4802816f533536',
  4: 'd987b48fa6fc8da5e176507b69155a654476e4669b39f3247165af3b7d1f0c0c',
  5: '125ef7d2bf2b91266abd5699b2b4b775195c91b67cbe59520640980eab0696ad',
  6: 'c4cdf505c1bc0edb2bf6a635332347a57e7173c0c68b68aec95ef690e20f33ed',
  7: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
}

describe('schema migrations', () => {
  it('are numbered 1..N without gaps or duplicates, in order', () => {
    expect(SCHEMA.map((m) => m.version)).toEqual(SCHEMA.map((_, i) => i + 1))
    expect(LATEST_SCHEMA_VERSION).toBe(SCHEMA.length)
  })

  it('are all in the schema: the vault\'s own and every <feature>.migration.ts export, each once', async () => {
    const shipped = [metaMigration]
    for (const path of filesBelow(CORE).filter((p) => p.endsWith('.migration.ts')))
      shipped.push(...Object.values((await import(path)) as Record<string, unknown>).filter(isMigration))
    expect(shipped.length).toBeGreaterThan(1)
    expect(new Set(SCHEMA)).toEqual(new Set(shipped))
    expect(SCHEMA).toHaveLength(shipped.length)
  })

  it('are run by a vault layer that imports no feature: it runs the list it is given', () => {
    for (const path of filesBelow(join(CORE, 'vault'))) {
      const imports = [...readFileSync(path, 'utf8').matchAll(/from '(\.\.\/[^']*)'/g)].map((m) => m[1]!)
      const outside = imports.filter((spec) => !spec.startsWith('../../../src-shared/') && spec !== '../ports')
      expect(outside, relative(CORE, path)).toEqual([])
    }
  })

  it('refuse a list with a gap or out of order', () => {
    const [one, two, three] = SCHEMA as [Migration, Migration, Migration]
    expect(latestVersion([one, two, three])).toBe(3)
    expect(() => latestVersion([one, three])).toThrow(/numbered 1..N/)
    expect(() => latestVersion([two, one])).toThrow(/numbered 1..N/)
  })

  for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
    it(`bring a vault from version ${from} to the latest with the same schema as a new one`, async () => {
      const fresh = await openDatabase()
      const SQL = await initSqlJs()
      const old = new SQL.Database()
      migrate(old, SCHEMA.slice(0, from))
      expect(schemaVersion(old)).toBe(from)
      const upgraded = await openDatabase(old.export())
      expect(schemaVersion(upgraded)).toBe(LATEST_SCHEMA_VERSION)
      expect(tables(upgraded)).toEqual(tables(fresh))
      fresh.close()
      upgraded.close()
      old.close()
    })
  }

  it('refuses a database from a newer Keyhold', async () => {
    const SQL = await initSqlJs()
    const future = new SQL.Database()
    future.run(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`)
    await expect(openDatabase(future.export())).rejects.toMatchObject({ code: 'VAULT_VERSION_UNSUPPORTED' })
  })

  it('keeps the meta values (hash key, creation time) through later migrations', async () => {
    const SQL = await initSqlJs()
    const old = new SQL.Database()
    migrate(old, SCHEMA.slice(0, 1))
    const key = old.exec("SELECT value FROM meta WHERE key = 'hash_key'")[0]!.values[0]![0]
    const upgraded = await openDatabase(old.export())
    expect(upgraded.exec("SELECT value FROM meta WHERE key = 'hash_key'")[0]!.values[0]![0]).toBe(key)
  })

  for (const migration of SCHEMA) {
    it(`ship once: migration ${migration.version} ("${migration.name}") adds what it added when it shipped`, async () => {
      const SQL = await initSqlJs()
      const db = new SQL.Database()
      migrate(db, SCHEMA.slice(0, migration.version - 1))
      const before = new Set(contents(db))
      migrate(db, SCHEMA.slice(0, migration.version))
      const added = contents(db).filter((line) => !before.has(line))
      db.close()
      const digest = createHash('sha256').update(added.join('\n')).digest('hex')
      const recorded = SHIPPED[migration.version]
      expect(
        digest,
        recorded === undefined
          ? `Migration ${migration.version} has no recorded digest: once it ships, add ${migration.version}: '${digest}' to SHIPPED.`
          : `Migration ${migration.version} ("${migration.name}") no longer builds what it built when it shipped, and vaults in the wild were built by it. Restore it, and make the change as a new migration (${LATEST_SCHEMA_VERSION + 1}) at the end of SCHEMA (src-main/core/schema.ts).`,
      ).toBe(recorded)
    })
  }
})
