import { randomBytes } from 'node:crypto'
import { promises as fs, constants } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { KeyholdError } from '../../../src-shared/errors'
import { fileKind, fileSystemError, notAFile } from './fs-errors'

/** Identity of a file version: enough to notice another process replacing or rewriting it. */
export interface FileStamp {
  ino: number
  size: number
  mtimeMs: number
}

const sameStamp = (a: FileStamp | null, b: FileStamp | null) =>
  a === b || (!!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs)

const STALE_LOCK_MS = 30_000
/** Older than any save takes (a 1 GiB vault on a slow disk included): a temp file this old is abandoned. */
const STALE_TEMP_MS = 10 * 60_000

/** The bytes of a new version, in order: one buffer, or pieces produced while it is written. */
export type FileContent = Uint8Array | AsyncIterable<Uint8Array>

/**
 * The vault's file I/O. A save is durable before it resolves: under a `.lock` file that
 * serialises Keyhold processes, the file on disk is checked to be the version this process
 * loaded, the new version goes to a 0600 temp file with a unique name in the vault's folder
 * and is fsynced, the previous file is kept as `<vault>.bak`, the temp file is renamed over
 * the vault and the folder is fsynced so the rename itself survives a power cut. The temp file
 * is removed on any failure.
 *
 * SECURITY: a symlinked vault path is resolved once (realpath), and every file Keyhold makes
 * (temp, lock, backup) is made next to the real file, by exclusive creation that never follows
 * a symlink planted at its name. A folder that other users can write to is refused (unless it
 * is sticky and the vault is ours), as they could plant or swap files there. Every file-system
 * failure is a KeyholdError that names its cause (see fs-errors.ts).
 */
export class VaultFile {
  private resolved: string | null = null

  constructor(readonly path: string) {}

  /** The real vault file (symlinks resolved), or, while there is none, the path as given in its real folder. */
  async realPath(): Promise<string> {
    if (this.resolved) return this.resolved
    try {
      return (this.resolved = await fs.realpath(this.path))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileSystemError(error, { reading: this.path })
    }
    // No file yet: a new vault in a folder that may exist. (A link to nothing stays itself: write() refuses it.)
    if ((await fs.lstat(this.path).catch(() => null))?.isSymbolicLink()) return this.path
    const folder = await fs.realpath(dirname(this.path)).catch(() => null)
    return folder ? join(folder, basename(this.path)) : this.path
  }

  /** Whether there is a vault file; NOT_A_VAULT when the path names a folder, a pipe or a device. */
  async exists(): Promise<boolean> {
    return (await this.stamp()) !== null
  }

  async stamp(): Promise<FileStamp | null> {
    let s
    try {
      s = await fs.stat(this.resolved ?? this.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw fileSystemError(error, { reading: this.path })
    }
    if (!s.isFile()) throw notAFile(this.path, fileKind(s))
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }
  }

  /**
   * Opens the vault file for reading, or null when there is none. SECURITY: without blocking
   * (a named pipe planted at the path would hang the open), and only a regular file is read.
   */
  private async openForReading(): Promise<{ handle: fs.FileHandle; size: number; stamp: FileStamp } | null> {
    let handle: fs.FileHandle
    try {
      handle = await fs.open(await this.realPath(), constants.O_RDONLY | constants.O_NONBLOCK)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw fileSystemError(error, { reading: this.path })
    }
    try {
      const s = await handle.stat()
      if (!s.isFile()) throw notAFile(this.path, fileKind(s))
      return { handle, size: s.size, stamp: { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs } }
    } catch (error) {
      await handle.close()
      throw fileSystemError(error, { reading: this.path })
    }
  }

