/**
 * `npm run bench`: builds vaults of 1,000, 10,000 and 100,000 realistic API secrets (once;
 * cached in .bench/) and prints medians per size. Each size is measured in a fresh process.
 * BENCH_SIZES=1000,10000 limits the sizes; BENCH_RUNS sets the runs per median (default 5);
 * BENCH_ONLY=side runs only the side-by-side comparisons (the agent path, keepassxc-cli).
 */
import { spawnSync } from 'node:child_process'
import { buildSync } from 'esbuild'
import { cpus, totalmem } from 'node:os'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { BENCH_DIR, BENCH_KDF, BENCH_PASSWORD, paths, QUERIES, WORKER, type AgentResult, type AppResult, type MemoryResult, type SizeResult } from './measure'
import { median } from './stats'
import { buildKdbx, compareAgentPath, compareCold, kdbxPath, keepassxcVersion, type AgentPathRow, type KeepassxcRow } from './keepassxc'
import { realisticSecret } from './data'

const ROOT = resolve(__dirname, '..')
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const MEASURE = join(BENCH_DIR, 'measure.cjs')

/** The measuring process runs on plain Node (bundled like the CLI), so its RSS has no loader in it. */
function bundleMeasure(): void {
  for (const [entry, outfile] of [
    [join(__dirname, 'measure.ts'), MEASURE],
    [join(ROOT, 'src-main/worker/core.worker.ts'), WORKER],
  ] as const)
    buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'warning' })
}

function child(args: string[], nodeArgs: string[] = []): string {
  const result = spawnSync(process.execPath, [...nodeArgs, MEASURE, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 })
  if (result.status !== 0) throw new Error(`measure ${args.join(' ')} failed:\n${result.stderr}`)
  return result.stdout
}

/**
 * Node 20 parses the CA certificates named by NODE_EXTRA_CA_CERTS (and its own bundled ones)
 * when it starts, before any script runs (nodejs/node#40524). Sandboxes behind a TLS proxy
 * set it; a Keyhold user normally does not, and the CLI never opens a TLS connection.
 */
const EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS
const withoutExtraCaCerts = (): NodeJS.ProcessEnv => {
  const env = { ...process.env }
  delete env.NODE_EXTRA_CA_CERTS
  return env
}

/** Cold starts are noisier than the rest: at least 11 runs per median. */
const COLD_RUNS = Math.max(RUNS, 11)

