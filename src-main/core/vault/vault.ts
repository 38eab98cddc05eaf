import { randomBytes } from 'node:crypto'
import { KeyholdError } from '../../../src-shared/errors'
import type { KdfParams, VaultInfo } from '../../../src-shared/types/vault'
import { deriveKey, open, openInPlace, randomKey, seal, sealCopy, sealInPlace, NONCE_BYTES } from './crypto'
import { openDatabase, preloadSqlJs, schemaVersion, transaction, type Database } from './database'
import {
  decodeHead,
  decodePreamble,
  decodeVault,
  encodePreamble,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  PREAMBLE_MAX_BYTES,
  type KeySlot,
  type VaultHeader,
} from './format'
import { checkKdfParams } from './kdf'
import { VaultFile, type FileStamp } from './vault-file'

interface PendingMutation {
  fn: (db: Database) => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** How a vault is opened: by master password, or by the device key from the OS keychain. */
export type Unlocker = { password: string } | { deviceKey: Buffer }

const slotAad = (vaultId: string, type: KeySlot['type']) => Buffer.from(`keyhold-slot:${type}:${vaultId}`, 'utf8')

function wrapSlot(type: KeySlot['type'], vaultId: string, wrappingKey: Buffer, dataKey: Buffer): KeySlot {
  const { nonce, sealed } = seal(wrappingKey, dataKey, slotAad(vaultId, type))
  return { type, nonce, wrapped: sealed }
}

const wrongPassword = () =>
  new KeyholdError('WRONG_PASSWORD', 'That master password is not correct. Check Caps Lock and the keyboard layout, and try again.')

/**
 * An unlocked vault: the decrypted sql.js database and the data key, in memory only.
 * Every mutation runs in a transaction and resolves only once the new file is durable;
 * if another process replaced the file meanwhile, the change is re-applied on top of its
 * version, so no writer's change is silently lost. `close()` drops the database and wipes
 * the keys.
 */
export class Vault {
  private closed = false
  /** A save is reading the live image: a close meanwhile leaves dropping the database to it. */
  private savingLive = false
  /**
   * Whether `image` is still the database's file (SQLite kept inside it, see keepInImage).
   * Once the limit is lifted (see apply) it may not be, and saves export a copy; the image is
   * still ours to wipe, on close or as soon as the file outgrows it (see liveImage).
   */
  private imageIsFile = true
  private saving: Promise<unknown> = Promise.resolve()
  private readonly pending: PendingMutation[] = []

  private constructor(
    private readonly file: VaultFile,
    private header: VaultHeader,
    private dataKey: Buffer,
    private database: Database,
    /** null until the first save of a new vault: the file must not exist yet. */
    private stamp: FileStamp | null,
    /** The decrypted image sql.js was opened on (its file, until it outgrows it): wiped on close. */
    private image: Buffer | null = null,
  ) {
    this.keepInImage()
  }

  /** Creates a new vault file; fails with VAULT_EXISTS rather than overwrite one. */
  static async create(path: string, password: string, kdf: KdfParams): Promise<Vault> {
    checkKdfParams(kdf, 'request')
    const file = new VaultFile(path)
    if (await file.exists()) throw new KeyholdError('VAULT_EXISTS', `A vault already exists at ${path}. Unlock it, or choose another path.`)
    const vaultId = randomBytes(10).toString('hex')
    const salt = randomBytes(16)
    const dataKey = randomKey()
    const kek = await deriveKey(password, salt, kdf)
    const header: VaultHeader = {
      vaultId,
      kdf,
      salt,
      slots: [wrapSlot('password', vaultId, kek, dataKey)],
      payloadNonce: Buffer.alloc(NONCE_BYTES),
    }
    kek.fill(0)
    const vault = new Vault(file, header, dataKey, await openDatabase(), null)
    try {
      await vault.save()
    } catch (error) {
      vault.close()
      throw error
    }
    return vault
  }

