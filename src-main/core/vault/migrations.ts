import { randomBytes } from 'node:crypto'
import type { Database } from 'sql.js'
import { secretsMigration } from '../secrets/secrets.migration'
import { appKeysMigration } from '../app-keys/app-keys.migration'
import { appsMigration } from '../apps/apps.migration'

/**
 * Numbered schema migrations. Append only: a shipped migration is never edited, because
 * vaults in the wild were built by it. Each feature adds its tables as the next number.
 */
export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta',
    up(db) {
      db.run(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`)
      // SECURITY: the key for keyed hashes of one-time codes and tokens lives only inside the encrypted image.
      db.run(`INSERT INTO meta (key, value) VALUES ('hash_key', ?), ('created_at', ?)`, [
        randomBytes(32).toString('base64'),
        new Date().toISOString(),
      ])
    },
  },
  secretsMigration,
  appsMigration,
  appKeysMigration,
]

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0)