/** Wall time of `node ARGS` in a new process, with `input` on stdin. */
function wall(args: string[], env: NodeJS.ProcessEnv, input = ''): number {
  const start = performance.now()
  const result = spawnSync(process.execPath, args, { env, input, encoding: 'utf8', maxBuffer: 1 << 26 })
  const elapsed = performance.now() - start
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`)
  return elapsed
}

interface ColdResult {
  /** Cold `keyhold secret list --search Q --password-stdin` (new Node process, KDF included), in this environment. */
  cliMs: number
  /** `node -e 0` in this environment: the part of the above that is Node's own start. */
  nodeMs: number
  /** The same two without NODE_EXTRA_CA_CERTS, when this environment sets it. */
  plain?: { cliMs: number; nodeMs: number }
}

function cold(size: number): ColdResult {
  const cli = [join(ROOT, 'bin/keyhold.js'), '--vault', paths(size).vault, '--password-stdin', 'secret', 'list', '--search', QUERIES.prefix]
  const envs = EXTRA_CA_CERTS ? [process.env, withoutExtraCaCerts()] : [process.env]
  // Interleaved, so a slow spell of a shared machine falls on both alike.
  const times = envs.map(() => ({ cli: [] as number[], node: [] as number[] }))
  for (let r = 0; r < COLD_RUNS; r++)
    envs.forEach((env, i) => {
      times[i]!.cli.push(wall(cli, env, `${BENCH_PASSWORD}\n`))
      times[i]!.node.push(wall(['-e', '0'], env))
    })
  const [here, plain] = times.map((t) => ({ cliMs: median(t.cli), nodeMs: median(t.node) }))
  return { ...here!, ...(plain ? { plain } : {}) }
}

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))
const mib = (n: number) => n.toFixed(0)

interface LogCostInput {
  save: { medianMs: number }
  agent: { getPerSecond: number; getPerSecondUnlogged: number }
}

/** What logging adds to one request: the difference between the rates with and without it. */
function logPerRequestUs(r: LogCostInput): number {
  return Math.max(0, 1e6 / r.agent.getPerSecond - 1e6 / r.agent.getPerSecondUnlogged)
}

/**
 * Logging's share of one core at the agent's limit (20 requests/s per connection): the entries,
 * and the save that writes them, once a second or every 20 saves' time when a save is slow
 * (activity.service.ts FLUSH_DUTY).
 */
function logShareAtLimit(r: LogCostInput): number {
  const savesPerSecond = 1 / Math.max(1, (20 * r.save.medianMs) / 1000)
  return ((20 * logPerRequestUs(r)) / 1e6 + (r.save.medianMs / 1000) * savesPerSecond) * 100
}

async function main(): Promise<void> {
  const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`
  process.stdout.write(`Keyhold benchmark: ${machine}\nKDF Argon2id ${BENCH_KDF.memoryKiB / 1024} MiB, t=${BENCH_KDF.iterations}, ${BENCH_KDF.lanes} lane(s); medians of ${RUNS} runs\n\n`)
  const results: Array<SizeResult & { cold: ColdResult; rss: MemoryResult; app: AppResult; agent: AgentResult }> = []
  mkdirSync(BENCH_DIR, { recursive: true })
  // BENCH_ONLY=side: only the side-by-side comparisons (issue 19), on vaults built before.
  if (process.env.BENCH_ONLY === 'side') {
    await sideBySide()
    return
  }
  bundleMeasure()
  for (const size of SIZES) {
    const start = performance.now()
    child(['build', size.toString()])
    const built = performance.now() - start
    process.stdout.write(`  ${size}: vault ready (${(built / 1000).toFixed(1)} s)\n`)
    const result = JSON.parse(child(['measure', size.toString()]).trim().split('\n').pop()!) as SizeResult
    // With `gc`, as the app's core has it in its worker (see CoreHost and cipher-garbage.ts).
    const rss = JSON.parse(child(['memory', size.toString()], ['--expose-gc']).trim().split('\n').pop()!) as MemoryResult
    const app = JSON.parse(child(['app', size.toString()]).trim().split('\n').pop()!) as AppResult
    const agent = JSON.parse(child(['agent', size.toString()]).trim().split('\n').pop()!) as AgentResult
    results.push({ ...result, rss, app, agent, cold: cold(size) })
  }
  const rows: Array<[string, (r: (typeof results)[number]) => string]> = [
    ['file size (MiB)', (r) => r.fileMiB.toFixed(1)],
    ['unlock, KDF included (ms)', (r) => ms(r.unlockWithKdfMs)],
    ['unlock, KDF excluded (ms)', (r) => ms(r.unlockNoKdfMs)],
    ['open to first results, after the KDF (ms)', (r) => ms(r.openToFirstResultsMs)],
    ['  the same, first time in a new process (ms)', (r) => ms(r.firstOpenToFirstResultsMs)],
    ['first search after unlock, builds the index (ms)', (r) => ms(r.firstSearchMs)],
    [`search as you type "${QUERIES.prefix}" (ms, median / max keystroke)`, (r) => `${ms(r.search.prefix!.medianMs)} / ${ms(r.search.prefix!.maxMs)}`],
    [`search as you type "${QUERIES.common}" (ms, median / max)`, (r) => `${ms(r.search.common!.medianMs)} / ${ms(r.search.common!.maxMs)}`],
    [`search as you type "${QUERIES.miss}" (miss) (ms, median / max)`, (r) => `${ms(r.search.miss!.medianMs)} / ${ms(r.search.miss!.maxMs)}`],
    ['tag filter + search (ms)', (r) => ms(r.tagAndSearchMs)],
    ['save after one edit, until durable (ms)', (r) => ms(r.save.medianMs)],
    ["  longest block of the core's thread during a save (ms)", (r) => ms(r.save.maxBlockMs)],
    ['burst of 20 edits, until all durable (ms)', (r) => ms(r.burst.ms)],
    ["  longest block of the core's thread during the burst (ms)", (r) => ms(r.burst.maxBlockMs)],
    ['edit, then settle and lock (ms)', (r) => ms(r.lockAfterEditMs)],
    ['rotate encryption key or change password, 2 KDFs included (ms)', (r) => ms(r.rekeyMs)],
    ['RSS: process before unlocking (MiB)', (r) => mib(r.rss.baseMiB)],
    ['RSS: unlocked, index built, after searches (MiB)', (r) => mib(r.rss.steadyMiB)],
    ['RSS: peak during saves (MiB)', (r) => mib(r.rss.peakDuringSaveMiB)],
    [`cold \`keyhold secret list --search ${QUERIES.prefix}\` (ms)`, (r) => ms(r.cold.cliMs)],
    ["  of which Node's own start, `node -e 0` (ms)", (r) => ms(r.cold.nodeMs)],
    ...(EXTRA_CA_CERTS
      ? ([
          ['  the same without NODE_EXTRA_CA_CERTS (ms)', (r) => ms(r.cold.plain!.cliMs)],
          ["    of which Node's own start (ms)", (r) => ms(r.cold.plain!.nodeMs)],
        ] as Array<[string, (r: (typeof results)[number]) => string]>)
      : []),
    ['APP LAYOUT (core in its worker, requests through CoreHost)', () => ''],
    [`  search as you type "${QUERIES.prefix}" (ms, median / max keystroke)`, (r) => `${ms(r.app.search.medianMs)} / ${ms(r.app.search.maxMs)}`],
    ['  save after one edit, until durable (ms)', (r) => ms(r.app.save.medianMs)],
    ["  longest block of main's thread during a save (ms)", (r) => ms(r.app.save.maxMainBlockMs)],
    ['  burst of 20 edits, until all durable (ms)', (r) => ms(r.app.burst.ms)],
    ["  longest block of main's thread during the burst (ms)", (r) => ms(r.app.burst.maxMainBlockMs)],
    ['  RSS: unlocked, index built, after searches (MiB)', (r) => mib(r.app.rss.steadyMiB)],
    ['  RSS: peak during saves (MiB)', (r) => mib(r.app.rss.peakDuringSaveMiB)],
    ['LOCAL ACCESS AGENT (Unix socket; client in the same process; request limits lifted)', () => ''],
    ['  pairing handshake, XXpsk0 3 messages, until the check phrase (ms)', (r) => ms(r.agent.pairHandshakeMs)],
    ['  pairing until approved (instant approval; claim and pairing saved) (ms)', (r) => ms(r.agent.pairUntilApprovedMs)],
    ['  session handshake, IK, and a first ping (ms)', (r) => ms(r.agent.sessionHandshakeMs)],
    ['  secrets.list (50 per page), one at a time (requests/s)', (r) => r.agent.listPerSecond.toFixed(0)],
    ['  secrets.get, one at a time (requests/s)', (r) => r.agent.getPerSecond.toFixed(0)],
    ['  secrets.get, 8 in flight (requests/s)', (r) => r.agent.getPerSecond8.toFixed(0)],
    ['  the same two without the activity log, one at a time / 8 in flight (requests/s)', (r) => `${r.agent.getPerSecondUnlogged.toFixed(0)} / ${r.agent.getPerSecond8Unlogged.toFixed(0)}`],
    ['  the activity log per secrets.get: its entries recorded, chained and inserted (µs)', (r) => logPerRequestUs(r).toFixed(0)],
    ["  the activity log at the agent's limit, 20 requests/s on a connection, its saves included (% of one core)", (r) => logShareAtLimit(r).toFixed(1)],
    ['  phones (WebSocket on TLS 1.3, 127.0.0.1): pairing until approved, TLS and pin included (ms)', (r) => ms(r.agent.tlsPairUntilApprovedMs)],
    ['  phones: TLS + IK session handshake and a first ping (ms)', (r) => ms(r.agent.tlsSessionHandshakeMs)],
    ['  phones: secrets.list (50 per page), one at a time (requests/s)', (r) => r.agent.tlsListPerSecond.toFixed(0)],
    ['  phones: secrets.get, one at a time (requests/s)', (r) => r.agent.tlsGetPerSecond.toFixed(0)],
    ['  phones: secrets.get, 8 in flight (requests/s)', (r) => r.agent.tlsGetPerSecond8.toFixed(0)],
  ]
  const header = ['', ...results.map((r) => r.size.toLocaleString('en'))]
  const table = [header, ...rows.map(([label, cell]) => [label, ...results.map(cell)])]
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  process.stdout.write(
    `\n${table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n')}\n`,
  )
  if (EXTRA_CA_CERTS)
    process.stdout.write(
      `\nNODE_EXTRA_CA_CERTS is set here, so every Node process parses CA certificates before it runs\na line of script (nodejs/node#40524); the CLI never uses them. Cold starts are shown with and without it.\n`,
    )
  const side = await sideBySide()
  writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify({ machine, runs: RUNS, coldRuns: COLD_RUNS, extraCaCerts: !!EXTRA_CA_CERTS, results, sideBySide: side }, null, 2))
  process.stdout.write(`\nRaw numbers: .bench/results.json\n`)
}

