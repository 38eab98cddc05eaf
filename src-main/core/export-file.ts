import { lstat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { KeyholdError } from '../../src-shared/errors'
import { fileSystemError } from './vault/fs-errors'

/**
 * Where an export goes (`secret export --out`, `audit export --out`, `inject -o`, the Export
 * buttons): checked before anything is asked or read, then written in one step. SECURITY: such
 * a file may hold every client secret, so it is created readable by its owner only (0600),
 * written atomically (a crash leaves the old file or the new one, never half of it), and an
 * existing file is replaced only with --force.
 */

/** CONFLICT for an existing FILE without --force; INVALID_INPUT for a folder. Nothing is written. */
export async function checkExportFile(out: string, force: boolean): Promise<void> {
  const stats = await lstat(out).catch(() => undefined)
  if (stats?.isDirectory()) throw new KeyholdError('INVALID_INPUT', `${out} is a folder. Give the path of the file to write.`)
  if (stats && !force) throw new KeyholdError('CONFLICT', `${out} already exists. Choose another file, or add --force to replace it.`)
  const folder = await lstat(dirname(out)).catch(() => undefined)
  if (!folder) throw new KeyholdError('INVALID_INPUT', `The folder ${dirname(out)} does not exist. Create it, or choose another path. Nothing was written.`)
}

/** Writes `text` to `out`, mode 0600, atomically. */
export async function writeExportFile(out: string, text: string): Promise<void> {
  // write-file-atomic loads here, on the one path that writes a file of its own.
  const { default: writeFileAtomic } = await import('write-file-atomic')
  await writeFileAtomic(out, text, { mode: 0o600 }).catch((error: unknown) => {
    throw fileSystemError(error, { writing: out, folder: dirname(out) })
  })
}