  /**
   * Opens a vault. The file on disk is only read, whatever goes wrong. The key is unwrapped
   * (the KDF, for a password) from the header while the rest of the file is read and sql.js
   * loads; if the file was replaced in between, from the header read with the rest.
   */
  static async open(path: string, unlocker: Unlocker): Promise<Vault> {
    const file = new VaultFile(path)
    // No file: read() says VAULT_NOT_FOUND (or, if it appeared meanwhile, gives it whole).
    let found = await file.readHead(PREAMBLE_MAX_BYTES)
    if (!found) {
      const { bytes } = await file.read(undefined, HEAD_CHECK)
      found = { head: bytes, size: bytes.length }
    }
    const { head, size } = found
    // The header and the file's size are checked before the KDF runs and before the body is read.
    const unwrapping = Vault.unwrapDataKey(decodeHead(head, size, path).header, unlocker)
    // Handled below; this keeps a quick failure (a wrong device key) from counting as unhandled meanwhile.
    unwrapping.catch(() => undefined)
    preloadSqlJs()
    const { header, preamble, ciphertext, stamp } = await file
      .read(roomFor, HEAD_CHECK)
      .then(({ bytes, stamp }) => ({ ...decodeVault(bytes), stamp }))
      .catch(async (error) => {
        ;(await unwrapping.catch(() => null))?.fill(0)
        throw error
      })
    // Replaced in between (its password may have changed): the key comes from the header read with the rest.
    let dataKey: Buffer
    if (preamble.equals(head.subarray(0, preamble.length))) dataKey = await unwrapping
    else {
      ;(await unwrapping.catch(() => null))?.fill(0)
      dataKey = await Vault.unwrapDataKey(header, unlocker)
    }
    try {
      const image = withRoom(openInPlace(dataKey, header.payloadNonce, ciphertext, preamble))
      if (!image)
        throw new KeyholdError(
          'VAULT_CORRUPT',
          'The vault file is damaged (its contents fail their integrity check). Keyhold did not change it; restore it from its .bak copy or a backup.',
        )
      const db = await openImage(image).catch((error) => {
        if (error instanceof KeyholdError) throw error
        throw new KeyholdError('VAULT_CORRUPT', 'The vault decrypts but its database is unreadable. Keyhold did not change it; restore it from its .bak copy or a backup.')
      })
      return new Vault(file, header, dataKey, db, stamp, image)
    } catch (error) {
      dataKey.fill(0)
      throw error
    }
  }

  /** Reads only the header (a few KiB at most): no key, no KDF. For status and device unlock. */
  static async peek(path: string): Promise<VaultHeader | null> {
    const found = await new VaultFile(path).readHead(PREAMBLE_MAX_BYTES)
    return found && decodePreamble(found.head).header
  }

  private static async unwrapDataKey(header: VaultHeader, unlocker: Unlocker): Promise<Buffer> {
    if ('password' in unlocker) {
      const slot = header.slots.find((s) => s.type === 'password')!
      const kek = await deriveKey(unlocker.password, header.salt, header.kdf)
      const key = open(kek, slot.nonce, slot.wrapped, slotAad(header.vaultId, 'password'))
      kek.fill(0)
      if (!key) throw wrongPassword()
      return key
    }
    const slot = header.slots.find((s) => s.type === 'device')
    const key = slot && open(unlocker.deviceKey, slot.nonce, slot.wrapped, slotAad(header.vaultId, 'device'))
    if (!key)
      throw new KeyholdError('KEYCHAIN_UNAVAILABLE', 'This device is no longer remembered for this vault. Unlock with your master password.')
    return key
  }

  get id(): string {
    return this.header.vaultId
  }

  get path(): string {
    return this.file.path
  }

  get hasDeviceSlot(): boolean {
    return this.header.slots.some((s) => s.type === 'device')
  }

  /** Read access to the database. Throws VAULT_LOCKED once closed. */
  read<T>(fn: (db: Database) => T): T {
    return fn(this.db)
  }

