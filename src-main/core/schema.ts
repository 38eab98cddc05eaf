import { activityMigration } from './activity/activity.migration'
import { appKeysMigration } from './app-keys/app-keys.migration'
import { appsMigration } from './apps/apps.migration'
import { pairingsMigration } from './pairings/pairings.migration'
import { secretsMigration } from './secrets/secrets.migration'
import { secretsNaturalOrderMigration } from './secrets/secrets.natural-order.migration'
import { latestVersion, metaMigration, type Migration } from './vault/migrations'

/**
 * The vault's schema: every migration, in version order, the vault's own first. A feature
 * that needs a table adds its `<feature>.migration.ts` as the next number at the end, and a
 * golden vault of the schema before it (scripts/golden-vaults.ts). Append only: a shipped
 * migration is never edited or moved (test/main/vault/migrations.test.ts holds each one's digest).
 */
export const SCHEMA: readonly Migration[] = [metaMigration, secretsMigration, appsMigration, appKeysMigration, pairingsMigration, activityMigration, secretsNaturalOrderMigration]

export const LATEST_SCHEMA_VERSION = latestVersion(SCHEMA)
