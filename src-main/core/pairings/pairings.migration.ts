import { randomBytes } from 'node:crypto'
import type { Migration } from '../vault/migrations'

/**
 * Schema 5: local access (docs/pairing-protocol.md §3.3, §3.4, §5.4, §7).
 * - `meta.agent_static_key`: the vault's X25519 private key (base64), drawn here from the
 *   CSPRNG. SECURITY: it lives only inside the encrypted image; its public half goes in QR codes.
 * - `apps.pair_psk`: the pairing PSK (HKDF of the key), kept only until the key is redeemed,
 *   burned, revoked or found expired; `failed_proofs` counts wrong proofs (5 burn the key);
 *   `revoke_reason` says why `revoked_at` was set.
 * - `pairing`, `pairing_tag`: one pairing per redeemed key, with the companion's public key,
 *   what it may read, and how reveals are allowed. It expires with its application.
 * - `reveal_record`: every client secret a companion or a key revealed, by whom and how it
 *   was allowed (the activity log will show them).
 * - `app_key.public_key`: a third-party key's Ed25519 public key, fixed once given (it may be
 *   given later to a key added without one).
 */
export const pairingsMigration: Migration = {
  version: 5,
  name: 'local-access',
  up(db) {
    db.run(`
      ALTER TABLE apps ADD COLUMN pair_psk BLOB CHECK (pair_psk IS NULL OR length(pair_psk) = 32);
      ALTER TABLE apps ADD COLUMN failed_proofs INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE apps ADD COLUMN revoke_reason TEXT CHECK (revoke_reason IS NULL OR revoke_reason IN ('revoked', 'denied', 'timeout', 'cancelled', 'failed-proofs'));
      CREATE TABLE pairing (
        id            TEXT PRIMARY KEY,
        app_id        TEXT NOT NULL UNIQUE REFERENCES apps (id) ON DELETE CASCADE,
        companion_pk  BLOB NOT NULL UNIQUE CHECK (length(companion_pk) = 32),
        device_name   TEXT NOT NULL CHECK (length(device_name) BETWEEN 1 AND 64),
        platform      TEXT NOT NULL,
        software      TEXT NOT NULL CHECK (length(software) BETWEEN 1 AND 64),
        kind          TEXT NOT NULL CHECK (kind IN ('mobile', 'extension', 'cli')),
        scope_all     INTEGER NOT NULL CHECK (scope_all IN (0, 1)),
        reveal_policy TEXT NOT NULL CHECK (reveal_policy IN ('ask', 'allow')),
        created_at    TEXT NOT NULL,
        last_used_at  TEXT,
        ended_at      TEXT,
        end_reason    TEXT CHECK (end_reason IS NULL OR end_reason IN ('revoked', 'revoked-all', 'signed-out', 'idle')),
        CHECK ((ended_at IS NULL) = (end_reason IS NULL))
      ) STRICT;
      CREATE TABLE pairing_tag (
        pairing_id TEXT NOT NULL REFERENCES pairing (id) ON DELETE CASCADE,
        tag        TEXT NOT NULL,
        PRIMARY KEY (pairing_id, tag)
      ) STRICT;
      CREATE TABLE reveal_record (
        id         INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        pairing_id TEXT,
        app_key    TEXT,
        secret_id  TEXT NOT NULL,
        allowed_by TEXT NOT NULL CHECK (allowed_by IN ('asked', 'grant', 'policy', 'role')),
        CHECK ((pairing_id IS NULL) <> (app_key IS NULL))
      ) STRICT;
      ALTER TABLE app_key ADD COLUMN public_key BLOB CHECK (public_key IS NULL OR (type = 'external' AND length(public_key) = 32));
      DROP TRIGGER app_key_fixed_fields;
      CREATE TRIGGER app_key_fixed_fields BEFORE UPDATE OF key, type, label, token_hash, public_key ON app_key
      WHEN OLD.key IS NOT NEW.key OR OLD.type IS NOT NEW.type OR OLD.label IS NOT NEW.label OR OLD.token_hash IS NOT NEW.token_hash
        OR (OLD.public_key IS NOT NULL AND OLD.public_key IS NOT NEW.public_key)
      BEGIN SELECT RAISE(ABORT, 'the key, type, label, token hash and public key of an application key never change'); END;
    `)
    db.run(`INSERT INTO meta (key, value) VALUES ('agent_static_key', ?)`, [randomBytes(32).toString('base64')])
  },
}
