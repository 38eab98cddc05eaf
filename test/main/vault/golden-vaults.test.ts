import { copyFileSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SecretSummary } from '../../../src-shared/types/secrets'
import { AUTO_LOCK_DEFAULT_MINUTES, type SettingsInput } from '../../../src-shared/types/settings'
import { LATEST_SCHEMA_VERSION } from '../../../src-main/core/schema'
import { keyPairFromPrivate } from '../../../src-shared/local-access/noise'
import { createServices, itemCounts, type Services } from '../../../src-main/core/services'
import { BUILTIN_ROLES } from '../../../src-main/core/app-keys/app-keys.migration'
import { decodeVault, FORMAT_MAJOR, FORMAT_MINOR } from '../../../src-main/core/vault/format'
import { openCatalogFile } from '../../../src-main/core/vault/catalog'
import { unwrapDataKey } from '../../../src-main/core/vault/key-slots'
import { parseRows, privateFieldsAt } from '../../../src-main/core/secrets/secrets.catalog'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FakeClock, tempDir } from '../../support/vault'

/** What a golden vault holds, as scripts/golden-vaults.ts wrote it next to the file. */
interface Manifest {
  file: string
  schema: number
  format: string
  password: string
  settings: SettingsInput
  secrets?: Array<{ name: string; url: string; clientId: string; clientSecret?: string; identifier?: string; method?: string; tags?: string[]; notes?: string }>
  apps?: Array<{ name: string; type: string; expiresAt: string | null; code: string; paired?: boolean }>
  roles?: Array<{ name: string; permissions: string[]; tags: string[] }>
  appKeys?: Array<{ key: string; type: 'internal' | 'external'; label?: string; account?: string; token?: string; roles: string[]; publicKey?: string }>
  pairings?: Array<{
    id: string
    app: string
    companionPrivateKey: string
    device: { name: string; platform: string }
    kind: string
    scope: { secrets: 'all' } | { secrets: 'tagged'; tags: string[] }
    reveal: string
  }>
}

const DATA = join(__dirname, '../../data/vaults')
const manifests: Manifest[] = readdirSync(DATA)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(DATA, name), 'utf8')) as Manifest)
const CURRENT_FORMAT = `${FORMAT_MAJOR}.${FORMAT_MINOR}`

describe('golden vaults (test/data/vaults, written by earlier schemas and formats)', () => {
  it('include one of every schema version, and the latest schema in the current format', () => {
    const add = 'Add it with `npx tsx scripts/golden-vaults.ts` (see its header) and commit both files.'
    for (let schema = 1; schema <= LATEST_SCHEMA_VERSION; schema++)
      expect(manifests.some((m) => m.schema === schema), `No golden vault of schema ${schema}. ${add}`).toBe(true)
    expect(manifests.some((m) => m.schema === LATEST_SCHEMA_VERSION && m.format === CURRENT_FORMAT), `No golden vault of schema ${LATEST_SCHEMA_VERSION} in format ${CURRENT_FORMAT}. ${add}`).toBe(true)
  })

  for (const manifest of manifests) {
    describe(manifest.file, () => {
      let temp: ReturnType<typeof tempDir>
      let path: string
      let services: Services

      // The golden file itself is never written: opening migrates in memory, a change saves the copy.
      beforeEach(() => {
        temp = tempDir()
        path = join(temp.dir, 'vault.keyhold')
        copyFileSync(join(DATA, manifest.file), path)
        services = createServices({ vaultPath: path, keyStore: new MemoryKeyStore(), clock: new FakeClock() })
      })
      afterEach(() => {
        services.vault.lock()
        temp.cleanup()
      })

      it(`is a format ${manifest.format} file`, () => {
        const { minor, header } = decodeVault(readFileSync(path))
        expect(`${FORMAT_MAJOR}.${minor}`).toBe(manifest.format)
        // payloadBytes came with format 1.1.
        expect(header.payloadBytes === undefined).toBe(minor === 0)
      })

      it(`has a catalog that reads back every API secret exactly when it is format 1.3 or later`, async () => {
        const file = await openCatalogFile(path)
        expect(file !== null).toBe(decodeVault(readFileSync(path)).minor >= 3 && (manifest.secrets?.length ?? 0) > 0)
        if (!file) return
        try {
          const blocks = await file.readBlocks(await unwrapDataKey(file.header, { password: manifest.password }), ['rows', 'secrets'])
          const rows = parseRows(blocks.rows!)
          expect(rows.map((row) => row.name).sort()).toEqual(manifest.secrets!.map((secret) => secret.name).sort())
          for (const secret of manifest.secrets!) {
            const index = rows.findIndex((row) => row.name === secret.name)
            expect(rows[index]).toMatchObject({ url: secret.url, clientId: secret.clientId, identifier: secret.identifier ?? null, tags: secret.tags ?? [] })
            expect(privateFieldsAt(blocks.secrets!, index, rows.length)).toEqual({ clientSecret: secret.clientSecret ?? null, notes: secret.notes ?? '' })
          }
        } finally {
          await file.close()
        }
      })

      it(`opens with its password, migrated from schema ${manifest.schema} to the latest, with every record`, async () => {
        await services.vault.unlock({ password: manifest.password })
        await expectRecords(services, manifest)
      })

      it('is saved in the current format after a change, and opens again with every record', async () => {
        await services.vault.unlock({ password: manifest.password })
        await services.settings.update({ clipboardClearSeconds: manifest.settings.clipboardClearSeconds })
        services.vault.lock()
        await services.vault.locked()
        const { minor, header } = decodeVault(readFileSync(path))
        expect(`${FORMAT_MAJOR}.${minor}`).toBe(CURRENT_FORMAT)
        expect(header.payloadBytes).toBeGreaterThan(0)
        await services.vault.unlock({ password: manifest.password })
        await expectRecords(services, manifest)
      })
    })
  }
})

