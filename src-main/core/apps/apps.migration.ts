import type { Migration } from '../vault/migrations'

/**
 * Schema 3: My apps. One row per registered application. SECURITY: the key itself is never
 * stored, only `key_hash` = HMAC-SHA-256(meta.hash_key, key); status is derived from the
 * times (`expires_at`, `last_used_at`, `revoked_at`), so it follows the clock.
 */
export const appsMigration: Migration = {
  version: 3,
  name: 'apps',
  up(db) {
    db.run(`
      CREATE TABLE apps (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        type         TEXT NOT NULL CHECK (type IN ('mobile', 'extension')),
        key_hash     BLOB NOT NULL UNIQUE CHECK (length(key_hash) = 32),
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        expires_at   TEXT,
        last_used_at TEXT,
        revoked_at   TEXT
      ) STRICT
    `)
    db.run(`CREATE INDEX apps_created_at ON apps (created_at)`)
  },
}
