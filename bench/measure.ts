/**
 * One benchmark size in its own process (so RSS is this size's alone):
 *   tsx bench/measure.ts build N    creates .bench/vault-N.keyhold unless it is there
 *   tsx bench/measure.ts measure N  prints one JSON line of medians
 *   tsx bench/measure.ts memory N   prints RSS of a process that unlocks once, searches and saves
 *   tsx bench/measure.ts app N      the same through the app's layout: the core in its worker
 *                                   thread (CoreHost), measuring how long main's thread is blocked
 *   tsx bench/measure.ts agent N    the local access agent: pairing and session handshakes, requests/s
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { KdfParams } from '../src-shared/types/vault'
import { createServices, type Services } from '../src-main/core/services'
import { openDatabase } from '../src-main/core/vault/database'
import { KDF_DEFAULT } from '../src-main/core/vault/kdf'
import { MemoryClipboard } from '../src-main/core/ports'
import { CoreHost } from '../src-main/worker/core-host'
import type { Result } from '../src-shared/errors'
import type { SecretPage } from '../src-shared/types/secrets'
import { agentBench } from './agent'
import { realisticSecret } from './data'
import { FileKeyStore } from './file.key-store'
import { median, max, probed, rssMiB, timed } from './stats'

export const BENCH_DIR = resolve(__dirname, '../.bench')
export const BENCH_PASSWORD = 'keyhold benchmark master password'
/** The KDF of the targets: Argon2id 64 MiB / t=3 (lanes as calibration would pick here). */
export const BENCH_KDF: KdfParams = { ...KDF_DEFAULT, memoryKiB: 64 * 1024, iterations: 3 }
/** Bump when the generated data or the schema changes, so cached vaults are rebuilt. */
const DATA_VERSION = 3
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const BATCH = 10_000

export const paths = (size: number) => ({
  vault: join(BENCH_DIR, `vault-${size}.keyhold`),
  keyStore: join(BENCH_DIR, `vault-${size}.keychain.json`),
  stamp: join(BENCH_DIR, `vault-${size}.json`),
})

function servicesFor(size: number): Services {
  const p = paths(size)
  return createServices({ vaultPath: p.vault, keyStore: new FileKeyStore(p.keyStore), kdf: BENCH_KDF })
}

async function build(size: number): Promise<void> {
  const p = paths(size)
  mkdirSync(BENCH_DIR, { recursive: true })
  if (existsSync(p.stamp) && existsSync(p.vault) && JSON.parse(readFileSync(p.stamp, 'utf8')).version === DATA_VERSION) return
  for (const path of [p.vault, `${p.vault}.bak`, p.keyStore, p.stamp]) rmSync(path, { force: true })
  const services = servicesFor(size)
  const start = performance.now()
  // "Remember on this device" gives the vault a device slot: the unlock without the KDF.
  await services.vault.create({ password: BENCH_PASSWORD, rememberOnDevice: true })
  for (let from = 0; from < size; from += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, size - from) }, (_, k) => realisticSecret(from + k))
    await services.secrets.addMany(batch)
  }
  services.vault.lock()
  writeFileSync(p.stamp, JSON.stringify({ version: DATA_VERSION, size, buildMs: Math.round(performance.now() - start) }))
}

/** The keystrokes of typing `word`: "s", "st", "str", ... */
const keystrokes = (word: string) => Array.from({ length: word.length }, (_, i) => word.slice(0, i + 1))

export const QUERIES = { prefix: 'stripe', common: 'prod', miss: 'zqxv' } as const

/** Waits until the search index is built and its default order prepared (as after the first page). */
async function searchReady(services: Services): Promise<void> {
  await services.secrets.list({ search: QUERIES.miss })
}

