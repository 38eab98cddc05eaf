import { randomBytes } from 'node:crypto'
import { KeyholdError } from '../../../src-shared/errors'
import type { KdfParams, VaultInfo } from '../../../src-shared/types/vault'
import { NONCE_BYTES, openInPlace, randomKey, sealCopy, sealInPlace, TAG_BYTES } from './crypto'
import { promises as fs, constants } from 'node:fs'
import { sealCatalog } from './catalog'
import { CatalogWriter, type CatalogSource } from './catalog-writer'
import { CommitQueue } from './commit-queue'
import { preloadSqlJs, wasMigratedOnOpen, type Database } from './database'
import { DatabaseImage, roomFor } from './database-image'
import { catalogBytes, decodeHead, decodePreamble, decodeVault, encodePreamble, FORMAT_MAJOR, FORMAT_MINOR, imageEnd, MAX_VAULT_BYTES, PREAMBLE_MAX_BYTES, type VaultHeader } from './format'
import { checkKdfParams } from './kdf'
import { hasDeviceSlot, newHeader, rekeyedHeader, unwrapDataKey, withDeviceSlot, type Unlocker } from './key-slots'
import { sameStamp, VaultFile, type FileStamp } from './vault-file'

export type { Unlocker } from './key-slots'

/**
 * An unlocked vault: the decrypted database and the data key, in memory only. It composes the
 * file (VaultFile), the format (format.ts), the key slots (key-slots.ts), the order of changes
 * and saves (CommitQueue) and the database with its image (DatabaseImage). Every mutation runs
 * in a transaction and resolves only once the new file is durable; if another process replaced
 * the file meanwhile, the change is re-applied on top of its version, so no writer's change is
 * silently lost. `close()` drops the database and wipes the keys.
 */
export class Vault {
  private closed = false
  private commit: ((db: Database) => Record<string, string>) | null = null
  /** When the catalog after the image is carried, dropped or built (catalog-writer.ts). */
  private readonly catalog = new CatalogWriter()
  /** Whether this process saved the vault since it opened it (a session that only read writes nothing, not even a catalog). */
  private saved = false
  private readonly queue: CommitQueue<Database>

  private constructor(
    private readonly file: VaultFile,
    private header: VaultHeader,
    private dataKey: Buffer,
    private image: DatabaseImage,
    /** null until the first save of a new vault: the file must not exist yet. */
    private stamp: FileStamp | null,
    /** The length of the file's preamble (where its image starts), as last saved or opened. */
    private preambleLength = 0,
  ) {
    this.queue = new CommitQueue<Database>({
      apply: (change) => this.image.apply(change),
      save: () => this.save(),
      reload: () => this.reloadFromDisk(),
      isClosed: () => this.closed,
      close: () => this.close(),
    })
  }

