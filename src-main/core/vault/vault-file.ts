import { promises as fs, constants } from 'node:fs'
import { dirname } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
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

/**
 * The vault's file I/O. A save is durable before it resolves: the previous file is kept as
 * `<vault>.bak`, the new image goes to a 0600 temp file in the same folder, is fsynced and
 * renamed over the vault (write-file-atomic), then the folder is fsynced so the rename
 * itself survives a power cut. A `.lock` file serialises Keyhold processes during the
 * check-and-write, and the check refuses to overwrite a version this process never loaded.
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
  async read(path = this.path): Promise<{ bytes: Buffer; stamp: FileStamp }> {
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
      const bytes = await handle.readFile()
      return { bytes, stamp: { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs } }
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
   * Replaces the vault with `bytes` if the file on disk is still `expected` (null: must not
   * exist yet). Throws VAULT_CHANGED_ON_DISK otherwise, leaving the file untouched.
   */
  async write(bytes: Uint8Array, expected: FileStamp | null): Promise<FileStamp> {
    await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    const release = await this.acquireLock()
    try {
      const current = await this.stamp()
      if (!sameStamp(current, expected)) {
        if (expected === null)
          throw new KeyholdError('VAULT_EXISTS', `A vault already exists at ${this.path}. Unlock it, or choose another path.`)
        throw new KeyholdError(
          'VAULT_CHANGED_ON_DISK',
          'The vault file was changed by another program since Keyhold opened it, so your change was not saved. Lock and unlock to load the latest version, then try again.',
        )
      }
      if (current) await this.keepBackup()
      await writeFileAtomic(this.path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { mode: 0o600, fsync: true })
      await fsyncDir(dirname(this.path))
      const written = await this.stamp()
      if (!written) throw new Error('vault vanished after write')
      return written
    } finally {
      await release()
    }
  }

  /** The previous version becomes `.bak` by a hard link (a copy where links are not supported). */
  private async keepBackup(): Promise<void> {
    const tmp = `${this.backupPath}.tmp`
    await fs.rm(tmp, { force: true })
    try {
      await fs.link(this.path, tmp)
    } catch {
      await fs.copyFile(this.path, tmp)
      await fs.chmod(tmp, 0o600)
    }
    await fs.rename(tmp, this.backupPath)
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
  const pid = Number(text)
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
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