/** Everything the manifest says the vault holds, read back through the services, at the latest schema. */
async function expectRecords(services: Services, manifest: Manifest): Promise<void> {
  const counts = itemCounts(services)
  expect(services.vault.info(counts).schemaVersion).toBe(LATEST_SCHEMA_VERSION)
  expect(counts).toEqual({ secrets: manifest.secrets?.length ?? 0, apps: manifest.apps?.length ?? 0, appKeys: manifest.appKeys?.length ?? 0 })
  // A vault from before the auto-lock setting has the default delay.
  expect(services.settings.get()).toEqual({ autoLockMinutes: AUTO_LOCK_DEFAULT_MINUTES, ...manifest.settings })

  const listed = (await services.secrets.list({ limit: 100 })).items
  const byName = new Map<string, SecretSummary>(listed.map((s) => [s.name, s]))
  for (const secret of manifest.secrets ?? []) {
    const summary = byName.get(secret.name)!
    expect(services.secrets.get(summary.id)).toMatchObject({
      url: secret.url,
      clientId: secret.clientId,
      identifier: secret.identifier ?? null,
      method: secret.method ?? null,
      tags: secret.tags ?? [],
      notes: secret.notes ?? '',
      hasClientSecret: secret.clientSecret !== undefined,
    })
    expect(services.secrets.reveal(summary.id)).toEqual({ clientSecret: secret.clientSecret ?? null })
    // Sort and search keys were folded when it was written: the index and the CLI's scan find it by them.
    const search = secret.name.replace('ß', 'SS').toLowerCase()
    expect((await services.secrets.list({ search })).items.map((s) => s.id)).toEqual([summary.id])
    expect((await services.secrets.listOnce({ search })).items.map((s) => s.id)).toEqual([summary.id])
    if (secret.identifier) expect(services.secrets.resolve(` ${secret.identifier.toUpperCase()} `).id).toBe(summary.id)
  }

  for (const app of manifest.apps ?? []) {
    const summary = services.apps.list('all').find((a) => a.name === app.name)!
    // Schema 5 brought pairing: a paired application is active, and its key was used up.
    if (app.paired) {
      expect(summary).toMatchObject({ type: app.type, expiresAt: app.expiresAt, status: 'active' })
      continue
    }
    expect(summary).toMatchObject({ type: app.type, expiresAt: app.expiresAt, status: 'pending' })
    // The key still matches its keyed hash: meta's hash key came through the migrations.
    expect(await services.apps.recordUse(summary.id, app.code)).toMatchObject({ status: 'active' })
  }

  // Schema 4 brought roles: a vault from before has the built-in ones after its migration.
  const roles = services.appKeys.listRoles()
  expect(roles.filter((r) => r.builtin).map((r) => r.name)).toEqual(expect.arrayContaining(BUILTIN_ROLES.map((r) => r.name)))
  for (const role of manifest.roles ?? []) expect(roles.find((r) => r.name === role.name)).toMatchObject({ builtin: false, permissions: role.permissions, tags: role.tags })
  const tagged = byName.get('Stripe payments')
  for (const key of manifest.appKeys ?? []) {
    const summary = services.appKeys.get(key.key)
    expect(summary).toMatchObject({ type: key.type, label: key.label ?? null, account: key.account ?? null, status: 'active', hasPublicKey: !!key.publicKey })
    expect(summary.roles.map((r) => r.name)).toEqual(key.roles)
    if (key.type === 'internal') {
      const resource = { type: 'secret' as const, id: tagged!.id, tags: tagged!.tags }
      expect(services.appKeys.authorize({ key: key.key, token: key.token }, 'secrets:read', resource).allowed).toBe(true)
      expect(services.appKeys.authorize({ key: key.key, token: `${key.token}x` }, 'secrets:read', resource).allowed).toBe(false)
    } else expect(services.appKeys.authorize({ key: key.key }, 'apps:read').allowed).toBe(true)
  }

  for (const pairing of manifest.pairings ?? []) {
    const companion = keyPairFromPrivate(new Uint8Array(Buffer.from(pairing.companionPrivateKey, 'hex')))
    expect(services.pairings.liveByCompanionKey(companion.publicKey)).toMatchObject({ id: pairing.id, appName: pairing.app, deviceName: pairing.device.name })
    expect(services.pairings.list()).toContainEqual(
      expect.objectContaining({ id: pairing.id, scope: pairing.scope, reveal: pairing.reveal, kind: pairing.kind, status: 'live' }),
    )
  }
}