  /** Creates a new vault file; fails with VAULT_EXISTS rather than overwrite one. */
  static async create(path: string, password: string, kdf: KdfParams): Promise<Vault> {
    checkKdfParams(kdf, 'request')
    const file = new VaultFile(path)
    if (await file.exists()) throw new KeyholdError('VAULT_EXISTS', `A vault already exists at ${path}. Unlock it, or choose another path.`)
    const dataKey = randomKey()
    const header = await newHeader(password, kdf, dataKey)
    const vault = new Vault(file, header, dataKey, await DatabaseImage.create(), null)
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
      const { bytes, stamp } = await file.read(undefined, HEAD_CHECK)
      found = { head: bytes, size: stamp.size }
    }
    const { head, size } = found
    // The header and the file's size are checked before the KDF runs and before the body is read.
    const unwrapping = unwrapDataKey(decodeHead(head, size, path).header, unlocker)
    // Handled below; this keeps a quick failure (a wrong device key) from counting as unhandled meanwhile.
    unwrapping.catch(() => undefined)
    preloadSqlJs()
    const { header, preamble, ciphertext, stamp } = await file
      .read(roomFor, HEAD_CHECK)
      .then(({ bytes, stamp }) => ({ ...decodeVault(bytes, stamp.size), stamp }))
      .catch(async (error) => {
        ;(await unwrapping.catch(() => null))?.fill(0)
        throw error
      })
    // Replaced in between (its password may have changed): the key comes from the header read with the rest.
    let dataKey: Buffer
    if (preamble.equals(head.subarray(0, preamble.length))) dataKey = await unwrapping
    else {
      ;(await unwrapping.catch(() => null))?.fill(0)
      dataKey = await unwrapDataKey(header, unlocker)
    }
    try {
      const decrypted = openInPlace(dataKey, header.payloadNonce, ciphertext, preamble)
      if (!decrypted)
        throw new KeyholdError(
          'VAULT_CORRUPT',
          'The vault file is damaged (its contents fail their integrity check). Keyhold did not change it; restore it from its .bak copy or a backup.',
        )
      const image = await DatabaseImage.open(decrypted).catch((error) => {
        if (error instanceof KeyholdError) throw error
        throw new KeyholdError('VAULT_CORRUPT', 'The vault decrypts but its database is unreadable. Keyhold did not change it; restore it from its .bak copy or a backup.')
      })
      const vault = new Vault(file, header, dataKey, image, stamp, preamble.length)
      vault.catalog.trust(header, image.db, dataKey)
      // An older schema was brought up to date in memory: saved once now, so the next open (a
      // CLI command that only reads, say) does not migrate again. A save that fails (a read-only
      // folder) leaves the file as it was; the vault still opens.
      if (wasMigratedOnOpen(image.db)) void vault.mutate(() => undefined).catch(() => undefined)
      return vault
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

  get id(): string {
    return this.header.vaultId
  }

  get path(): string {
    return this.file.path
  }

  get hasDeviceSlot(): boolean {
    return hasDeviceSlot(this.header)
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Read access to the database. Throws VAULT_LOCKED once closed. */
  read<T>(fn: (db: Database) => T): T {
    return fn(this.image.db)
  }

  /**
   * Applies `fn` in a transaction and saves durably before resolving (see CommitQueue). `fn`
   * must be re-runnable: when another process changed the file, it is re-applied to that
   * version. On any failure the in-memory database is the file's last durable state.
   */
  mutate<T>(fn: (db: Database) => T): Promise<T> {
    return this.queue.mutate(fn)
  }

  /** Resolves once every mutation and header change asked for so far is saved (or failed). */
  async settled(): Promise<void> {
    await this.queue.settled()
    await this.file.settled()
  }

  /** Throws WRONG_PASSWORD unless `password` opens this vault's password slot. */
  async verifyPassword(password: string): Promise<void> {
    const key = await unwrapDataKey(this.header, { password })
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
   * password slot for `password` and, when `deviceKey` is given, a new device slot (else the
   * device slot is dropped: it wrapped the old key). SECURITY: whoever had an old password,
   * device key or data key and an old copy of the file cannot open any later version; and the
   * `.bak` left next to the vault is the re-keyed version (see VaultFile.write).
   */
  async rekey(password: string, deviceKey: Buffer | null): Promise<void> {
    const dataKey = randomKey()
    const rekeyed = await rekeyedHeader(this.header, password, deviceKey, dataKey).catch((error: unknown) => {
      dataKey.fill(0)
      throw error
    })
    await this.updateHeader((h) => ({ ...h, salt: rekeyed.salt, slots: rekeyed.slots }), dataKey)
  }

  /** Adds (or replaces) the device slot for `deviceKey`, or removes it with null. */
  async setDeviceKey(deviceKey: Buffer | null): Promise<void> {
    await this.updateHeader((h) => withDeviceSlot(h, deviceKey, this.dataKey))
  }

  /**
   * Saves a changed header, after the saves queued before it; with `dataKey`, the vault is
   * re-encrypted with that key, which replaces (and wipes) the current one once durable.
   */
  private updateHeader(change: (h: VaultHeader) => VaultHeader, dataKey?: Buffer): Promise<void> {
    return this.queue.exclusive(async () => {
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
  }

  info(counts: Record<string, number>): VaultInfo {
    return {
      path: this.path,
      vaultId: this.id,
      formatVersion: `${FORMAT_MAJOR}.${FORMAT_MINOR}`,
      kdf: { ...this.header.kdf },
      cipher: 'aes-256-gcm',
      schemaVersion: this.image.schemaVersion,
      keySlots: this.header.slots.map((s) => s.type),
      counts,
    }
  }

  /** Drops the database and wipes the data key and the image it was opened on. Idempotent. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.dataKey.fill(0)
    this.catalog.forget()
    this.image.close()
  }

  /**
   * Encrypts the database's snapshot (see DatabaseImage.snapshot) and writes it durably, one
   * step at a time with the event loop running between steps, each step written to the temp
   * file while the next is encrypted (see VaultFile.write). Changes wait for the save to end
   * (CommitQueue), so the snapshot does not change while it is read. `backup` says which
   * version the `.bak` keeps (see VaultFile.write).
   */
  private async save(backup: 'previous' | 'new' = 'previous'): Promise<void> {
    // This save's database and key, taken before anything waits: a lock may close the vault
    // meanwhile (wiping this.dataKey). SECURITY: the copy is wiped when the save ends.
    const db = this.image.db
    const keyInUse = this.dataKey
    const dataKey = Buffer.from(keyInUse)
    // The catalog after the image (format 1.3): a current one's tags read now, before the snapshot.
    const plan = await this.catalog.prepare(db, keyInUse, this.header, this.preambleLength, () => this.openForCarrying())
    try {
      if (this.closed) throw new KeyholdError('VAULT_LOCKED', 'The vault is locked. Unlock it to continue.')
      const snapshot = this.image.snapshot()
      let done = false
      try {
        // Read from the same state as the snapshot: no change runs while a save does (CommitQueue).
        const commitments = this.commit ? this.commit(db) : this.header.commitments
        let part = this.catalog.part(plan, this.header, dataKey)
        // A file over the limit could not be opened: without the catalog, it can (MAX_VAULT_BYTES).
        if (part && PREAMBLE_MAX_BYTES + snapshot.bytes.length + TAG_BYTES + catalogBytes(part.catalog) > MAX_VAULT_BYTES) part = null
        const header = { ...this.header, payloadNonce: randomBytes(NONCE_BYTES), payloadBytes: snapshot.bytes.length, commitments, catalog: part?.catalog }
        const preamble = encodePreamble(header)
        const seal = snapshot.live ? sealCopy : sealInPlace
        const sealed = seal(dataKey, header.payloadNonce, snapshot.bytes, preamble)
        const catalogSeal = part && sealCatalog(dataKey, header.vaultId, part.catalog, part.tags, preamble)
        this.stamp = await this.file.write(
          (async function* () {
            yield preamble
            yield* sealed
            done = true
            if (part && catalogSeal) {
              yield* part.pieces()
              // Before the new version is renamed over the file it was read from (Windows refuses to replace an open file).
              await plan.release()
              yield catalogSeal
            }
          })(),
          this.stamp,
          { backup },
        )
        // The header as written: where its image ends and its catalog lies are what the next save carries from.
        this.header = header
        this.saved = true
        this.preambleLength = preamble.length
        this.catalog.written(plan, part?.catalog ?? null, db, keyInUse)
      } finally {
        snapshot.release(done)
      }
    } finally {
      await plan.release()
      dataKey.fill(0)
    }
  }

  /**
   * The file as last saved or opened, to carry its catalog over into the next save; null when it
   * is no longer that version (another process saved: the save fails on it and is applied
   * again to the new version, see VaultFile.write).
   */
  private async openForCarrying(): Promise<fs.FileHandle | null> {
    const handle = await fs.open(await this.file.realPath(), constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null)
    const s = handle && (await handle.stat().catch(() => null))
    if (handle && s && sameStamp({ ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }, this.stamp)) return handle
    await handle?.close()
    return null
  }

  /**
   * The session ends (the vault is locking): the saves from now on build the catalog when the
   * file's is outdated, and, in a session that saved, one is made for it if none is queued (a
   * session that only read leaves the file as it is). Resolves once that is saved.
   */
  async finish(): Promise<void> {
    this.catalog.finish()
    await this.queue.settled()
    if (!this.closed && this.saved && this.catalog.outdated(this.image.db, this.dataKey)) await this.mutate(() => undefined)
  }

  /** What every save from now on writes as the catalog after the image (format 1.3); null: none. */
  useCatalog(catalog: ((db: Database) => CatalogSource | null) | null): void {
    this.catalog.use(catalog)
  }

  /**
   * What the header commits with every save from now on (format 1.2): `commit` reads the
   * database as it is saved. Without one, a save keeps the commitments it found.
   */
  useCommitments(commit: ((db: Database) => Record<string, string>) | null): void {
    this.commit = commit
  }

  /** The commitments of the version last saved or opened. */
  get commitments(): Readonly<Record<string, string>> {
    return this.header.commitments ?? {}
  }

  /**
   * Reads the vault again if another process saved it since (its file stamp changed), after
   * the changes and saves queued here. True when it reloaded. A long-running reader (the
   * agent) calls it so that a revoke made by `keyhold` in another process takes effect.
   */
  async refresh(): Promise<boolean> {
    if (this.closed || this.stamp === null) return false
    if (sameStamp(await this.file.stamp(), this.stamp)) return false
    let reloaded = false
    await this.queue.exclusive(async () => {
      if (this.closed || sameStamp(await this.file.stamp(), this.stamp)) return
      await this.reloadFromDisk()
      reloaded = true
    })
    return reloaded
  }

  /** Replaces the in-memory state with the file on disk, decrypted with the key we hold. */
  private async reloadFromDisk(): Promise<void> {
    const { bytes, stamp } = await this.file.read(roomFor, HEAD_CHECK)
    const { header, preamble, ciphertext } = decodeVault(bytes, stamp.size)
    const decrypted = openInPlace(this.dataKey, header.payloadNonce, ciphertext, preamble)
    if (!decrypted) throw new KeyholdError('VAULT_CHANGED_ON_DISK', 'The vault file was replaced by a different vault. Lock and unlock again.')
    const image = await DatabaseImage.open(decrypted)
    // Locked while it was opening: the new image is not kept (and wiped) either.
    if (this.closed) return image.close()
    this.image.close()
    this.image = image
    this.header = header
    this.preambleLength = preamble.length
    this.stamp = stamp
    this.catalog.trust(header, image.db, this.dataKey)
  }
}

/** SECURITY: a file's size is checked against its header before its body is read (see decodeHead). */
const HEAD_CHECK = {
  headBytes: PREAMBLE_MAX_BYTES,
  /** The image is read, not the catalog after it (only a command reading the catalog alone needs that: catalog.ts). */
  check: (head: Buffer, size: number) => {
    const { header, preambleEnd } = decodeHead(head, size)
    return imageEnd(header, preambleEnd) ?? undefined
  },
}