async function measure(size: number) {
  const services = servicesFor(size)
  const { vault, secrets } = services
  ;(await openDatabase()).close() // load sql.js's WASM first: it is part of the process, not of opening

  const unlockWithKdf: number[] = []
  const unlockNoKdf: number[] = []
  const openToFirst: number[] = []
  const firstSearch: number[] = []
  for (let r = 0; r < RUNS; r++) {
    vault.lock()
    unlockWithKdf.push(await timed(() => vault.unlock({ password: BENCH_PASSWORD })))
    vault.lock()
    unlockNoKdf.push(await timed(() => vault.unlockWithDevice()))
    vault.lock()
    openToFirst.push(
      await timed(async () => {
        await vault.unlockWithDevice()
        const page = await secrets.list({})
        if (page.items.length === 0) throw new Error('empty vault')
      }),
    )
    vault.lock()
    await vault.unlockWithDevice()
    // A search right after unlock builds the search index first.
    firstSearch.push(await timed(() => secrets.list({ search: QUERIES.prefix })))
  }

  const search: Record<string, { medianMs: number; maxMs: number; total: number }> = {}
  for (const [kind, word] of Object.entries(QUERIES)) {
    const times: number[] = []
    let total = 0
    for (let r = 0; r < RUNS; r++)
      for (const typed of keystrokes(word)) times.push(await timed(async () => (total = (await secrets.list({ search: typed })).total)))
    search[kind] = { medianMs: median(times), maxMs: max(times), total }
  }
  const tagTimes: number[] = []
  for (let r = 0; r < RUNS; r++) tagTimes.push(await timed(() => secrets.list({ tag: 'finance', search: 'pay' })))

  const { items } = await secrets.list({ limit: 20 })
  const saves: Array<{ ms: number; maxBlockMs: number }> = []
  for (let r = 0; r < RUNS; r++)
    saves.push(await probed(() => secrets.edit({ id: items[r % items.length]!.id, notes: `benchmark edit ${r} ${Date.now()}` })))
  const burst = await probed(() =>
    Promise.all(items.map((item, k) => secrets.edit({ id: item.id, notes: `benchmark burst ${k} ${Date.now()}` }))),
  )
  const lockAfterEdit = await timed(async () => {
    void secrets.edit({ id: items[0]!.id, notes: `benchmark before lock ${Date.now()}` })
    await vault.settle()
    vault.lock()
    // Until the lock's last save has built the catalog and is durable (lock() itself returns at once).
    await vault.locked()
  })
  // A password change costs the same: the current password checked, a new slot derived, a full save.
  await vault.unlockWithDevice()
  const rekeys: number[] = []
  for (let r = 0; r < RUNS; r++) rekeys.push(await timed(() => vault.rotateKey({ password: BENCH_PASSWORD })))
  const fileBytes = statSync(paths(size).vault).size
  vault.lock()

  return {
    size,
    fileMiB: fileBytes / 1048576,
    unlockWithKdfMs: median(unlockWithKdf),
    unlockNoKdfMs: median(unlockNoKdf),
    openToFirstResultsMs: median(openToFirst),
    firstOpenToFirstResultsMs: openToFirst[0]!,
    firstSearchMs: median(firstSearch),
    search,
    tagAndSearchMs: median(tagTimes),
    save: { medianMs: median(saves.map((s) => s.ms)), maxBlockMs: max(saves.map((s) => s.maxBlockMs)) },
    burst: { edits: items.length, ms: burst.ms, maxBlockMs: burst.maxBlockMs },
    lockAfterEditMs: lockAfterEdit,
    rekeyMs: median(rekeys),
  }
}

/**
 * Memory in a process of its own, as the app would use it: unlock once, show the first page,
 * search (which builds the index), then save a few edits. RSS is the whole process (Node,
 * sql.js and its WASM heap, the decrypted database, the search index).
 */
async function memory(size: number) {
  const services = servicesFor(size)
  const { vault, secrets } = services
  const baseMiB = rssMiB()
  await vault.unlockWithDevice()
  const { items } = await secrets.list({ limit: 10 })
  await searchReady(services)
  for (const word of Object.values(QUERIES)) for (const typed of keystrokes(word)) await secrets.list({ search: typed })
  const steadyMiB = rssMiB()
  let peakMiB = steadyMiB
  for (let r = 0; r < 5; r++) {
    const save = await probed(() => secrets.edit({ id: items[r % items.length]!.id, notes: `memory edit ${r} ${Date.now()}` }))
    peakMiB = Math.max(peakMiB, save.peakRssMiB)
  }
  const afterMiB = rssMiB()
  vault.lock()
  return { baseMiB, steadyMiB, peakDuringSaveMiB: peakMiB, afterSavesMiB: afterMiB }
}

