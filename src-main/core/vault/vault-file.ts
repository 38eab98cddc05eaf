import { randomBytes } from 'node:crypto'
import { promises as fs, constants } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { KeyholdError } from '../../../src-shared/errors'

/** Identity of a file version: enough to notice another process replacing or rewriting it. */
export interface FileStamp {
  ino: number
  size: number
  mtimeMs: number
}

const sameStamp = (a: FileStamp | null, b: FileStamp | null) =>
  a === b || (!!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs)

const STALE_LOCK_MS = 30_000

/** The bytes of a new version, in order: one buffer, or pieces produced while it is written. */
export type FileContent = Uint8Array | AsyncIterable<Uint8Array>

/**
 * The vault's file I/O. A save is durable before it resolves: under a `.lock` file that
 * serialises Keyhold processes, the file on disk is checked to be the version this process
 * loaded, the new version goes to a 0600 temp file with a unique name in the vault's folder
 * (through a symlinked vault path, the target's folder) and is fsynced, the previous file is
 * kept as `<vault>.bak`, the temp file is renamed over the vault and the folder is fsynced so
 * the rename itself survives a power cut. The temp file is removed on any failure.
 */
export class VaultFile {
  constructor(readonly path: string) {}

  get backupPath(): string {
    return `${this.path}.bak`
  }

  async exists(): Promise<boolean> {
    return (await this.stamp()) !== null
  }

  async stamp(): Promise<FileStamp | null> {
    try {
      const s = await fs.stat(this.path)
      return { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  /** Reads the file and the stamp of exactly the bytes read. */
  /**
   * The whole file and its stamp. `spareFor(size)` bytes more are allocated behind it (not
   * zeroed): room for the caller to grow the contents in place (see Vault.open).
   */
  async read(spareFor: (size: number) => number = () => 0): Promise<{ bytes: Buffer; stamp: FileStamp }> {
    const path = this.path
    let handle: fs.FileHandle
    try {
      handle = await fs.open(path, 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new KeyholdError('VAULT_NOT_FOUND', `There is no vault at ${path}. Create one first (keyhold init), or pass --vault with the right path.`)
      throw error
    }
    try {
      const s = await handle.stat()
      // One read of the size stat gave (readFile() reads in 512 KiB steps: ~180 round trips to
      // the thread pool for a 90 MB vault). A file written in place meanwhile (Keyhold only
      // ever renames a new one over it) is read again to its end by readFile().
      // A buffer of its own (never a slice of Node's shared pool), so the room behind the file is ours.
      let bytes = Buffer.allocUnsafeSlow(s.size + spareFor(s.size))
      let length = 0
      while (length < s.size) {
        const { bytesRead } = await handle.read(bytes, length, s.size - length, length)
        if (bytesRead === 0) break
        length += bytesRead
      }
      if (length !== s.size || (await handle.read(Buffer.alloc(1), 0, 1, length)).bytesRead > 0) {
        bytes = await handle.readFile()
        length = bytes.length
      }
      return { bytes: bytes.subarray(0, length), stamp: { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs } }
    } finally {
      await handle.close()
    }
  }

  /** The first `maxBytes` of the file (fewer if it is shorter), or null when there is no file. */
  async readHead(maxBytes: number): Promise<Buffer | null> {
    let handle: fs.FileHandle
    try {
      handle = await fs.open(this.path, 'r')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    try {
      const buffer = Buffer.alloc(maxBytes)
      const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0)
      return buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
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
  async write(content: FileContent, expected: FileStamp | null): Promise<FileStamp> {
    // An existing vault's folder exists; only a new vault may need it created.
    if (expected === null) await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    // Like write-file-atomic: through a symlink, the target is replaced, not the link.
    const target = await fs.realpath(this.path).catch(() => this.path)
    // The pid in the name lets a later save tell a temp file of a killed process (see sweepTempFiles).
    const tmp = `${target}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`
    let renamed = false
    try {
      const release = await this.acquireLock()
      try {
        await this.checkUnchanged(expected)
        const written = await writeDurably(tmp, content, await ownerToKeep(target, expected))
        await this.checkUnchanged(expected)
        if (expected) await this.keepBackup()
        await fs.rename(tmp, target)
        renamed = true
        await fsyncDir(dirname(target))
        // rename() keeps the inode, size and mtime: the stamp of the temp file is the vault's.
        return written
      } finally {
        await release()
      }
    } finally {
      if (!renamed) await fs.rm(tmp, { force: true }).catch(() => undefined)
      this.dropOldBackup()
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
   * The version it replaces is first linked aside as `.bak.old`, so the rename does not free
   * its blocks (about 1 ms per MB on ext4) while the save waits; that happens after the save.
   */
  private async keepBackup(): Promise<void> {
    const tmp = `${this.backupPath}.tmp`
    await fs.rm(tmp, { force: true })
    let linked = true
    try {
      await fs.link(this.path, tmp)
    } catch {
      linked = false
      await fs.copyFile(this.path, tmp)
      await fs.chmod(tmp, 0o600)
    }
    if (linked) this.trashPending = (await linkAside(this.backupPath, this.oldBackupPath)) || this.trashPending
    await fs.rename(tmp, this.backupPath)
  }

  private get oldBackupPath(): string {
    return `${this.backupPath}.old`
  }

  private dropOldBackup(): void {
    if (!this.trashPending) return
    this.trashPending = false
    const path = this.oldBackupPath
    this.trashing = this.trashing.then(() => fs.rm(path, { force: true })).catch(() => undefined)
  }

  private async acquireLock(): Promise<() => Promise<void>> {
    const lockPath = `${this.path}.lock`
    for (let attempt = 0; attempt < 200; attempt++) {
      // The lock appears with its owner's pid already in it (written aside, then hard-linked
      // into place, which fails if it exists), so a process killed at any point never leaves
      // a lock that cannot be told stale.
      const tmp = `${lockPath}.${process.pid}.tmp`
      await fs.writeFile(tmp, String(process.pid), { mode: 0o600 })
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
  const handle = await fs.open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)
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

/** write() may write less than asked (a full disk, a signal); the rest is written until done or it fails. */
async function writeAll(handle: fs.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done)
    if (bytesWritten === 0) throw new Error('the disk accepted no more bytes')
    done += bytesWritten
  }
}

/** Hard-links `from` to `to` (EEXIST if taken); where links are unsupported, creates `to` exclusively. */
async function linkOrCreate(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to)
  } catch (error) {
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error
    const handle = await fs.open(to, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600)
    await handle.writeFile(String(process.pid))
    await handle.close()
  }
}

/** A lock is stale when its process is gone (killed mid-save) or it is older than any save takes. */
async function isStaleLock(lockPath: string): Promise<boolean> {
  const [s, text] = await Promise.all([fs.stat(lockPath).catch(() => null), fs.readFile(lockPath, 'utf8').catch(() => '')])
  if (!s) return false
  if (Date.now() - s.mtimeMs > STALE_LOCK_MS) return true
  return processGone(Number(text))
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
 * Deletes the temp files of saves whose process is gone (killed mid-save: a SIGKILL, a crash, a
 * power cut), which would otherwise stay next to the vault, as big as it. A live process's temp
 * file, one of this process, or any other file is left alone.
 */
async function sweepTempFiles(target: string): Promise<void> {
  const prefix = `${basename(target)}.`
  for (const name of await fs.readdir(dirname(target))) {
    if (!name.startsWith(prefix)) continue
    const match = /^(\d+)-[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length))
    if (match && processGone(Number(match[1]))) await fs.rm(join(dirname(target), name), { force: true })
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
