/**
 * Writes a golden vault: a small vault file of one schema version and one file format, holding
 * a few known records, kept in test/data/vaults/ for good. test/main/vault/golden-vaults.test.ts
 * opens every one with the current code, migrates it to the latest schema and reads the records
 * back, so an old vault that stops opening fails a test instead of a person.
 *
 * When you ship a new migration (core/schema.ts) or a new file format (vault/format.ts), add
 * the golden vault of what this Keyhold now writes, and commit both files it prints:
 *
 *   npx tsx scripts/golden-vaults.ts                         # the latest schema, the current format
 *   npx tsx scripts/golden-vaults.ts --schema 2 --format 1.0  # an earlier one (as the first ones were made)
 *
 * It writes test/data/vaults/schema-<N>.format-<F>.keyhold and, next to it, a .json that says
 * what the vault holds: its password, its records, and the keys and tokens generated once. An
 * existing file is never replaced: a golden vault is what an earlier Keyhold wrote.
 *
 * How: the records are made through the services (createServices) on a vault whose database
 * stops at schema N (the first N migrations); then the file is written again smaller (pages of
 * 512 bytes instead of 16 KiB) with the same key slots, and for format 1.0 with a 1.0 preamble
 * (minor version 0, no payloadBytes; see format.ts), as Keyhold wrote before 1.1.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { addExternalAppKeyInput, createRoleInput, generateAppKeyInput } from '../src-shared/ipc/app-keys.contract'
import { appsChannels } from '../src-shared/ipc/apps.contract'
import { secretInput } from '../src-shared/ipc/secrets.contract'
import type { KdfParams } from '../src-shared/types/vault'
import { LATEST_SCHEMA_VERSION, SCHEMA } from '../src-main/core/schema'
import { createServices } from '../src-main/core/services'
import { secretsCatalog } from '../src-main/core/secrets/secrets.repo'
import { catalogHeader, sealBlocks, sealCatalog, tagsOf } from '../src-main/core/vault/catalog'
import { NONCE_BYTES, open, sealWithNonce } from '../src-main/core/vault/crypto'
import { openDatabase, useSchema } from '../src-main/core/vault/database'
import { decodeVault, encodePreamble, FORMAT_MAJOR, FORMAT_MINOR, type VaultHeader } from '../src-main/core/vault/format'
import { unwrapDataKey } from '../src-main/core/vault/key-slots'
import { keyPairFromPrivate } from '../src-shared/local-access/noise'

const DIR = join(__dirname, '../test/data/vaults')
/** Non-ASCII on purpose: the key must keep deriving from the same text (NFC, see password.ts). */
const PASSWORD = 'golden vault Crème brûlée'
/** Keyhold's floor (19 MiB, t=2): opening each golden vault in the tests stays quick. */
const KDF: KdfParams = { id: 'argon2id', memoryKiB: 19 * 1024, iterations: 2, lanes: 1 }
const WRITTEN_AT = Date.parse('2026-01-01T12:00:00.000Z')
/** The page size of the rewritten database: the smallest SQLite has, for small files (new vaults use 16 KiB). */
const PAGE_BYTES = 512

