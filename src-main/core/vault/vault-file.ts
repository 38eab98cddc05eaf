import { promises as fs, constants } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { KeyholdError } from '../../../src-shared/errors'
import { acquireLock } from './file-lock'
import { fileKind, fileSystemError, notAFile } from './fs-errors'
import { checkFolderSafe, copyDurably, EXCLUSIVE, fsyncDir, LINKS_UNSUPPORTED, linkAside, sweepTempFiles, tempName } from './safe-files'

/** Identity of a file version: enough to notice another process replacing or rewriting it. */
export interface FileStamp {
  ino: number
  size: number
  mtimeMs: number
}

export const sameStamp = (a: FileStamp | null, b: FileStamp | null) =>
  a === b || (!!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs)


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
   * The file (or its first part) and its stamp. `spareFor(length)` bytes more are allocated
   * behind it (not zeroed): room for the caller to grow the contents in place (see Vault.open).
   * `check(head, size)` sees the file's first `headBytes` and its size before the rest is read,
   * and may refuse it (a size that its header does not declare, or that no vault has), or say
   * how many bytes to read (the image without the catalog after it); else the whole file is.
   */
  async read(
    spareFor: (size: number) => number = () => 0,
    check?: { headBytes: number; check(head: Buffer, size: number): number | void },
  ): Promise<{ bytes: Buffer; stamp: FileStamp }> {
    const opened = await this.openForReading()
    if (!opened)
      throw new KeyholdError('VAULT_NOT_FOUND', `There is no vault at ${this.path}. Create one first (keyhold init), or pass --vault with the right path.`)
    const { handle, size, stamp } = opened
    try {
      let length = 0
      let wanted = size
      if (check) {
        const head = Buffer.alloc(Math.min(size, check.headBytes))
        length = await readInto(handle, head, 0)
        const part = check.check(head.subarray(0, length), size)
        if (typeof part === 'number' && part < size) wanted = part
      }
      // One read of the size stat gave (readFile() reads in 512 KiB steps, a round trip to the
      // thread pool each). A file written in place meanwhile (Keyhold only
      // ever renames a new one over it) is read again to its end by readFile().
      // A buffer of its own (never a slice of Node's shared pool), so the room behind the file is ours.
      let bytes = Buffer.allocUnsafeSlow(wanted + spareFor(wanted))
      length = await readInto(handle, bytes.subarray(0, wanted), 0)
      if (wanted < size ? length !== wanted : length !== size || (await handle.read(Buffer.alloc(1), 0, 1, length)).bytesRead > 0) {
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
      const release = await acquireLock(target)
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
   * blocks while the save waits; that happens after the save.
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
}

/** A symlink at the vault path that points to nothing: refused rather than followed or replaced. */
const danglingLink = (path: string) =>
  new KeyholdError(
    'NOT_A_VAULT',
    `${path} is a symbolic link to a file that does not exist. Keyhold did not create a vault through it: give the path where the vault should be, or remove the link.`,
  )

/** Unflushed bytes after which writeDurably starts flushing them while it writes the rest. */
const EARLY_FLUSH_BYTES = 4 << 20

/**
 * Creates `path` exclusively (0600), writes `content` and fsyncs it; returns its stamp. Pieces
 * are written while the next is produced (one write in flight), and every 4 MiB written an
 * fdatasync starts in the background (one at a time), so the disk works while the rest is
 * encrypted instead of all at the final fsync. On failure the file
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
