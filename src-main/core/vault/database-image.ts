import { KeyholdError } from '../../../src-shared/errors'
import { openDatabase, schemaVersion, transaction, type Database } from './database'

/**
 * What a save encrypts: the database's bytes at this moment.
 * - `live`: a view of the database's own file (no copy). It must not change until `release()`,
 *   so it is encrypted into new buffers (sealCopy), and changes wait for the save to end.
 * - not `live`: a copy exported for this save, the caller's to encrypt in place (sealInPlace).
 *   `release(sealed)` wipes it unless it was sealed whole (then it holds ciphertext only).
 */
export interface Snapshot {
  bytes: Uint8Array
  live: boolean
  release(sealed: boolean): void
}

/**
 * The vault's decrypted sql.js database and the buffer it was opened on, and the single owner
 * of wiping them. sql.js takes a Node Buffer as its in-memory file without copying it (its
 * MEMFS "copies" with slice(), which for a Buffer is a view), and SQLite writes each commit
 * into it, new pages into the room behind the file (see withRoom). Kept from writing past that
 * room (PRAGMA max_page_count), sql.js never moves the file to a buffer of its own, so a save
 * encrypts the file where it is. A change that needs more room fails with SQLITE_FULL before
 * anything is written past it: the limit is lifted and the change runs again, the file grows
 * into a buffer of sql.js's own, and saves export a copy from then on.
 *
 * SECURITY: the buffer holds plaintext. It is wiped when the database is dropped (close), as
 * soon as the file has outgrown it (a stale copy), or when it is refused at open; a close
 * during a save that reads it waits for that save to end.
 */
export class DatabaseImage {
  /** Whether `image` is still the database's file (see apply). */
  private imageIsFile = true
  /** A live snapshot is out: a close meanwhile leaves dropping the database to its release. */
  private reading = false
  private closing = false

  private constructor(
    private readonly database: Database,
    /** The decrypted image sql.js was opened on, until it is wiped; null for a new database. */
    private image: Buffer | null,
  ) {
    this.keepInImage()
  }

  /** A new, empty database (a new vault). Its saves export a copy. */
  static async create(): Promise<DatabaseImage> {
    return new DatabaseImage(await openDatabase(), null)
  }

  /**
   * Opens a decrypted image, giving it the room behind it to grow into (see withRoom). The
   * image becomes the database's only copy; if sql.js refuses it, it is wiped here.
   */
  static async open(decrypted: Buffer): Promise<DatabaseImage> {
    const image = withRoom(decrypted)
    try {
      return new DatabaseImage(await openDatabase(image), image)
    } catch (error) {
      image.fill(0)
      throw error
    }
  }

  /** The open database; VAULT_LOCKED once closed. */
  get db(): Database {
    if (this.closing) throw new KeyholdError('VAULT_LOCKED', 'The vault is locked. Unlock it to continue.')
    return this.database
  }

  get schemaVersion(): number {
    return schemaVersion(this.db)
  }

  /**
   * Runs `change` in a transaction. Past the image's room it fails with SQLITE_FULL before
   * writing anything: then the limit is lifted and `change` runs again (changes are re-runnable).
   */
  apply<T>(change: (db: Database) => T): T {
    try {
      return transaction(this.db, change)
    } catch (error) {
      if (!this.image || !this.imageIsFile || !isDatabaseFull(error)) throw error
      this.database.run(`PRAGMA max_page_count = ${NO_PAGE_LIMIT}`)
      this.imageIsFile = false
      return transaction(this.db, change)
    }
  }

  /**
   * The bytes a save encrypts (see Snapshot). While the image is still the database's file,
   * its pages in use, with no copy; else a copy from `export()`, made in one piece, the slow
   * path. export() backs up into a connection of its own, so this connection's
   * pragmas (secure_delete, foreign_keys) stay as they are.
   */
  snapshot(): Snapshot {
    const live = this.liveImage()
    if (live) {
      this.reading = true
      return {
        bytes: live,
        live: true,
        release: () => {
          this.reading = false
          // Closed while this save read the image: it was left for now.
          if (this.closing) this.drop()
        },
      }
    }
    const copy = this.db.export()
    return { bytes: copy, live: false, release: (sealed) => void (sealed || copy.fill(0)) }
  }