  /**
   * The whole file and its stamp. `spareFor(size)` bytes more are allocated behind it (not
   * zeroed): room for the caller to grow the contents in place (see Vault.open). `check(head,
   * size)` sees the file's first `headBytes` and its size before the rest is read, and may
   * refuse it (a size that its header does not declare, or that no vault has).
   */
  async read(
    spareFor: (size: number) => number = () => 0,
    check?: { headBytes: number; check(head: Buffer, size: number): void },
  ): Promise<{ bytes: Buffer; stamp: FileStamp }> {
    const opened = await this.openForReading()
    if (!opened)
      throw new KeyholdError('VAULT_NOT_FOUND', `There is no vault at ${this.path}. Create one first (keyhold init), or pass --vault with the right path.`)
    const { handle, size, stamp } = opened
    try {
      let length = 0
      if (check) {
        const head = Buffer.alloc(Math.min(size, check.headBytes))
        length = await readInto(handle, head, 0)
        check.check(head.subarray(0, length), size)
      }
      // One read of the size stat gave (readFile() reads in 512 KiB steps: ~180 round trips to
      // the thread pool for a 90 MB vault). A file written in place meanwhile (Keyhold only
      // ever renames a new one over it) is read again to its end by readFile().
      // A buffer of its own (never a slice of Node's shared pool), so the room behind the file is ours.
      let bytes = Buffer.allocUnsafeSlow(size + spareFor(size))
      length = await readInto(handle, bytes.subarray(0, size), 0)
      if (length !== size || (await handle.read(Buffer.alloc(1), 0, 1, length)).bytesRead > 0) {
        bytes = await handle.readFile()
        length = bytes.length
      }
      return { bytes: bytes.subarray(0, length), stamp }
    } catch (error) {
      throw fileSystemError(error, { reading: this.path })
    } finally {
      await handle.close()
    }
  }

  /** The first `maxBytes` of the file (fewer if it is shorter) and its size, or null when there is no file. */
  async readHead(maxBytes: number): Promise<{ head: Buffer; size: number } | null> {
    const opened = await this.openForReading()
    if (!opened) return null
    try {
      const head = Buffer.alloc(Math.min(maxBytes, opened.size))
      const length = await readInto(opened.handle, head, 0)
      return { head: head.subarray(0, length), size: opened.size }
    } catch (error) {
      throw fileSystemError(error, { reading: this.path })
    } finally {
      await opened.handle.close()
    }
  }

