import { randomBytes } from 'node:crypto'
import { promises as fs, constants } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { KeyholdError } from '../../../src-shared/errors'

/**
 * The files Keyhold makes next to the vault (temp files, the backup, the lock): made so that
 * nothing planted in the folder can redirect them. SECURITY: random names, exclusive creation
 * that never follows a symlink, a refusal of folders others can write to, and a sweep of what
 * killed processes left.
 */

/** Older than any save takes (a 1 GiB vault on a slow disk included): a temp file this old is abandoned. */
const STALE_TEMP_MS = 10 * 60_000

/** Errors of link() where the file system has no hard links: a copy is made instead. */
export const LINKS_UNSUPPORTED = ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']

/**
 * A temp file's name next to `path`: the pid lets a later save tell a temp file of a killed
 * process (see sweepTempFiles); the random part makes the name unguessable, so nobody can
 * plant a file or a symlink there in advance.
 */
export const tempName = (path: string) => `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`

/** O_CREAT | O_EXCL (which never follows a symlink at the name) and O_NOFOLLOW, for every file Keyhold makes. */
export const EXCLUSIVE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW

/**
 * SECURITY: creates `path` holding `text` (0600). Exclusive creation without following
 * symlinks: it fails rather than write through anything planted at that name.
 */
export async function createExclusive(path: string, text: string): Promise<void> {
  const handle = await fs.open(path, EXCLUSIVE, 0o600)
  try {
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}

/** Copies `from` to a new file `to` (created exclusively, 0600) and fsyncs it. */
export async function copyDurably(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to, constants.COPYFILE_EXCL)
  const handle = await fs.open(to, constants.O_RDWR | constants.O_NOFOLLOW)
  try {
    await handle.chmod(0o600)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Links `from` to `to` when `from` exists, replacing a leftover `to` (from a process killed
 * before it deleted it). False when there is nothing to link or links are unsupported.
 */
export async function linkAside(from: string, to: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.link(from, to)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false
      await fs.rm(to, { force: true })
    }
  }
  return false
}

/**
 * SECURITY: refuses a folder other users can write to: they could swap the vault or plant
 * files beside it. A sticky folder (like /tmp) is accepted when the vault is ours (or not yet
 * made), as others cannot rename or delete our files there. Group write counts as others'
 * unless the group is our private one (gid = uid: Debian gives each user a group of their own
 * and umask 002; macOS's shared "staff" group does count).
 * Windows has no such mode bits.
 */
export async function checkFolderSafe(folder: string, target: string): Promise<void> {
  if (process.platform === 'win32') return
  const s = await fs.stat(folder)
  const privateGroup = s.gid === process.getgid?.() && process.getgid?.() === process.getuid?.()
  const othersWrite = (s.mode & 0o002) !== 0 || ((s.mode & 0o020) !== 0 && !privateGroup)
  if (!othersWrite) return
  if ((s.mode & 0o1000) !== 0) {
    const file = await fs.lstat(target).catch(() => null)
    if (!file || file.uid === process.getuid?.()) return
  }
  throw new KeyholdError(
    'VAULT_FOLDER_UNSAFE',
    `Other users can write to the folder ${folder}, so they could replace your vault or plant files next to it. Nothing was changed. Keep the vault in a folder only you can write to (for example, run chmod go-w on it), then try again.`,
  )
}

/**
 * Deletes the temp files (of the vault, its backup and its lock) of processes that are gone
 * (killed mid-save: a SIGKILL, a crash, a power cut), which would otherwise pile up next to
 * the vault, the vault's as big as it. Also the fixed-name ones earlier versions made
 * (`.bak.tmp`, `.lock.<pid>.tmp`). A live process's temp file, one of this process, or any
 * other file is left alone.
 */
export async function sweepTempFiles(target: string): Promise<void> {
  const prefix = `${basename(target)}.`
  for (const name of await fs.readdir(dirname(target))) {
    if (!name.startsWith(prefix)) continue
    const rest = name.slice(prefix.length)
    const match = /^(?:bak\.|lock\.)?(\d+)-[0-9a-f]{12}\.tmp$/.exec(rest) ?? /^lock\.(\d+)\.tmp$/.exec(rest)
    if (!(match ? processGone(Number(match[1])) : rest === 'bak.tmp')) continue
    // A pid seen from here may be another machine's or container's (a synced or shared folder):
    // a file is only taken for a dead process's once no save could still be writing it.
    const path = join(dirname(target), name)
    const s = await fs.lstat(path).catch(() => null)
    if (s && Date.now() - s.mtimeMs > STALE_TEMP_MS) await fs.rm(path, { force: true })
  }
}

/** fsyncs a folder, so a rename in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(dir, 'r')
    await handle.sync()
  } catch (error) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error
  } finally {
    await handle?.close()
  }
}

/** True only when `pid` is certainly not a running process (and not this one). */
export function processGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
