import { randomBytes } from 'node:crypto'
import type { Migration } from '../vault/migrations'

/**
 * Schema 6: the activity log (docs/activity-log.md).
 * - `activity`: one row per event, `seq` 1, 2, 3… without gaps, each with the MAC that chains
 *   it to the one before (§3). SECURITY: public facts only: names and ids, never a secret,
 *   token, key or password.
 * - `meta.activity_key`: the chain's HMAC key (32 random bytes, base64), drawn here. It lives
 *   only inside the encrypted image and does not change when the vault is re-keyed.
 * - `meta.activity_base`: where the chain starts once old entries were removed (§5), absent
 *   until then.
 */
export const activityMigration: Migration = {
  version: 6,
  name: 'activity-log',
  up(db) {
    db.run(`
      CREATE TABLE activity (
        seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
        at          TEXT NOT NULL,
        event       TEXT NOT NULL CHECK (length(event) BETWEEN 1 AND 40),
        actor_type  TEXT NOT NULL CHECK (actor_type IN ('app', 'cli', 'pairing', 'appkey', 'agent', 'system')),
        actor_id    TEXT,
        actor_name  TEXT,
        target_type TEXT CHECK (target_type IS NULL OR target_type IN ('secret', 'app', 'pairing', 'appkey', 'vault', 'log')),
        target_id   TEXT,
        target_name TEXT,
        outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'forbidden', 'failed')),
        detail      TEXT NOT NULL DEFAULT '{}' CHECK (length(detail) <= 1024),
        mac         BLOB NOT NULL CHECK (length(mac) = 32)
      ) STRICT;
      CREATE INDEX activity_at ON activity (at);
      CREATE INDEX activity_event ON activity (event);
      CREATE INDEX activity_target ON activity (target_id);
    `)
    db.run(`INSERT INTO meta (key, value) VALUES ('activity_key', ?)`, [randomBytes(32).toString('base64')])
  },
}