  /**
   * Replaces the vault with `content` if the file on disk is still `expected` (null: must not
   * exist yet). Throws VAULT_CHANGED_ON_DISK otherwise, leaving the file untouched.
   *
   * `content` may be pieces produced while they are written (encrypted step by step), so no
   * copy of the whole file needs to exist in memory. The lock is held from the check to the
   * rename: a save that finds the file changed fails before writing anything, and one that
   * passed the check cannot lose to another Keyhold process. The check is repeated before the
   * rename, for programs that do not take the lock.
   */
  async write(content: FileContent, expected: FileStamp | null, options: { backup?: 'previous' | 'new' } = {}): Promise<FileStamp> {
    // An existing vault's folder exists; only a new vault may need it created.
    if (expected === null)
      await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
        throw fileSystemError(error, { writing: this.path, folder: dirname(this.path) })
      })
    // Like write-file-atomic: through a symlink, the target is replaced, not the link.
    const target = await this.realPath()
    const folder = dirname(target)
    const tmp = tempName(target)
    let renamed = false
    try {
      await checkFolderSafe(folder, target)
      // SECURITY: through a link, the link's folder decided where the vault is: it must be safe too.
      const link = await fs.lstat(this.path).catch(() => null)
      if (link?.isSymbolicLink()) {
        if (target === this.path) throw danglingLink(this.path)
        await checkFolderSafe(dirname(this.path), this.path)
      }
      const release = await this.acquireLock(target)
      try {
        await this.checkUnchanged(expected)
        const written = await writeDurably(tmp, content, await ownerToKeep(target, expected))
        await this.checkUnchanged(expected)
        if (expected) await this.keepBackup(target, options.backup === 'new' ? tmp : null)
        await fs.rename(tmp, target)
        renamed = true
        // The new version is in place: a failure now must not be reported as "nothing changed"
        // (the caller would roll back to a state the disk no longer has). Rare (EIO); the rename
        // is atomic, only its durability across a power cut is then not certain.
        await fsyncDir(folder).catch(() => undefined)
        // rename() keeps the inode, size and mtime: the stamp of the temp file is the vault's.
        return written
      } finally {
        await release()
      }
    } catch (error) {
      throw fileSystemError(error, { writing: this.path, folder })
    } finally {
      if (!renamed) await fs.rm(tmp, { force: true }).catch(() => undefined)
      this.dropOldBackup(target)
      if (!this.swept) {
        this.swept = true
        this.trashing = this.trashing.then(() => sweepTempFiles(target)).catch(() => undefined)
      }
    }
  }

  private async checkUnchanged(expected: FileStamp | null): Promise<void> {
    if (sameStamp(await this.stamp(), expected)) return
    if (expected === null) throw new KeyholdError('VAULT_EXISTS', `A vault already exists at ${this.path}. Unlock it, or choose another path.`)
    throw new KeyholdError(
      'VAULT_CHANGED_ON_DISK',
      'The vault file was changed by another program since Keyhold opened it, so your change was not saved. Lock and unlock to load the latest version, then try again.',
    )
  }

  /**
   * Resolves once the clean-up after the saves so far is done (or failed): the deletion of the
   * backups they replaced and, after the first, of temp files left by killed processes.
   */
  async settled(): Promise<void> {
    await this.trashing
  }

  private trashing: Promise<void> = Promise.resolve()
  private trashPending = false
  private swept = false

  /**
   * The previous version becomes `.bak` by a hard link (a copy where links are not supported).
   * The version it replaces is first linked aside as `.bak.old`, so the rename does not free its
   * blocks (about 1 ms per MB on ext4) while the save waits; that happens after the save.
   *
   * After a re-key (`rekeyed`: the new version's temp file) the `.bak` is a copy of the new
   * version instead, fsynced, and the old `.bak` is dropped by the rename itself, not linked
   * aside: SECURITY: no copy the old keys open stays next to the vault once the save resolves.
   * A copy, not a link, so the backup does not share the vault's blocks.
   */
  private async keepBackup(target: string, rekeyed: string | null): Promise<void> {
    const backup = `${target}.bak`
    const tmp = tempName(backup)
    try {
      if (rekeyed) await copyDurably(rekeyed, tmp)
      else {
        let linked = true
        try {
          await fs.link(target, tmp)
        } catch (error) {
          if (!LINKS_UNSUPPORTED.includes((error as NodeJS.ErrnoException).code ?? '')) throw error
          linked = false
          await copyDurably(target, tmp)
        }
        if (linked) this.trashPending = (await linkAside(backup, `${backup}.old`)) || this.trashPending
      }
      await fs.rename(tmp, backup)
    } finally {
      // Gone after the rename, unless it was a link to the .bak already (rename() then does nothing).
      await fs.rm(tmp, { force: true }).catch(() => undefined)
    }
  }

  private dropOldBackup(target: string): void {
    if (!this.trashPending) return
    this.trashPending = false
    const path = `${target}.bak.old`
    this.trashing = this.trashing.then(() => fs.rm(path, { force: true })).catch(() => undefined)
  }

  private async acquireLock(target: string): Promise<() => Promise<void>> {
    const lockPath = `${target}.lock`
    for (let attempt = 0; attempt < 200; attempt++) {
      // The lock appears with its owner's pid already in it (written aside, then hard-linked
      // into place, which fails if it exists), so a process killed at any point never leaves
      // a lock that cannot be told stale. The file aside has a random name (see tempName).
      const tmp = tempName(lockPath)
      await createExclusive(tmp, String(process.pid))
      try {
        await linkOrCreate(tmp, lockPath)
        return () => fs.rm(lockPath, { force: true })
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        if (await isStaleLock(lockPath)) await fs.rm(lockPath, { force: true })
        else await new Promise((r) => setTimeout(r, 25))
      } finally {
        await fs.rm(tmp, { force: true })
      }
    }
    throw new KeyholdError(
      'VAULT_CHANGED_ON_DISK',
      'Another Keyhold process is saving this vault right now. Your change was not saved; try again in a moment.',
    )
  }
}