  /**
   * Applies `fn` in a transaction and saves durably before resolving. `fn` must be
   * re-runnable: when another process changed the file, it is re-applied to that version.
   * On any failure the in-memory database is the file's last durable state.
   *
   * Group commit: mutations that arrive while a save is running are applied together (each
   * in its own savepoint, so one that throws rejects alone) and written by one save. A burst
   * of edits thus costs two saves, not one per edit; each still resolves only once durable.
   */
  mutate<T>(fn: (db: Database) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject })
      if (this.pending.length > 1) return
      const next = this.saving.then(() => this.commit(this.pending.splice(0)))
      this.saving = next.catch(() => undefined)
    })
  }

  /** Resolves once every mutation and header change asked for so far is saved (or failed). */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await this.saving
    await this.saving
    await this.file.settled()
  }

  private async commit(batch: PendingMutation[], attempt = 0): Promise<void> {
    const applied: Array<{ mutation: PendingMutation; result: unknown }> = []
    for (const mutation of batch) {
      try {
        applied.push({ mutation, result: this.apply(mutation.fn) })
      } catch (error) {
        mutation.reject(error)
      }
    }
    if (applied.length === 0) return
    try {
      await this.save()
    } catch (error) {
      if (!this.closed) await this.reloadFromDisk().catch(() => this.close())
      if (error instanceof KeyholdError && error.code === 'VAULT_CHANGED_ON_DISK' && attempt < 3 && !this.closed)
        return this.commit(
          applied.map((a) => a.mutation),
          attempt + 1,
        )
      for (const { mutation } of applied) mutation.reject(error)
      return
    }
    for (const { mutation, result } of applied) mutation.resolve(result)
  }

  /**
   * Runs `fn` in a transaction. While the database is kept inside the image (see keepInImage),
   * a change that needs more pages than its room fails with SQLITE_FULL before anything is
   * written past it: then the limit is lifted and `fn` runs again (mutations are re-runnable);
   * the file grows into a buffer of sql.js's own, and saves export a copy from then on.
   */
  private apply(fn: (db: Database) => unknown): unknown {
    try {
      return transaction(this.db, fn)
    } catch (error) {
      if (!this.image || !this.imageIsFile || !isDatabaseFull(error)) throw error
      this.database.run(`PRAGMA max_page_count = ${NO_PAGE_LIMIT}`)
      this.imageIsFile = false
      return transaction(this.db, fn)
    }
  }

  /** Throws WRONG_PASSWORD unless `password` opens this vault's password slot. */
  async verifyPassword(password: string): Promise<void> {
    const key = await Vault.unwrapDataKey(this.header, { password })
    key.fill(0)
  }

  /**
   * Changes the master password, re-keying the vault (see rekey). Needs the current password.
   * The device slot is rewrapped for `deviceKey`, or dropped without one.
   */
  async changePassword(current: string, next: string, deviceKey: Buffer | null = null): Promise<void> {
    await this.verifyPassword(current)
    await this.rekey(next, deviceKey)
  }

  /**
   * Re-keys the vault: a new random data key encrypts it from this save on, wrapped in a new
   * password slot for `password` (a new salt) and, when `deviceKey` is given, a new device slot
   * (else the device slot is dropped: it wrapped the old key). Used by a password change and by
   * "Rotate encryption key". SECURITY: whoever had an old password, device key or data key and
   * an old copy of the file cannot open any later version; and the `.bak` left next to the vault
   * is the re-keyed version (see VaultFile.write), not one the old keys open.
   */
  async rekey(password: string, deviceKey: Buffer | null): Promise<void> {
    const dataKey = randomKey()
    const salt = randomBytes(16)
    const kek = await deriveKey(password, salt, this.header.kdf).catch((error: unknown) => {
      dataKey.fill(0)
      throw error
    })
    const vaultId = this.header.vaultId
    const slots = [wrapSlot('password', vaultId, kek, dataKey), ...(deviceKey ? [wrapSlot('device', vaultId, deviceKey, dataKey)] : [])]
    kek.fill(0)
    await this.updateHeader((h) => ({ ...h, salt, slots }), dataKey)
  }

  /** Adds (or replaces) the device slot for `deviceKey`, or removes it with null. */
  async setDeviceKey(deviceKey: Buffer | null): Promise<void> {
    const others = (h: VaultHeader) => h.slots.filter((s) => s.type !== 'device')
    await this.updateHeader((h) => ({
      ...h,
      slots: deviceKey ? [...others(h), wrapSlot('device', h.vaultId, deviceKey, this.dataKey)] : others(h),
    }))
  }

  /**
   * Saves a changed header, after the saves queued before it; with `dataKey`, the vault is
   * re-encrypted with that key, which replaces (and wipes) the current one once durable.
   */
  private updateHeader(change: (h: VaultHeader) => VaultHeader, dataKey?: Buffer): Promise<void> {
    const next = this.saving.then(async () => {
      // The header to restore is the one saved last, read when this change runs, not when it was queued.
      const previous = { header: this.header, dataKey: this.dataKey }
      this.header = change(this.header)
      if (dataKey) this.dataKey = dataKey
      try {
        await this.save(dataKey ? 'new' : 'previous')
      } catch (error) {
        this.header = previous.header
        this.dataKey = previous.dataKey
        // SECURITY: the key that was not adopted is wiped; so is the one restored if a lock came meanwhile.
        dataKey?.fill(0)
        if (this.closed) this.dataKey.fill(0)
        throw error
      }
      if (dataKey) previous.dataKey.fill(0)
    })
    this.saving = next.catch(() => undefined)
    return next
  }

  info(counts: Record<string, number>): VaultInfo {
    return {
      path: this.path,
      vaultId: this.id,
      formatVersion: `${FORMAT_MAJOR}.${FORMAT_MINOR}`,
      kdf: { ...this.header.kdf },
      cipher: 'aes-256-gcm',
      schemaVersion: schemaVersion(this.db),
      keySlots: this.header.slots.map((s) => s.type),
      counts,
    }
  }

  /** Drops the database and wipes the data key and the image it was opened on. Idempotent. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.dataKey.fill(0)
    if (!this.savingLive) this.dropDatabase()
  }

  private dropDatabase(): void {
    this.database.close()
    // SECURITY: the plaintext image would otherwise stay in freed memory after a lock. (A save
    // reading it calls this when it ends; one that exported has a copy of its own.) Once the
    // file has outgrown it (see liveImage), sql.js's own buffer is not ours to wipe.
    this.forgetImage()
  }

  get isClosed(): boolean {
    return this.closed
  }

  private get db(): Database {
    if (this.closed) throw new KeyholdError('VAULT_LOCKED', 'The vault is locked. Unlock it to continue.')
    return this.database
  }

  /**
   * The database's pages in the image sql.js was opened on, while that is still its file;
   * else null. sql.js keeps its file in the buffer it was given (see openImage) and SQLite
   * writes each commit into it, new pages into the room behind them (see withRoom). Kept
   * from writing past it (see keepInImage), SQLite never makes sql.js move the file to a
   * buffer of its own. Once that limit is lifted (see apply) the save exports a copy instead,
   * and once the file has outgrown the image, the image is a stale plaintext copy: wiped here
   * and forgotten.
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

  /**
   * Encrypts the database and writes it durably, one step at a time with the event loop
   * running between steps, each step written to the temp file while the next is encrypted
   * (see VaultFile.write). The bytes saved are a snapshot: mutations wait for the save to
   * end (`saving`), and nothing else writes to the database. So while the image the database
   * was opened on is still its file, it is encrypted from there, with no copy; once the file
   * has outgrown it, `export()` takes a copy (in one piece: about 200 ms at 100,000 secrets),
   * which is then encrypted in place. export() backs up into a connection of its own, so this
   * connection's pragmas (secure_delete, foreign_keys) stay as they are. `backup` says which
   * version the `.bak` keeps (see VaultFile.write).
   */
  private async save(backup: 'previous' | 'new' = 'previous'): Promise<void> {
    const live = this.liveImage()
    const image = live ?? this.db.export()
    const header = { ...this.header, payloadNonce: randomBytes(NONCE_BYTES), payloadBytes: image.length }
    const preamble = encodePreamble(header)
    const sealed = live ? sealCopy(this.dataKey, header.payloadNonce, live, preamble) : sealInPlace(this.dataKey, header.payloadNonce, image, preamble)
    this.savingLive = live !== null
    let done = false
    try {
      this.stamp = await this.file.write(
        (async function* () {
          yield preamble
          yield* sealed
          done = true
        })(),
        this.stamp,
        { backup },
      )
    } finally {
      // SECURITY: once fully sealed the exported copy holds ciphertext only; otherwise part is plaintext.
      if (!live && !done) image.fill(0)
      if (live) {
        this.savingLive = false
        // Locked while this save read the image: it was left for now.
        if (this.closed) this.dropDatabase()
      }
    }
  }

  /** Replaces the in-memory state with the file on disk, decrypted with the key we hold. */
  private async reloadFromDisk(): Promise<void> {
    const { bytes, stamp } = await this.file.read(roomFor, HEAD_CHECK)
    const { header, preamble, ciphertext } = decodeVault(bytes)
    const image = withRoom(openInPlace(this.dataKey, header.payloadNonce, ciphertext, preamble))
    if (!image) throw new KeyholdError('VAULT_CHANGED_ON_DISK', 'The vault file was replaced by a different vault. Lock and unlock again.')
    const db = await openImage(image)
    this.dropDatabase()
    this.database = db
    this.image = image
    this.imageIsFile = true
    this.keepInImage()
    this.header = header
    this.stamp = stamp
  }
}

