import { promises as fs, constants } from 'node:fs'
import { KeyholdError } from '../../../src-shared/errors'
import { createExclusive, LINKS_UNSUPPORTED, processGone, tempName } from './safe-files'

/** Older than any save takes: a lock this old is a leftover. */
const STALE_LOCK_MS = 30_000

/**
 * Takes `<target>.lock`, which serialises the saves of Keyhold processes, and returns its
 * release. VAULT_CHANGED_ON_DISK when another process holds it for longer than a save takes.
 */
export async function acquireLock(target: string): Promise<() => Promise<void>> {
  const lockPath = `${target}.lock`
  for (let attempt = 0; attempt < 200; attempt++) {
    // The lock appears with its owner's pid already in it (written aside, then hard-linked
    // into place, which fails if it exists), so a process killed at any point never leaves
    // a lock that cannot be told stale. The file aside has a random name (see tempName).
    const tmp = tempName(lockPath)
    await createExclusive(tmp, String(process.pid))
    try {
      await linkOrCreate(tmp, lockPath)
      const token = Symbol(lockPath)
      held.set(lockPath, token)
      return async () => {
        // Held until the file is gone: meanwhile another waiter here must not take it for a leftover.
        await fs.rm(lockPath, { force: true })
        if (held.get(lockPath) === token) held.delete(lockPath)
      }
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

/** Hard-links `from` to `to` (EEXIST if taken); where links are unsupported, creates `to` exclusively. */
async function linkOrCreate(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to)
  } catch (error) {
    if (!LINKS_UNSUPPORTED.includes((error as NodeJS.ErrnoException).code ?? '')) throw error
    await createExclusive(to, String(process.pid))
  }
}

/** The locks this process holds: one naming this process's id that is not among them was left by an earlier process with the same id. */
const held = new Map<string, symbol>()
const OWN_PID_MARGIN_MS = 2_000

/**
 * A lock is stale when its process is gone (killed mid-save), it is older than any save takes,
 * or it names this process without being held here (a container's commands often all run as
 * the same pid, so a killed one's lock names the next one's pid).
 */
async function isStaleLock(lockPath: string): Promise<boolean> {
  // SECURITY: a symlink or a pipe planted as the lock is neither followed nor waited on.
  const [s, text] = await Promise.all([fs.lstat(lockPath).catch(() => null), readSmall(lockPath)])
  if (!s) return false
  if (!s.isFile()) return true
  if (Date.now() - s.mtimeMs > STALE_LOCK_MS) return true
  // Made before this process started (with a margin for coarse file times): not one of this process's own, which may be mid-release.
  if (Number(text) === process.pid) return !held.has(lockPath) && s.mtimeMs < performance.timeOrigin - OWN_PID_MARGIN_MS
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
