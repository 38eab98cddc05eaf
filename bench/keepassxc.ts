/**
 * Keyhold's cold CLI side by side with `keepassxc-cli` 2.7 (issue 19), when it is installed:
 * the same items (bench/data.ts), the same KDF (Argon2id, 64 MiB, t=3, 2 lanes), new processes
 * interleaved so a slow spell of a shared machine falls on both alike. The KDBX4 file is
 * written with kdbxweb (Keeweb's KDBX library) because keepassxc-cli cannot set a KDF's
 * parameters (`db-create` takes only a target decryption time).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { median } from './stats'

export interface KeepassxcRow {
  /** Median wall times (ms) of cold processes, keyhold / keepassxc-cli, for one item count. */
  searchMs: [number, number]
  listMs: [number, number]
  getMs: [number, number]
}

/** keepassxc-cli's version, or null when it is not installed. */
export function keepassxcVersion(): string | null {
  const result = spawnSync('keepassxc-cli', ['--version'], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : null
}

const TITLE = (i: number) => `entry-${i}`

/**
 * Writes `file` as a KDBX4 database of `secrets` (Title = name, UserName = Client ID,
 * Password = client secret, URL, Notes, Tags), unless a database of this many items is there.
 */
export async function buildKdbx(file: string, password: string, secrets: ReadonlyArray<{ name: string; url: string; clientId: string; clientSecret?: string | null; notes?: string; tags?: string[] }>): Promise<void> {
  const stamp = `${file}.json`
  if (existsSync(file) && existsSync(stamp) && (JSON.parse(readFileSync(stamp, 'utf8')) as { size: number }).size === secrets.length) return
  const kdbxweb = await import('kdbxweb')
  const { hashRaw } = await import('@node-rs/argon2')
  // kdbxweb hands the KDF's memory in KiB, as @node-rs/argon2 takes it.
  kdbxweb.CryptoEngine.setArgon2Impl(async (pass, salt, memory, iterations, length, parallelism, type) => {
    const hash = await hashRaw(Buffer.from(pass), {
      salt: Buffer.from(salt),
      memoryCost: memory,
      timeCost: iterations,
      parallelism,
      outputLen: length,
      algorithm: type === kdbxweb.CryptoEngine.Argon2TypeArgon2id ? 2 : 0,
    })
    return new Uint8Array(hash).buffer
  })
  const db = kdbxweb.Kdbx.create(new kdbxweb.KdbxCredentials(kdbxweb.ProtectedValue.fromString(password)), 'bench')
  db.setKdf(kdbxweb.Consts.KdfId.Argon2id)
  const kdf = db.header.kdfParameters!
  kdf.set('M', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(64 * 1024 * 1024))
  kdf.set('I', kdbxweb.VarDictionary.ValueType.UInt64, kdbxweb.Int64.from(3))
  kdf.set('P', kdbxweb.VarDictionary.ValueType.UInt32, 2)
  const group = db.getDefaultGroup()
  secrets.forEach((secret, i) => {
    const entry = db.createEntry(group)
    // A unique title per item, so `show` finds exactly one; the name stays searchable in Notes.
    entry.fields.set('Title', TITLE(i))
    entry.fields.set('UserName', secret.clientId)
    entry.fields.set('Password', kdbxweb.ProtectedValue.fromString(secret.clientSecret ?? ''))
    entry.fields.set('URL', secret.url)
    entry.fields.set('Notes', `${secret.name}\n${secret.notes ?? ''}`)
    entry.tags = [...(secret.tags ?? [])]
  })
  writeFileSync(file, Buffer.from(await db.save()))
  writeFileSync(stamp, JSON.stringify({ size: secrets.length }))
}

/**
 * The environment of the processes compared: this one's without NODE_EXTRA_CA_CERTS, which
 * makes Node parse CA certificates before any script (~70 ms here; a person's machine rarely
 * sets it) and which keepassxc-cli ignores, so it would only handicap keyhold.
 */
const CHILD_ENV: NodeJS.ProcessEnv = (() => {
  const env = { ...process.env }
  delete env.NODE_EXTRA_CA_CERTS
  return env
})()

function wall(command: string, args: string[], input: string): number {
  const start = performance.now()
  // The output is taken as bytes: decoding it in this process (20 MB for keyhold's list of
  // 100,000, a tenth of that for keepassxc-cli's names) is the harness's time, not the command's.
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 28, env: CHILD_ENV })
  const elapsed = performance.now() - start
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString()}`)
  return elapsed
}

/**
 * Cold search, list and get, each `runs` times, keyhold and keepassxc-cli interleaved. The
 * search term matches one item's name in both (a name is in keepassxc's Notes, searched too).
 */
export function compareCold(opts: { keyholdBin: string; vault: string; kdbx: string; password: string; term: string; identifier: string; index: number; runs: number }): KeepassxcRow {
  const node = process.execPath
  const kh = (args: string[]) => wall(node, [opts.keyholdBin, '--vault', opts.vault, '--password-stdin', ...args], `${opts.password}\n`)
  const kx = (args: string[]) => wall('keepassxc-cli', [args[0]!, '-q', opts.kdbx, ...args.slice(1)], `${opts.password}\n`)
  const pairs: Record<keyof KeepassxcRow, [() => number, () => number]> = {
    searchMs: [() => kh(['secret', 'list', '--search', opts.term]), () => kx(['search', opts.term])],
    listMs: [() => kh(['secret', 'list']), () => kx(['ls'])],
    getMs: [() => kh(['secret', 'get', opts.identifier, '--field', 'client-secret']), () => kx(['show', '-s', '-a', 'Password', TITLE(opts.index)])],
  }
  const row = {} as KeepassxcRow
  for (const [name, [ours, theirs]] of Object.entries(pairs) as Array<[keyof KeepassxcRow, [() => number, () => number]]>) {
    const a: number[] = []
    const b: number[] = []
    for (let r = 0; r < opts.runs; r++) {
      a.push(ours())
      b.push(theirs())
    }
    row[name] = [median(a), median(b)]
  }
  return row
}

export const kdbxPath = (benchDir: string, size: number) => join(benchDir, `keepassxc-${size}.kdbx`)

/** Median wall times (ms) of cold commands through a running agent and, for `get`, opening the vault file. */
export interface AgentPathRow {
  /** `secret get ID --field client-secret` through the agent / opening the vault file with the master password (KDF included). */
  getMs: [number, number]
  /** `secret list --search TERM` through the agent. */
  searchMs: number
  /** `secret list` (every secret, as a table) through the agent. */
  listMs: number
  /** The first of those after the agent unlocked: it reads and formats the list, which later ones reuse (docs/terminal-sessions.md §5). */
  firstListMs: number
}

/**
 * Cold `keyhold` commands through a running `keyhold agent` (unlock once): `secret get` against
 * opening the vault file with the master password, `secret list --search TERM` and plain
 * `secret list`; new processes interleaved, median wall times (ms).
 */
export async function compareAgentPath(opts: { keyholdBin: string; vault: string; password: string; identifier: string; term: string; runs: number }): Promise<AgentPathRow> {
  const { mkdtempSync, chmodSync, copyFileSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { spawn } = await import('node:child_process')
  const folder = mkdtempSync(join(tmpdir(), 'keyhold-bench-terminal-'))
  chmodSync(folder, 0o700)
  const env = { ...CHILD_ENV, KEYHOLD_AGENT_DIR: folder }
  const agent = spawn(process.execPath, [opts.keyholdBin, '--vault', opts.vault, '--password-stdin', 'agent'], { env, stdio: ['pipe', 'pipe', 'ignore'] })
  agent.stdin.write(`${opts.password}\n`)
  try {
    await new Promise<void>((resolve, reject) => {
      agent.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('Serving vault') ? resolve() : undefined))
      agent.once('exit', () => reject(new Error('keyhold agent exited')))
    })
    const keyhold = (args: string[], input = '', vault = opts.vault, childEnv = env) => {
      const start = performance.now()
      // The output as bytes, as wall() takes it: decoding 20 MB here would be the harness's time.
      const result = spawnSync(process.execPath, [opts.keyholdBin, '--vault', vault, ...args], { env: childEnv, input, maxBuffer: 1 << 28 })
      if (result.status !== 0) throw new Error(`keyhold ${args.join(' ')} failed: ${result.stderr.toString()}`)
      return performance.now() - start
    }
    const get = ['secret', 'get', opts.identifier, '--field', 'client-secret']
    // The file is opened as a copy: each of those gets records its reveal in the file it opened,
    // and a save of the agent's own file would make the agent read the whole vault again. The
    // copy keeps its activity anchors in a folder of its own (a copy's log is not the original's;
    // XDG_CONFIG_HOME places Keyhold's data folder on Linux).
    const copy = join(folder, 'vault-copy.keyhold')
    copyFileSync(opts.vault, copy)
    const copyEnv = { ...env, XDG_CONFIG_HOME: join(folder, 'config') }
    const runs: Record<'viaAgent' | 'viaFile' | 'search' | 'list', number[]> = { viaAgent: [], viaFile: [], search: [], list: [] }
    for (let r = 0; r < opts.runs; r++) {
      runs.viaAgent.push(keyhold(get))
      runs.viaFile.push(keyhold(['--no-agent', '--password-stdin', ...get], `${opts.password}\n`, copy, copyEnv))
      runs.search.push(keyhold(['secret', 'list', '--search', opts.term]))
      runs.list.push(keyhold(['secret', 'list']))
    }
    return { getMs: [median(runs.viaAgent), median(runs.viaFile)], searchMs: median(runs.search), listMs: median(runs.list), firstListMs: runs.list[0]! }
  } finally {
    agent.kill('SIGTERM')
    rmSync(folder, { recursive: true, force: true })
  }
}