/** SECURITY: a file's size is checked against its header before its body is read (see decodeHead). */
const HEAD_CHECK = { headBytes: PREAMBLE_MAX_BYTES, check: (head: Buffer, size: number) => void decodeHead(head, size) }

/** Larger than any vault: lifts PRAGMA max_page_count (SQLite caps it at its own maximum). */
const NO_PAGE_LIMIT = 4294967294

/** SQLITE_FULL, as sql.js reports it: here, the database needed more pages than its image has room for. */
const isDatabaseFull = (error: unknown) => error instanceof Error && /database or disk is full/.test(error.message)

/** Room read behind a vault file for its database to grow into: an eighth of it, at least 1 MiB. */
const roomFor = (fileSize: number) => Math.max(1 << 20, fileSize >> 3)

/**
 * The decrypted image with the room behind it (see roomFor) added as zeroed pages, so SQLite
 * writes the pages a vault gains in place instead of sql.js moving the file to a new buffer
 * (which ends saving from the image; see Vault.liveImage). SQLite keeps the database's size in
 * its header and ignores pages of the file past it (a file longer than its database is normal
 * for it), never cuts the file down without auto-vacuum, and a save writes only the database's
 * pages. An image whose header size is not trusted (written by SQLite before 3.7.0) gets none.
 */