/** The core's worker, bundled by run.ts next to measure.cjs. */
export const WORKER = join(BENCH_DIR, 'core.worker.cjs')

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value as T
}

/**
 * The app's layout: main's thread holds only a CoreHost and the core runs in its worker, so
 * what matters for the window is how long main's own event loop is blocked while the core
 * saves. Requests go through the same dispatch (validation, Result) as ipcMain's. RSS here is
 * the whole process, the worker's heap and sql.js included.
 */
async function app(size: number) {
  const p = paths(size)
  const core = new CoreHost({ workerPath: WORKER, vaultPath: p.vault, keyStore: new FileKeyStore(p.keyStore), clipboard: new MemoryClipboard(), kdf: BENCH_KDF })
  const baseMiB = rssMiB()
  const unlockMs = await timed(async () => value(await core.dispatch('vault:unlock-with-device', {})))
  const { items } = value<SecretPage>(await core.dispatch('secrets:list', { limit: 20 }))
  await core.dispatch('secrets:list', { search: QUERIES.miss })
  const times: number[] = []
  for (let r = 0; r < RUNS; r++)
    for (const typed of keystrokes(QUERIES.prefix)) times.push(await timed(async () => value(await core.dispatch('secrets:list', { search: typed }))))
  const steadyMiB = rssMiB()
  const saves: Array<{ ms: number; maxBlockMs: number; peakRssMiB: number }> = []
  for (let r = 0; r < RUNS; r++)
    saves.push(await probed(async () => value(await core.dispatch('secrets:edit', { id: items[r % items.length]!.id, notes: `app edit ${r} ${Date.now()}` }))))
  const burst = await probed(() =>
    Promise.all(items.map(async (item, k) => value(await core.dispatch('secrets:edit', { id: item.id, notes: `app burst ${k} ${Date.now()}` })))),
  )
  await core.lock()
  await core.close()
  return {
    unlockNoKdfMs: unlockMs,
    search: { medianMs: median(times), maxMs: max(times) },
    save: { medianMs: median(saves.map((s) => s.ms)), maxMainBlockMs: max(saves.map((s) => s.maxBlockMs)) },
    burst: { ms: burst.ms, maxMainBlockMs: burst.maxBlockMs },
    rss: { baseMiB, steadyMiB, peakDuringSaveMiB: Math.max(steadyMiB, burst.peakRssMiB, ...saves.map((s) => s.peakRssMiB)) },
  }
}

/** The agent over a copy of the vault (pairing writes applications and pairings into it). */
async function agent(size: number) {
  const p = paths(size)
  const copy = join(BENCH_DIR, `vault-${size}.agent.keyhold`)
  for (const path of [copy, `${copy}.bak`]) rmSync(path, { force: true })
  copyFileSync(p.vault, copy)
  const services = createServices({ vaultPath: copy, keyStore: new FileKeyStore(p.keyStore), kdf: BENCH_KDF })
  await services.vault.unlock({ password: BENCH_PASSWORD })
  try {
    return await agentBench(services, RUNS)
  } finally {
    services.vault.lock()
    await services.vault.locked()
    for (const path of [copy, `${copy}.bak`]) rmSync(path, { force: true })
  }
}

export type AgentResult = Awaited<ReturnType<typeof agent>>
export type SizeResult = Awaited<ReturnType<typeof measure>>
export type AppResult = Awaited<ReturnType<typeof app>>
export type MemoryResult = Awaited<ReturnType<typeof memory>>

async function main(): Promise<void> {
  const [command, sizeArg] = process.argv.slice(2)
  const size = Number(sizeArg)
  if (!Number.isInteger(size) || size <= 0) throw new Error('usage: measure.ts build|measure SIZE')
  if (command === 'build') await build(size)
  else if (command === 'measure') process.stdout.write(`${JSON.stringify(await measure(size))}\n`)
  else if (command === 'memory') process.stdout.write(`${JSON.stringify(await memory(size))}\n`)
  else if (command === 'app') process.stdout.write(`${JSON.stringify(await app(size))}\n`)
  else if (command === 'agent') process.stdout.write(`${JSON.stringify(await agent(size))}\n`)
  else throw new Error(`unknown command ${command}`)
}

if (require.main === module)
  main().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  })