  /** Drops the database and wipes the image, now or, during a save that reads it, once that save ends. Idempotent. */
  close(): void {
    if (this.closing) return
    this.closing = true
    if (!this.reading) this.drop()
  }

  private drop(): void {
    this.database.close()
    // SECURITY: the plaintext image would otherwise stay in freed memory after a lock. Once the
    // file has outgrown it (see liveImage), sql.js's own buffer is not ours to wipe.
    this.forgetImage()
  }

  /**
   * The database's pages in the image, while that is still its file; else null. Once the file
   * has outgrown the image, the image is a stale plaintext copy: wiped here and forgotten.
   */
  private liveImage(): Buffer | null {
    if (!this.image) return null
    const { bytes } = this.pages()
    if (bytes > this.image.length) {
      this.forgetImage()
      return null
    }
    return this.imageIsFile ? this.image.subarray(0, bytes) : null
  }

  /** The database's page size and size in bytes (its pages in use, not the room behind them). */
  private pages(): { size: number; bytes: number } {
    const [count, size] = this.database.exec('PRAGMA page_count; PRAGMA page_size').map((r) => Number(r.values[0]?.[0]))
    return { size: size!, bytes: count! * size! }
  }

  /** SECURITY: wipes the plaintext the image holds and lets it go (closed, or no longer the file). */
  private forgetImage(): void {
    this.image?.fill(0)
    this.image = null
  }

  /**
   * Keeps SQLite from writing past the image (PRAGMA max_page_count): sql.js's file system
   * never moves or cuts the file then, whatever a statement does before it fails or is rolled
   * back, so the image stays the file for as long as it is kept. If the file has grown past it
   * already (a migration at open), it is forgotten instead.
   */
  private keepInImage(): void {
    if (!this.image) return
    const { size, bytes } = this.pages()
    if (bytes > this.image.length) this.forgetImage()
    else this.database.run(`PRAGMA max_page_count = ${Math.floor(this.image.length / size)}`)
  }
}

/** Room read behind a vault file for its database to grow into: an eighth of it, at least 1 MiB. */
export const roomFor = (fileSize: number): number => Math.max(1 << 20, fileSize >> 3)

/** Larger than any vault: lifts PRAGMA max_page_count (SQLite caps it at its own maximum). */
const NO_PAGE_LIMIT = 4294967294

/** SQLITE_FULL, as sql.js reports it: here, the database needed more pages than its image has room for. */
const isDatabaseFull = (error: unknown) => error instanceof Error && /database or disk is full/.test(error.message)

/**
 * The decrypted image with the room behind it (see roomFor) added as zeroed pages, so SQLite
 * writes the pages a vault gains in place instead of sql.js moving the file to a new buffer.
 * SQLite keeps the database's size in its header and ignores pages of the file past it (a file
 * longer than its database is normal for it), never cuts the file down without auto-vacuum,
 * and a save writes only the database's pages. An image whose header size is not trusted
 * (written by SQLite before 3.7.0) gets none.
 */
function withRoom(image: Buffer): Buffer {
  // Never a view into Node's shared pool of small buffers: only room of a buffer of its own.
  if (image.length < 100 || image.buffer.byteLength <= Buffer.poolSize) return image
  const pageSize = image.readUInt16BE(16) === 1 ? 65536 : image.readUInt16BE(16)
  const headerSizeValid = image.readUInt32BE(24) === image.readUInt32BE(92) && image.readUInt32BE(28) * pageSize === image.length
  const capacity = image.buffer.byteLength - image.byteOffset
  const room = Math.floor((capacity - image.length) / pageSize) * pageSize
  if (!headerSizeValid || pageSize < 512 || room <= 0) return image
  const roomy = Buffer.from(image.buffer, image.byteOffset, image.length + room)
  roomy.fill(0, image.length)
  return roomy
}