/**
 * Links `from` to `to` when `from` exists, replacing a leftover `to` (from a process killed
 * before it deleted it). False when there is nothing to link or links are unsupported.
 */
async function linkAside(from: string, to: string): Promise<boolean> {
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

/** Errors of link() where the file system has no hard links: a copy is made instead. */
const LINKS_UNSUPPORTED = ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']

/**
 * A temp file's name next to `path`: the pid lets a later save tell a temp file of a killed
 * process (see sweepTempFiles); the random part makes the name unguessable, so nobody can
 * plant a file or a symlink there in advance.
 */
const tempName = (path: string) => `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`

/**
 * SECURITY: creates `path` holding `text` (0600). Exclusive creation without following
 * symlinks: it fails rather than write through anything planted at that name.
 */
async function createExclusive(path: string, text: string): Promise<void> {
  const handle = await fs.open(path, EXCLUSIVE, 0o600)
  try {
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}

/** A symlink at the vault path that points to nothing: refused rather than followed or replaced. */
const danglingLink = (path: string) =>
  new KeyholdError(
    'NOT_A_VAULT',
    `${path} is a symbolic link to a file that does not exist. Keyhold did not create a vault through it: give the path where the vault should be, or remove the link.`,
  )

/** O_CREAT | O_EXCL (which never follows a symlink at the name) and O_NOFOLLOW, for every file Keyhold makes. */
const EXCLUSIVE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW

/**
 * SECURITY: refuses a folder other users can write to: they could swap the vault or plant
 * files beside it. A sticky folder (like /tmp) is accepted when the vault is ours (or not yet
 * made), as others cannot rename or delete our files there. Group write counts as others'
 * unless the group is our private one (gid = uid: Debian gives each user a group of their own
 * and umask 002; macOS's shared "staff" group does count).
 * Windows has no such mode bits.
 */
async function checkFolderSafe(folder: string, target: string): Promise<void> {
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

/** Unflushed bytes after which writeDurably starts flushing them while it writes the rest. */
const EARLY_FLUSH_BYTES = 4 << 20

/**
 * Creates `path` exclusively (0600), writes `content` and fsyncs it; returns its stamp. Pieces
 * are written while the next is produced (one write in flight), and every 4 MiB written an
 * fdatasync starts in the background (one at a time), so the disk works while the rest is
 * encrypted instead of all at the final fsync: that halves a 90 MB save. On failure the file
 * is closed; the caller removes it.
 */
async function writeDurably(path: string, content: FileContent, owner: Owner | null): Promise<FileStamp> {
  const handle = await fs.open(path, EXCLUSIVE, 0o600)
  let inFlight: Promise<void> = Promise.resolve()
  let flushing: Promise<void> | null = null
  // Kept, not dropped: after a failed flush, a later fsync may succeed without the lost pages.
  let flushError: unknown = null
  try {
    // The mode given to open() is reduced by the umask; the vault is always exactly 0600.
    await handle.chmod(0o600)
    if (owner) await handle.chown(owner.uid, owner.gid)
    let position = 0
    let flushedTo = 0
    for await (const piece of content instanceof Uint8Array ? [content] : content) {
      await inFlight
      if (!flushing && position - flushedTo >= EARLY_FLUSH_BYTES) {
        flushedTo = position
        flushing = handle.datasync().then(
          () => void (flushing = null),
          (error: unknown) => void ((flushError ??= error), (flushing = null)),
        )
      }
      inFlight = writeAll(handle, piece, position)
      // Its failure is seen at the next await; until then it must not count as unhandled.
      inFlight.catch(() => undefined)
      position += piece.length
    }
    await inFlight
    await flushing
    if (flushError) throw flushError
    await handle.sync()
    const s = await handle.stat()
    return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }
  } finally {
    // Nothing may still be using the handle when it closes.
    await Promise.all([inFlight.catch(() => undefined), flushing])
    await handle.close()
  }
}

interface Owner {
  uid: number
  gid: number
}

/**
 * Like write-file-atomic: run as root (`sudo keyhold ...`), the new version keeps the owner of
 * the one it replaces, or its owner could no longer open it. Anyone else can only create files
 * of their own, so nothing is looked up.
 */
async function ownerToKeep(path: string, expected: FileStamp | null): Promise<Owner | null> {
  if (expected === null || process.getuid?.() !== 0) return null
  const s = await fs.stat(path).catch(() => null)
  return s && { uid: s.uid, gid: s.gid }
}

/** Reads into `buffer` from `position` until it is full or the file ends; the bytes read. */
async function readInto(handle: fs.FileHandle, buffer: Buffer, position: number): Promise<number> {
  let length = 0
  while (length < buffer.length) {
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, position + length)
    if (bytesRead === 0) break
    length += bytesRead
  }
  return length
}

/** write() may write less than asked (a full disk, a signal); the rest is written until done or it fails. */
async function writeAll(handle: fs.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done)
    if (bytesWritten === 0) throw Object.assign(new Error('the disk accepted no more bytes'), { code: 'ENOSPC' })
    done += bytesWritten
  }
}