function withRoom(image: Buffer | null): Buffer | null {
  // Never a view into Node's shared pool of small buffers: only room of a buffer of its own.
  if (!image || image.length < 100 || image.buffer.byteLength <= Buffer.poolSize) return image
  const pageSize = image.readUInt16BE(16) === 1 ? 65536 : image.readUInt16BE(16)
  const headerSizeValid = image.readUInt32BE(24) === image.readUInt32BE(92) && image.readUInt32BE(28) * pageSize === image.length
  const capacity = image.buffer.byteLength - image.byteOffset
  const room = Math.floor((capacity - image.length) / pageSize) * pageSize
  if (!headerSizeValid || pageSize < 512 || room <= 0) return image
  const roomy = Buffer.from(image.buffer, image.byteOffset, image.length + room)
  roomy.fill(0, image.length)
  return roomy
}

/**
 * Opens a decrypted image. sql.js takes a Node Buffer as its in-memory file without copying it
 * (its MEMFS "copies" with slice(), which for a Buffer is a view), so the file as read and
 * decrypted in place is the database's only copy: it is wiped when the database is dropped,
 * or here if it is refused.
 */
async function openImage(image: Buffer): Promise<Database> {
  try {
    return await openDatabase(image)
  } catch (error) {
    image.fill(0)
    throw error
  }
}
