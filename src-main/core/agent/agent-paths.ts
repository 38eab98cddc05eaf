import { closeSync, constants, fstatSync, lstatSync, openSync, promises as fs, readSync, type Stats } from 'node:fs'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { KeyholdError } from '../../../src-shared/errors'
import { defaultVaultPath } from '../vault/paths'
import { createExclusive, processGone, tempName } from '../vault/safe-files'

/**
 * Where a vault's agent listens, and the public facts next to its socket
 * (docs/pairing-protocol.md §2.2): `<folder>/<vault id>.sock` and `<folder>/<vault id>.json`.
 * The folder is `$XDG_RUNTIME_DIR/keyhold` where set, else `<app data>/agent`; its mode is
 * 0700 and it is the user's, which is what keeps other users away from the socket.
 * `KEYHOLD_AGENT_DIR` overrides both (tests, or several test vaults side by side).
 */
export function agentFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KEYHOLD_AGENT_DIR) return env.KEYHOLD_AGENT_DIR
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'keyhold')
  return join(dirname(defaultVaultPath(env)), 'agent')
}

export interface AgentEndpoint {
  folder: string
  socket: string
  info: string
}

export function agentEndpoint(vaultId: string, folder = agentFolder()): AgentEndpoint {
  if (process.platform === 'win32') return { folder, socket: `\\\\.\\pipe\\keyhold-${vaultId}`, info: join(folder, `${vaultId}.json`) }
  return { folder, socket: join(folder, `${vaultId}.sock`), info: join(folder, `${vaultId}.json`) }
}

/** The public facts an agent publishes: never a secret (its public key only). */
export interface AgentInfo {
  v: 1
  vault: string
  dpk: string | null
  pid: number
  holder: 'app' | 'agent'
  since: string
  /** Where phones reach it (§2.4), while its network endpoint listens; null or absent otherwise. */
  network?: { hosts: string[]; fp: string } | null
  /** Whether it runs terminals' commands (docs/terminal-sessions.md); absent in older agents: no. */
  terminals?: boolean
  /** The vault file it holds (symlinks resolved): a copy of the vault shares its id, not its path. */
  path?: string
}

const unsafe = (folder: string, why: string) =>
  new KeyholdError(
    'VAULT_FOLDER_UNSAFE',
    `The local access folder ${folder} ${why}, so other programs could reach the agent. Remove it (Keyhold makes it again with mode 0700), then try again.`,
  )

/** Creates the folder if needed (mode 0700) and checks it: a real folder, the user's, mode exactly 0700. */
export async function ensureAgentFolder(folder: string): Promise<void> {
  await fs.mkdir(folder, { recursive: true, mode: 0o700 })
  await checkAgentFolder(folder)
}

/** The check clients make before connecting, and the agent before listening. */
export async function checkAgentFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return
  checkFolderStat(folder, await fs.lstat(folder))
}

/**
 * The same check, synchronously: a short-lived client (the terminal's fast path) spends less on
 * one lstat than on starting the thread pool that an asynchronous one needs.
 */
export function checkAgentFolderSync(folder: string): void {
  if (process.platform === 'win32') return
  checkFolderStat(folder, lstatSync(folder))
}

function checkFolderStat(folder: string, stat: Stats): void {
  if (stat.isSymbolicLink()) throw unsafe(folder, 'is a symbolic link')
  if (!stat.isDirectory()) throw unsafe(folder, 'is not a folder')
  if (process.getuid && stat.uid !== process.getuid()) throw unsafe(folder, 'belongs to another user')
  if ((stat.mode & 0o777) !== 0o700) throw unsafe(folder, `has mode ${(stat.mode & 0o777).toString(8)} instead of 700`)
}

/**
 * The facts file of the agent at `endpoint`, or null when there is none or it is not one.
 * Read synchronously, non-blocking and bounded (16 KiB, 4,096 characters kept): a FIFO or a
 * huge file put in its place blocks nothing, and a short-lived client (the terminal's fast
 * path) does not start the thread pool for it.
 */
export function readAgentInfo(endpoint: AgentEndpoint): AgentInfo | null {
  let text: string
  try {
    // Not blocked by a FIFO put in its place.
    const fd = openSync(endpoint.info, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
    try {
      // 4,096 characters are kept: at most 16 KiB of UTF-8.
      const bytes = Buffer.alloc(Math.min(fstatSync(fd).size, 16 * 1024))
      text = bytes.toString('utf8', 0, readSync(fd, bytes, 0, bytes.length, 0)).slice(0, 4096)
    } finally {
      closeSync(fd)
    }
  } catch {
    return null
  }
  return parseAgentInfo(text)
}

function parseAgentInfo(text: string): AgentInfo | null {
  let info: AgentInfo
  try {
    info = JSON.parse(text) as AgentInfo
  } catch {
    return null
  }
  if (typeof info?.pid !== 'number' || typeof info.vault !== 'string') return null
  return info
}

/**
 * Whether the agent that wrote `info` is gone, so its files may be cleared: its process is
 * gone, or its socket no longer answers (a core thread that died inside a live app, or a pid
 * used again by another program).
 */
export async function agentGone(info: AgentInfo, endpoint: AgentEndpoint): Promise<boolean> {
  if (info.pid !== process.pid && processGone(info.pid)) return true
  return !(await socketAnswers(endpoint.socket))
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path)
    const done = (alive: boolean) => {
      socket.destroy()
      resolve(alive)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.setTimeout(1_000, () => done(false))
  })
}

/** Publishes the facts (mode 0600, written aside and renamed into place). */
export async function writeAgentInfo(endpoint: AgentEndpoint, info: AgentInfo): Promise<void> {
  const tmp = tempName(endpoint.info)
  await createExclusive(tmp, JSON.stringify(info))
  await fs.chmod(tmp, 0o600)
  await fs.rename(tmp, endpoint.info)
}

export async function removeAgentFiles(endpoint: AgentEndpoint): Promise<void> {
  await fs.rm(endpoint.info, { force: true }).catch(() => undefined)
  if (process.platform !== 'win32') await fs.rm(endpoint.socket, { force: true }).catch(() => undefined)
}

export function agentHeldMessage(info: AgentInfo): string {
  const who = info.holder === 'app' ? 'the Keyhold app' : '`keyhold agent`'
  return `This vault's agent is already running in ${who} (process ${info.pid}, since ${info.since}). Use that one, or stop it first.`
}
