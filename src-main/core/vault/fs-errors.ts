import { KeyholdError } from '../../../src-shared/errors'

/** What Keyhold was doing when the file system failed: reading a file, or saving into a folder. */
export type FileAction = { reading: string } | { writing: string; folder: string }

const errnoOf = (error: unknown): string | undefined =>
  error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' ? (error as NodeJS.ErrnoException).code : undefined

/**
 * The KeyholdError for a file-system failure: its cause and what to do, in words, with the
 * file or folder it concerns. Anything that is not an errno error (or is a KeyholdError already)
 * is returned as it is. Every write Keyhold does is to a temp file renamed into place, so a
 * failed save has changed nothing, and the messages say so.
 */
export function fileSystemError(error: unknown, action: FileAction): unknown {
  const code = errnoOf(error)
  if (!code || error instanceof KeyholdError) return error
  const writing = 'writing' in action
  const where = writing ? `the folder ${action.folder}` : action.reading
  const unchanged = writing ? 'Nothing was changed.' : 'Keyhold did not change it.'
  switch (code) {
    case 'ENOSPC':
      return new KeyholdError('DISK_FULL', `The disk that holds ${where} is full, so the change could not be saved. ${unchanged} Free some space on it, then try again.`)
    case 'EDQUOT':
      return new KeyholdError('DISK_FULL', `Your disk quota on ${where} is used up, so the change could not be saved. ${unchanged} Free some space, then try again.`)
    case 'EROFS':
      return new KeyholdError(
        'FILE_ACCESS_DENIED',
        `${capitalise(where)} is on a read-only file system, so Keyhold cannot save there. ${unchanged} Make it writable, or keep the vault in another folder.`,
      )
    case 'EACCES':
    case 'EPERM':
      return writing
        ? new KeyholdError(
            'FILE_ACCESS_DENIED',
            `Keyhold is not allowed to write to ${where}. ${unchanged} Check that you own it or may write to it, or keep the vault in another folder.`,
          )
        : new KeyholdError('FILE_ACCESS_DENIED', `Keyhold is not allowed to read ${where}. Check the file's owner and permissions.`)
    case 'EMFILE':
    case 'ENFILE':
      return new KeyholdError(
        'TOO_MANY_OPEN_FILES',
        `Keyhold could not open a file in ${where}: too many files are open on this computer. ${unchanged} Close some programs, then try again.`,
      )
    case 'EISDIR':
      return notAFile(writing ? action.writing : action.reading, 'a folder')
    case 'ENOTDIR':
      return new KeyholdError('FILE_SYSTEM_ERROR', `Part of the path ${writing ? action.writing : action.reading} is a file, not a folder. Check the path.`)
    case 'ENAMETOOLONG':
      return new KeyholdError('FILE_SYSTEM_ERROR', `The path ${writing ? action.writing : action.reading} is too long for this file system. Use a shorter one.`)
    case 'ELOOP':
      return new KeyholdError('FILE_SYSTEM_ERROR', `The path ${writing ? action.writing : action.reading} is a loop of symbolic links. Check the path.`)
    case 'ENOENT':
      if (writing) return new KeyholdError('FILE_SYSTEM_ERROR', `${capitalise(where)} no longer exists. ${unchanged} Check the vault's path.`)
      return new KeyholdError('FILE_SYSTEM_ERROR', `${action.reading} disappeared while Keyhold was reading it. Check the vault's path, then try again.`)
    default:
      return new KeyholdError(
        'FILE_SYSTEM_ERROR',
        `The file system reported an error (${code}) while Keyhold was ${writing ? 'saving to' : 'reading'} ${where}. ${unchanged} Check the disk, then try again.`,
      )
  }
}

/** The vault path names something other than a regular file: a folder, a named pipe, a device. */
export function notAFile(path: string, kind: string): KeyholdError {
  const what =
    kind === 'a folder'
      ? `${path} is a folder, not a vault file. Give the path of the vault file itself (for example ${path.replace(/[\\/]+$/, '')}/vault.keyhold).`
      : `${path} is ${kind}, not a vault file. Give the path of a vault file.`
  return new KeyholdError('NOT_A_VAULT', `${what} Keyhold did not change anything there.`)
}

/** What a stat says a non-regular file is, for notAFile. */
export function fileKind(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stats.isDirectory()) return 'a folder'
  if (stats.isFIFO()) return 'a named pipe'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  return 'a special file'
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