/** Copies `from` to a new file `to` (created exclusively, 0600) and fsyncs it. */
async function copyDurably(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to, constants.COPYFILE_EXCL)
  const handle = await fs.open(to, constants.O_RDWR | constants.O_NOFOLLOW)
  try {
    await handle.chmod(0o600)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Hard-links `from` to `to` (EEXIST if taken); where links are unsupported, creates `to` exclusively. */
async function linkOrCreate(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to)
  } catch (error) {
    if (!LINKS_UNSUPPORTED.includes((error as NodeJS.ErrnoException).code ?? '')) throw error
    await createExclusive(to, String(process.pid))
  }
}

/** A lock is stale when its process is gone (killed mid-save) or it is older than any save takes. */
async function isStaleLock(lockPath: string): Promise<boolean> {
  // SECURITY: a symlink or a pipe planted as the lock is neither followed nor waited on.
  const [s, text] = await Promise.all([fs.lstat(lockPath).catch(() => null), readSmall(lockPath)])
  if (!s) return false
  if (!s.isFile()) return true
  if (Date.now() - s.mtimeMs > STALE_LOCK_MS) return true
  return processGone(Number(text))
}

/** The first bytes of a small regular file as text, never following a symlink nor blocking on a pipe; '' on failure. */
async function readSmall(path: string): Promise<string> {
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    const buffer = Buffer.alloc(32)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return buffer.subarray(0, bytesRead).toString('utf8')
  } catch {
    return ''
  } finally {
    await handle?.close()
  }
}

/** True only when `pid` is certainly not a running process (and not this one). */
function processGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Deletes the temp files (of the vault, its backup and its lock) of processes that are gone
 * (killed mid-save: a SIGKILL, a crash, a power cut), which would otherwise pile up next to
 * the vault, the vault's as big as it. Also the fixed-name ones earlier versions made
 * (`.bak.tmp`, `.lock.<pid>.tmp`). A live process's temp file, one of this process, or any
 * other file is left alone.
 */
async function sweepTempFiles(target: string): Promise<void> {
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

async function fsyncDir(dir: string): Promise<void> {
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