/** The records, by the schema version that brought their table. */
const SECRETS = [
  {
    name: 'Stripe payments',
    url: 'https://api.stripe.com/v1',
    clientId: 'ci_golden_stripe',
    clientSecret: 'sk_golden_Zürich_42',
    identifier: 'stripe-prod',
    method: 'POST',
    tags: ['prod', 'payments'],
    notes: 'Golden notes: line one\nline two',
  },
  { name: 'Straße minimal', url: 'http://localhost:8080/api', clientId: 'minimal-client' },
]
const APPS = [
  { name: 'Golden phone', type: 'mobile', expiresAt: null },
  { name: 'Golden extension', type: 'extension', expiresAt: '2036-01-01T00:00:00.000Z' },
]
const ROLE = { name: 'Golden prod reader', permissions: ['secrets:read'], tags: ['prod'] }
const EXTERNAL_KEY = { key: 'partner-golden-key-1', account: 'partner.example', roleIds: ['apps-reader'] }
const PAIRING_CLAIM = { device: { name: 'Golden Pixel', platform: 'android' as const }, software: 'keyhold-android/1.0.0', kind: 'mobile' as const }
const PAIRING_CHOICE = { scope: { secrets: 'tagged' as const, tags: ['prod'] }, reveal: 'ask' as const }
/** RFC 8032's first test key: its private key is public, which is what a golden vault wants. */
const SIGNED_KEY = { key: 'partner-golden-signed', account: 'signer.example', roleIds: ['apps-reader'], publicKey: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { schema: { type: 'string' }, format: { type: 'string' } } })
  const schema = Number(values.schema ?? LATEST_SCHEMA_VERSION)
  const format = values.format ?? `${FORMAT_MAJOR}.${FORMAT_MINOR}`
  if (!Number.isInteger(schema) || schema < 1 || schema > LATEST_SCHEMA_VERSION) throw new Error(`--schema: 1 to ${LATEST_SCHEMA_VERSION}`)
  const current = `${FORMAT_MAJOR}.${FORMAT_MINOR}`
  if (format !== '1.0' && format !== current) throw new Error(`--format: 1.0 or ${current} (the formats in between were written by the Keyhold of their time)`)
  const name = `schema-${schema}.format-${format}`
  const file = join(DIR, `${name}.keyhold`)
  if (existsSync(file)) throw new Error(`${file} exists: a golden vault is never replaced.`)

  mkdirSync(DIR, { recursive: true })
  const temp = mkdtempSync(join(tmpdir(), 'keyhold-golden-'))
  try {
    const { path, manifest } = await writeRecords(join(temp, 'vault.keyhold'), schema)
    writeFileSync(file, await rewrite(readFileSync(path), schema, format))
    writeFileSync(join(DIR, `${name}.json`), `${JSON.stringify({ file: `${name}.keyhold`, schema, format, password: PASSWORD, ...manifest }, null, 2)}\n`)
    console.log(`wrote ${file} (${readFileSync(file).length} bytes) and ${name}.json`)
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

/** A vault at schema `schema` with the records its tables can hold, made through the services; what it holds, for the manifest. */
async function writeRecords(path: string, schema: number) {
  const noKeyStore = { get: async () => null, set: async () => undefined, delete: async () => false }
  const services = createServices({ vaultPath: path, keyStore: noKeyStore, kdf: KDF, clock: { now: () => WRITTEN_AT } })
  // createServices set the whole schema; this vault stops at `schema`.
  useSchema(SCHEMA.slice(0, schema))
  await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
  const manifest: Record<string, unknown> = { writtenAt: new Date(WRITTEN_AT).toISOString() }
  manifest.settings = await services.settings.update({ clipboardClearSeconds: 45 })
  if (schema >= 2) {
    for (const secret of SECRETS) await services.secrets.add(secretInput.parse(secret))
    manifest.secrets = SECRETS
  }
  if (schema >= 3) {
    const apps = []
    for (const app of APPS) apps.push({ ...app, code: (await services.apps.create(appsChannels.appsCreate.input.parse(app))).code })
    manifest.apps = apps
  }
  if (schema >= 4) {
    const role = await services.appKeys.createRole(createRoleInput.parse(ROLE))
    const generated = await services.appKeys.generate(generateAppKeyInput.parse({ label: 'Golden CI', roleIds: [role.id] }))
    await services.appKeys.addExternal(addExternalAppKeyInput.parse(EXTERNAL_KEY))
    manifest.roles = [ROLE]
    manifest.appKeys = [
      { key: generated.key.key, type: 'internal', label: 'Golden CI', token: generated.token, roles: [ROLE.name] },
      { key: EXTERNAL_KEY.key, type: 'external', account: EXTERNAL_KEY.account, roles: ['Apps reader'] },
    ]
  }
  if (schema >= 5) {
    // A pairing of the golden phone (claimed and approved as the agent does), and a third-party key with its public key.
    const phone = services.apps.list('all').find((app) => app.name === APPS[0]!.name)!
    await services.pairings.claim(phone.id)
    const companion = keyPairFromPrivate(new Uint8Array(32).fill(7))
    const pairing = await services.pairings.approve(phone.id, { publicKey: companion.publicKey, claim: PAIRING_CLAIM }, PAIRING_CHOICE)
    await services.appKeys.addExternal(addExternalAppKeyInput.parse(SIGNED_KEY))
    manifest.pairings = [{ id: pairing.id, app: phone.name, companionPrivateKey: '07'.repeat(32), ...PAIRING_CLAIM, ...PAIRING_CHOICE }]
    ;(manifest.apps as Array<Record<string, unknown>>)[0]!.paired = true
    ;(manifest.appKeys as unknown[]).push({ key: SIGNED_KEY.key, type: 'external', account: SIGNED_KEY.account, roles: ['Apps reader'], publicKey: SIGNED_KEY.publicKey })
  }
  await services.vault.settle()
  services.vault.lock()
  await services.vault.locked()
  return { path, manifest }
}

/** The vault file again, its database in pages of PAGE_BYTES, in format `format`, with the same key slots. */
async function rewrite(bytes: Buffer, schema: number, format: string): Promise<Buffer> {
  const { header, preamble, ciphertext } = decodeVault(bytes)
  const dataKey = await unwrapDataKey(header, { password: PASSWORD })
  const db = await openDatabase(open(dataKey, header.payloadNonce, ciphertext, preamble)!, SCHEMA.slice(0, schema))
  db.run(`PRAGMA page_size = ${PAGE_BYTES}`)
  db.run('VACUUM')
  // From format 1.3 on, the catalog of the API secrets after the image (catalog.ts), as a save writes it.
  // Only at the latest schema: a catalog is what this Keyhold writes for its own schema (name order, folding).
  const plain = format === '1.0' || schema !== LATEST_SCHEMA_VERSION ? null : secretsCatalog(db).build()
  const blocks = plain && sealBlocks(dataKey, header.vaultId, plain)
  const image = db.export()
  db.close()
  const { catalog: _old, ...kept } = header
  const rewritten: VaultHeader = { ...kept, payloadNonce: randomBytes(NONCE_BYTES), payloadBytes: format === '1.0' ? undefined : image.length, ...(blocks && { catalog: catalogHeader(blocks) }) }
  const head = format === '1.0' ? preamble10(rewritten) : encodePreamble(rewritten)
  const after = blocks ? [...blocks.blocks.map((block) => block.sealed), sealCatalog(dataKey, header.vaultId, rewritten.catalog!, tagsOf(blocks), head)] : []
  return Buffer.concat([head, sealWithNonce(dataKey, rewritten.payloadNonce, image, head), ...after])
}

/** A format 1.0 preamble: minor version 0 and a header without payloadBytes, and its digest again. */
function preamble10(header: VaultHeader): Buffer {
  const preamble = encodePreamble(header)
  preamble.writeUInt16BE(0, 10)
  const body = preamble.subarray(0, preamble.length - 32)
  createHash('sha256').update(body).digest().copy(preamble, body.length)
  return preamble
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
