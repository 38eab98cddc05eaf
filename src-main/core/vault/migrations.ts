import { randomBytes } from 'node:crypto'
import type { Database } from 'sql.js'

/**
 * One numbered schema migration. Append only: a shipped migration is never edited, because
 * vaults in the wild were built by it. The vault layer runs the list it is given (see
 * useSchema in database.ts) and knows no feature's tables: each feature writes its migrations
 * in its own `<feature>.migration.ts`, and the core's composition lists them in version order
 * (core/schema.ts).
 */
export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

/**
 * Schema 1, the vault's own: the `meta` key/value table. SECURITY: the key for keyed hashes of
 * one-time codes and tokens lives only inside the encrypted image (see meta.ts).
 */
export const metaMigration: Migration = {
  version: 1,
  name: 'meta',
  up(db) {
    db.run(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`)
    db.run(`INSERT INTO meta (key, value) VALUES ('hash_key', ?), ('created_at', ?)`, [
      randomBytes(32).toString('base64'),
      new Date().toISOString(),
    ])
  },
}

/**
 * The schema version `migrations` bring a vault to. Throws unless they are numbered 1..N in
 * order, without gaps or duplicates: a vault's `user_version` says which of them it has run.
 */
export function latestVersion(migrations: readonly Migration[]): number {
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1)
      throw new Error(`Migration "${migration.name}" is number ${migration.version} at place ${i + 1}: migrations are numbered 1..N, in order.`)
  })
  return migrations.length
}
