import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { PREAMBLE_MAX_BYTES, readPreamble, VAULT_ID_PATTERN } from './preamble'

/**
 * Only the id of the vault at `path` (the name of its agent's socket and facts), or null when
 * there is no readable vault file with a valid id; the header's other fields are not checked
 * (Vault.peek reads the whole header). For the terminal's fast path (terminal-route.ts), which
 * must not load the schema library, and reads synchronously: it reads three small files, and
 * an asynchronous read first starts Node's thread pool and loads fs/promises (~6 ms of a cold
 * command). What it learns is used only to find an agent, which is then asked for this very
 * file (route()'s path check).
 */
export function peekVaultId(path: string): string | null {
  let fd: number
  try {
    // Not blocked by a FIFO given as the vault; only a regular file is read.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch {
    return null
  }
  try {
    if (!fstatSync(fd).isFile()) return null
    const head = Buffer.alloc(PREAMBLE_MAX_BYTES)
    let length = 0
    while (length < head.length) {
      const read = readSync(fd, head, length, head.length - length, length)
      if (read === 0) break
      length += read
    }
    const id = (readPreamble(head.subarray(0, length)).json as { vaultId?: unknown } | null)?.vaultId
    return typeof id === 'string' && VAULT_ID_PATTERN.test(id) ? id : null
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}
