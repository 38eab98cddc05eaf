import type { Migration } from '../vault/migrations'

/**
 * The built-in roles, seeded by migration 4. Their ids are stable (keys and scripts refer
 * to them); a later built-in role comes with its own migration.
 */
export const BUILTIN_ROLES = [
  { id: 'secrets-reader', name: 'API secrets reader', permissions: ['secrets:read'] },
  { id: 'secrets-editor', name: 'API secrets editor', permissions: ['secrets:read', 'secrets:write'] },
  { id: 'apps-reader', name: 'Apps reader', permissions: ['apps:read'] },
  { id: 'audit-reader', name: 'Audit reader', permissions: ['audit:read'] },
] as const

/**
 * Migration 4: application keys and roles.
 * - `app_key`: one row per key, internal or external. SECURITY: `token_hash` is
 *   HMAC-SHA-256(meta.hash_key, token); the token itself is never stored.
 * - `role`, `role_permission`, `role_tag`: named permission sets; tags limit secret reads.
 * - `app_key_role`: which roles a key holds. A role in use cannot be deleted (RESTRICT).
 * - A trigger keeps a key's id, type, label and token hash as they were created: the label is
 *   set once (as in the source document) and a token is never replaced, only deactivated.
 */
export const appKeysMigration: Migration = {
  version: 4,
  name: 'app-keys-and-roles',
  up(db) {
    db.run(`
      CREATE TABLE app_key (
        key TEXT PRIMARY KEY,
        type TEXT NOT NULL CHECK (type IN ('internal', 'external')),
        label TEXT,
        account TEXT,
        token_hash BLOB,
        status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'removed')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_used_at TEXT,
        CHECK ((type = 'internal') = (token_hash IS NOT NULL)),
        CHECK (type = 'internal' OR status <> 'inactive'),
        CHECK (type = 'external' OR status <> 'removed')
      ) STRICT;
      CREATE TABLE role (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE role_permission (
        role_id TEXT NOT NULL REFERENCES role (id) ON DELETE CASCADE,
        permission TEXT NOT NULL,
        PRIMARY KEY (role_id, permission)
      ) STRICT;
      CREATE TABLE role_tag (
        role_id TEXT NOT NULL REFERENCES role (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (role_id, tag)
      ) STRICT;
      CREATE TABLE app_key_role (
        key TEXT NOT NULL REFERENCES app_key (key) ON DELETE CASCADE,
        role_id TEXT NOT NULL REFERENCES role (id) ON DELETE RESTRICT,
        PRIMARY KEY (key, role_id)
      ) STRICT;
      CREATE INDEX app_key_role_by_role ON app_key_role (role_id);
      CREATE TRIGGER app_key_fixed_fields BEFORE UPDATE OF key, type, label, token_hash ON app_key
      WHEN OLD.key IS NOT NEW.key OR OLD.type IS NOT NEW.type OR OLD.label IS NOT NEW.label OR OLD.token_hash IS NOT NEW.token_hash
      BEGIN SELECT RAISE(ABORT, 'the key, type, label and token hash of an application key never change'); END;
    `)
    const now = new Date().toISOString()
    for (const role of BUILTIN_ROLES) {
      db.run('INSERT INTO role (id, name, builtin, created_at) VALUES (?, ?, 1, ?)', [role.id, role.name, now])
      for (const permission of role.permissions)
        db.run('INSERT INTO role_permission (role_id, permission) VALUES (?, ?)', [role.id, permission])
    }
  },
}
