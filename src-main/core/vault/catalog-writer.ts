import { randomBytes } from 'node:crypto'
import type { promises as fs } from 'node:fs'
import { CATALOG_VERSION, carryCatalog, catalogHeader, sealBlocks, tagsOf, type CatalogBlockName } from './catalog'
import { NONCE_BYTES } from './crypto'
import { wasMigratedOnOpen, type Database } from './database'
import { imageEnd, type CatalogHeader, type VaultHeader } from './format'

/**
 * What a feature puts in the catalog after the image (format 1.3, catalog.ts), for one
 * database: `generation` changes whenever the blocks may have changed, and `build()` gives
 * their plaintext (null: this database gets no catalog).
 */
export interface CatalogSource {
  generation: number
  build(): Array<{ name: CatalogBlockName; bytes: Buffer }> | null
}

/** What a save writes after its image: the catalog's description, its blocks' tags (for the seal), and the blocks as pieces. */
export interface CatalogPart {
  catalog: CatalogHeader
  tags: readonly Uint8Array[]
  pieces(): AsyncGenerator<Uint8Array> | Iterable<Uint8Array>
}

/** A save's catalog, prepared before its snapshot (prepare), then made (part), then recorded (written). */
export interface CatalogPlan {
  source: CatalogSource | null
  /** The file's catalog holds what the source would build now. */
  fresh: boolean
  carried: Awaited<ReturnType<typeof carryCatalog>> | null
  /** Closes the file a carried catalog is read from (before the new version replaces it; again is harmless). */
  release(): Promise<void>
}

/**
 * When a vault writes its catalog (docs/vault-catalog.md §4): a save carries the file's over
 * while it is current (same database, generation of the source and data key), writes none
 * while it is not, and builds it once the session ends (`finish`, at a lock). SECURITY: a
 * catalog under another data key (before a re-key) is never current, so never carried.
 */
export class CatalogWriter {
  private source: ((db: Database) => CatalogSource | null) | null = null
  /** What the file's catalog was built for (null: the file has none, or an outdated one). */
  private inFile: { db: Database; generation: number; dataKey: Buffer } | null = null
  private finishing = false

  use(source: ((db: Database) => CatalogSource | null) | null): void {
    this.source = source
  }

  /** The file's catalog (in `header`) describes `db` as opened, unless it is of another version or `db` was migrated on open. */
  trust(header: VaultHeader, db: Database, dataKey: Buffer): void {
    this.inFile = header.catalog?.v === CATALOG_VERSION && !wasMigratedOnOpen(db) ? { db, generation: 0, dataKey } : null
  }

  forget(): void {
    this.inFile = null
  }

  /** The session ends: saves from now on build the catalog when the file's is outdated. */
  finish(): void {
    this.finishing = true
  }

  /** Whether the file lacks the catalog `db` should have under `dataKey`. */
  outdated(db: Database, dataKey: Buffer): boolean {
    const source = this.source?.(db) ?? null
    return !!source && !this.isFresh(source, db, dataKey)
  }

  /**
   * Before a save's snapshot: a current catalog's tags are read from the file as last saved
   * (`open` gives it, or null when it is no longer that version), so nothing waits between the
   * snapshot and its encryption.
   */
  async prepare(db: Database, dataKey: Buffer, header: VaultHeader, preambleLength: number, open: () => Promise<fs.FileHandle | null>): Promise<CatalogPlan> {
    const source = this.source?.(db) ?? null
    const fresh = !!source && this.isFresh(source, db, dataKey) && !!header.catalog
    let handle: fs.FileHandle | null = null
    const release = async () => {
      await handle?.close().catch(() => undefined)
      handle = null
    }
    let carried: CatalogPlan['carried'] = null
    try {
      if (fresh) {
        handle = await open()
        const start = handle && imageEnd(header, preambleLength)
        if (handle && start) carried = await carryCatalog(handle, header.catalog!, start)
      }
    } catch (error) {
      await release()
      throw error
    }
    return { source, fresh, carried, release }
  }

  /** What the save writes after its image: the carried catalog under a new seal's nonce, one built now at a session's end, or none. */
  part(plan: CatalogPlan, header: VaultHeader, dataKey: Buffer): CatalogPart | null {
    if (plan.carried) return { catalog: { ...header.catalog!, seal: randomBytes(NONCE_BYTES) }, tags: plan.carried.tags, pieces: plan.carried.pieces }
    if (!plan.source || plan.fresh || !this.finishing) return null
    const plain = plan.source.build()
    try {
      const built = plain && sealBlocks(dataKey, header.vaultId, plain)
      return built && { catalog: catalogHeader(built), tags: tagsOf(built), pieces: () => built.blocks.map((block) => block.sealed) }
    } finally {
      // SECURITY: the blocks' plaintext holds client secrets and notes.
      for (const block of plain ?? []) block.bytes.fill(0)
    }
  }

  /** Once the save is written: what the file's catalog now holds. */
  written(plan: CatalogPlan, catalog: CatalogHeader | null, db: Database, dataKey: Buffer): void {
    this.inFile = catalog && plan.source ? { db, generation: plan.source.generation, dataKey } : null
  }

  private isFresh(source: CatalogSource, db: Database, dataKey: Buffer): boolean {
    const inFile = this.inFile
    return !!inFile && inFile.db === db && inFile.generation === source.generation && inFile.dataKey === dataKey
  }
}