/**
 * Issue 19's comparisons: `keyhold secret get`, `secret list --search` and `secret list` through
 * a running agent (get against opening the vault too), and keyhold against keepassxc-cli (when
 * installed) on the same items and KDF.
 */
async function sideBySide() {
  const bin = join(ROOT, 'bin/keyhold.js')
  const runs = Number(process.env.BENCH_SIDE_RUNS ?? 5)
  const rows: Array<{ size: number; agent: AgentPathRow; keepassxc: KeepassxcRow | null }> = []
  const version = keepassxcVersion()
  for (const size of SIZES) {
    const index = Math.floor(size / 2)
    const item = realisticSecret(index)
    const agent = await compareAgentPath({ keyholdBin: bin, vault: paths(size).vault, password: BENCH_PASSWORD, identifier: item.identifier!, term: item.name, runs })
    let keepassxc: KeepassxcRow | null = null
    if (version) {
      const kdbx = kdbxPath(BENCH_DIR, size)
      await buildKdbx(kdbx, BENCH_PASSWORD, Array.from({ length: size }, (_, i) => realisticSecret(i)))
      keepassxc = compareCold({ keyholdBin: bin, vault: paths(size).vault, kdbx, password: BENCH_PASSWORD, term: item.name, identifier: item.identifier!, index, runs })
    }
    rows.push({ size, agent, keepassxc })
  }
  const ratio = (pair: [number, number]) => `${ms(pair[0])} / ${ms(pair[1])} (${(pair[1] / pair[0]).toFixed(1)}x)`
  const table: Array<[string, (r: (typeof rows)[number]) => string]> = [
    ['UNLOCK ONCE: cold `keyhold` commands, new processes interleaved (here and below without NODE_EXTRA_CA_CERTS)', () => ''],
    ['  secret get --field client-secret: through a running keyhold agent / opening the vault file, KDF included (ms)', (r) => `${ms(r.agent.getMs[0])} / ${ms(r.agent.getMs[1])}`],
    ['  secret list --search NAME through the agent (one match) (ms)', (r) => ms(r.agent.searchMs)],
    ['  secret list through the agent (every secret, as a table) (ms)', (r) => ms(r.agent.listMs)],
    ['    the first after the agent unlocked (reads and formats the list) (ms)', (r) => ms(r.agent.firstListMs)],
    ...(version
      ? ([
          [`KEEPASSXC-CLI ${version}: keyhold / keepassxc-cli, same items and KDF, cold processes interleaved (ms, keyhold's lead)`, () => ''],
          ['  search one name', (r) => ratio(r.keepassxc!.searchMs)],
          ['  list (keyhold secret list / keepassxc-cli ls)', (r) => ratio(r.keepassxc!.listMs)],
          ['  get one client secret (secret get --field / show -s -a Password)', (r) => ratio(r.keepassxc!.getMs)],
        ] as typeof table)
      : [['KEEPASSXC-CLI: not installed here, so no comparison (apt-get install keepassxc)', () => ''] as (typeof table)[number]]),
  ]
  const lines = [['', ...rows.map((r) => r.size.toLocaleString('en'))], ...table.map(([label, cell]) => [label, ...rows.map(cell)])]
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((line) => line[i]!.length)))
  process.stdout.write(`\n${lines.map((line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n')}\n`)
  return rows
}

void main()
