import initSqlJs from 'sql.js'
import { describe, expect, it } from 'vitest'
import { migrate, openDatabase, schemaVersion } from '../../../src-main/core/vault/database'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src-main/core/vault/migrations'

const tables = (db: { exec(sql: string): Array<{ values: unknown[][] }> }) =>
  (db.exec("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' ORDER BY name")[0]?.values ?? []).map((r) => r[0])

describe('schema migrations', () => {
  it('are numbered 1..N without gaps or duplicates, in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length)
  })

  for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
    it(`bring a vault from version ${from} to the latest with the same schema as a new one`, async () => {
      const fresh = await openDatabase()
      const SQL = await initSqlJs()
      const old = new SQL.Database()
      migrate(old, from)
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
    migrate(old, 1)
    const key = old.exec("SELECT value FROM meta WHERE key = 'hash_key'")[0]!.values[0]![0]
    const upgraded = await openDatabase(old.export())
    expect(upgraded.exec("SELECT value FROM meta WHERE key = 'hash_key'")[0]!.values[0]![0]).toBe(key)
  })
})
