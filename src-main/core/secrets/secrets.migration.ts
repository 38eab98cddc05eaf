import type { Migration } from '../vault/migrations'

/**
 * Schema 2: API secrets. One row per secret.
 * - `name_key` is the folded name (see fold.ts), the report's default order.
 * - `identifier_key` is the folded Identifier: the UNIQUE index is what makes Identifiers
 *   unique across the vault, ignoring case and surrounding spaces. NULL when there is none.
 * - `tags` is a JSON array of strings, already trimmed and de-duplicated.
 * - SECURITY: `client_secret` exists only inside the encrypted image and the encrypted catalog
 *   after it (secrets.catalog.ts, built as bytes that are wiped once sealed); no list query reads it.
 */
export const secretsMigration: Migration = {
  version: 2,
  name: 'api-secrets',
  up(db) {
    db.run(`
      CREATE TABLE secret (
        id             TEXT PRIMARY KEY,
        name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        name_key       TEXT NOT NULL,
        url            TEXT NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
        client_id      TEXT NOT NULL CHECK (length(client_id) BETWEEN 1 AND 512),
        client_secret  TEXT CHECK (client_secret IS NULL OR length(client_secret) BETWEEN 1 AND 4096),
        identifier     TEXT CHECK (identifier IS NULL OR length(identifier) BETWEEN 1 AND 200),
        identifier_key TEXT UNIQUE,
        method         TEXT CHECK (method IS NULL OR method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE')),
        tags           TEXT NOT NULL DEFAULT '[]',
        notes          TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 10000),
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        CHECK ((identifier IS NULL) = (identifier_key IS NULL))
      ) STRICT;
      CREATE INDEX secret_by_name ON secret (name_key, id);
      CREATE INDEX secret_by_updated ON secret (updated_at, id);
    `)
  },
}
