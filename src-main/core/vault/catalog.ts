import { constants, promises as fs } from 'node:fs'
import { createHash, hkdfSync, randomBytes } from 'node:crypto'
import { open, openInPlace, sealWithNonce } from './crypto'
import { decodePreamble, checkVaultSize, imageEnd, PREAMBLE_MAX_BYTES, type CatalogBlockName, type CatalogHeader, type VaultHeader } from './format'
import { corrupt } from './preamble'
import { CATALOG_ID_BYTES, KEY_BYTES, NONCE_BYTES, SEAL_BYTES, TAG_BYTES } from './sizes'

export type { CatalogBlockName } from './format'

/**
 * The catalog (format 1.3, docs/vault-catalog.md): what a command that lists, searches or
 * reads one API secret needs, written after the image in blocks encrypted apart, so that it
 * reads a few blocks instead of decrypting and loading the whole database.
 *
 *   image | block 0 ‖ tag | block 1 ‖ tag | … | seal (32 + tag)
 *
 * - Key: HKDF-SHA256(data key, info "keyhold catalog v1:" + vault id): only the data key gives
 *   it, and its nonces never meet the image's.
 * - A block: AES-256-GCM under its own random nonce, its associated data naming the catalog
 *   (its random id), its place and its name, so blocks cannot be swapped or moved.
 * - The seal: AES-256-GCM of SHA-256(id ‖ every block's tag) under a nonce fresh with each save,
 *   the whole preamble as associated data. The preamble holds the image's fresh nonce and the
 *   blocks' sizes and nonces, so a catalog (or a block) from another save fails the seal, and
 *   a reader that never opens the image still authenticates the header it read.
 * - The blocks are bound to their catalog id only: a save that changed no API secret writes
 *   the same block ciphertext again (kept by Vault) and only a new seal.
 *
 * What the blocks hold is the secrets feature's (secrets.catalog.ts); this module knows bytes.
 */

/** The version of the catalog this Keyhold writes and reads (a change of what a block holds is a new one). */
export const CATALOG_VERSION = 1

/** The catalog's key for a vault's data key. */
function catalogKey(dataKey: Uint8Array, vaultId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), `keyhold catalog v1:${vaultId}`, KEY_BYTES))
}

const BLOCK_LABEL = Buffer.from('keyhold catalog block\0', 'latin1')

function blockAad(id: Buffer, index: number, name: string): Buffer {
  const place = Buffer.alloc(4)
  place.writeUInt32BE(index)
  return Buffer.concat([BLOCK_LABEL, id, place, Buffer.from(name, 'latin1')])
}

/** What the seal holds: the catalog's id and its blocks' tags, hashed. */
function sealed(id: Buffer, tags: readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256').update(id)
  for (const tag of tags) hash.update(tag)
  return hash.digest()
}

/** A catalog's blocks, encrypted: what a save writes after the image, kept for the next save. */
export interface SealedBlocks {
  id: Buffer
  blocks: Array<{ name: CatalogBlockName; nonce: Buffer; sealed: Buffer }>
}

/**
 * Encrypts blocks for the vault `vaultId` under `dataKey`, with a new catalog id and nonces.
 * The plaintext is the caller's to wipe.
 */
export function sealBlocks(dataKey: Uint8Array, vaultId: string, blocks: ReadonlyArray<{ name: CatalogBlockName; bytes: Uint8Array }>): SealedBlocks {
  const key = catalogKey(dataKey, vaultId)
  const id = randomBytes(CATALOG_ID_BYTES)
  try {
    return {
      id,
      blocks: blocks.map((block, index) => {
        const nonce = randomBytes(NONCE_BYTES)
        return { name: block.name, nonce, sealed: sealWithNonce(key, nonce, block.bytes, blockAad(id, index, block.name)) }
      }),
    }
  } finally {
    key.fill(0)
  }
}

/** The header's description of `blocks`, with a fresh nonce for this save's seal. */
export function catalogHeader(blocks: SealedBlocks): CatalogHeader {
  return {
    v: CATALOG_VERSION,
    id: blocks.id,
    seal: randomBytes(NONCE_BYTES),
    blocks: blocks.blocks.map((block) => ({ name: block.name, bytes: block.sealed.length - TAG_BYTES, nonce: block.nonce })),
  }
}

/** Each block's tag (the last 16 bytes of its ciphertext). */
export const tagsOf = (blocks: SealedBlocks): Buffer[] => blocks.blocks.map((block) => block.sealed.subarray(block.sealed.length - TAG_BYTES))

/** The seal that ends the catalog (`header`, its blocks' `tags`) of a save whose preamble (with `header` in it) is `preamble`. */
export function sealCatalog(dataKey: Uint8Array, vaultId: string, header: CatalogHeader, tags: readonly Uint8Array[], preamble: Uint8Array): Buffer {
  const key = catalogKey(dataKey, vaultId)
  try {
    return sealWithNonce(key, header.seal, sealed(header.id, tags), preamble)
  } finally {
    key.fill(0)
  }
}

/** Bytes of a carried catalog read and written at a time. */
const CARRY_PIECE_BYTES = 1 << 20

/**
 * The catalog of the file open at `handle` (`catalog` from its header, its image ending at
 * `start`), to be written again after a new image (a save that changed no API secret): its
 * blocks' tags, read now for the new seal, and its blocks' bytes as pieces read while they
 * are written. The blocks are bound to their catalog's id, not to a save, so the same bytes
 * under a new seal are a valid catalog of the new save; they are neither decrypted nor held.
 */
export async function carryCatalog(handle: fs.FileHandle, catalog: CatalogHeader, start: number): Promise<{ tags: Buffer[]; pieces: () => AsyncGenerator<Uint8Array> }> {
  const tags: Buffer[] = []
  let at = start
  for (const block of catalog.blocks) {
    at += block.bytes + TAG_BYTES
    const tag = Buffer.alloc(TAG_BYTES)
    await readExactly(handle, tag, at - TAG_BYTES)
    tags.push(tag)
  }
  const end = at
  async function* pieces(): AsyncGenerator<Uint8Array> {
    // Two buffers in turn: asked for the next piece, the writer may still be writing the last
    // one, but is done with the one before (VaultFile.write), so no piece is left for the collector.
    const ring = [Buffer.allocUnsafe(CARRY_PIECE_BYTES), Buffer.allocUnsafe(CARRY_PIECE_BYTES)]
    for (let from = start, turn = 0; from < end; from += CARRY_PIECE_BYTES, turn ^= 1) {
      const piece = ring[turn]!.subarray(0, Math.min(CARRY_PIECE_BYTES, end - from))
      await readExactly(handle, piece, from)
      yield piece
    }
  }
  return { tags, pieces }
}

/** A vault file whose header declares a catalog, opened for reading its blocks alone. */
export interface CatalogFile {
  header: VaultHeader
  /**
   * The plaintext of the blocks named, once the seal and each block's tag check out with the
   * data key; VAULT_CORRUPT otherwise. The buffers are the caller's to wipe.
   */
  readBlocks(dataKey: Buffer, names: readonly CatalogBlockName[]): Promise<Partial<Record<CatalogBlockName, Buffer>>>
  close(): Promise<void>
}

const damaged = () => corrupt('its catalog fails its integrity check')

/**
 * Opens the vault file at `path` for reading its catalog, or null when it cannot serve one for
 * any reason (no file, no catalog, a header this Keyhold does not read, a file-system error):
 * the caller opens the vault as a whole, which says what is wrong. SECURITY: opened without
 * blocking (a named pipe planted at the path) and read only if it is a regular file; every
 * read is from this one descriptor, so a save renaming a new version over the path meanwhile
 * does not mix two versions.
 */
export async function openCatalogFile(path: string): Promise<CatalogFile | null> {
  let handle: fs.FileHandle
  try {
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch {
    return null
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new Error('not a file')
    const head = Buffer.alloc(Math.min(stat.size, PREAMBLE_MAX_BYTES))
    await readExactly(handle, head, 0)
    const { header, minor, preambleEnd } = decodePreamble(head, path)
    checkVaultSize(header, preambleEnd, stat.size, minor)
    const catalog = header.catalog
    const start = imageEnd(header, preambleEnd)
    // A catalog of a later version (a newer Keyhold's) is not read: the image is.
    if (!catalog || catalog.v !== CATALOG_VERSION || start === null) throw new Error('no catalog to read')
    const preamble = head.subarray(0, preambleEnd)
    return { header, readBlocks: (dataKey, names) => readBlocks(handle, header, catalog, preamble, start, dataKey, names), close: () => handle.close() }
  } catch {
    await handle.close().catch(() => undefined)
    return null
  }
}

async function readBlocks(
  handle: fs.FileHandle,
  header: VaultHeader,
  catalog: CatalogHeader,
  preamble: Buffer,
  start: number,
  dataKey: Buffer,
  names: readonly CatalogBlockName[],
): Promise<Partial<Record<CatalogBlockName, Buffer>>> {
  // Where each block begins, and its tag (the last 16 bytes of it).
  const offsets: number[] = []
  let at = start
  for (const block of catalog.blocks) {
    offsets.push(at)
    at += block.bytes + TAG_BYTES
  }
  const tags = catalog.blocks.map(() => Buffer.alloc(TAG_BYTES))
  const seal = Buffer.alloc(SEAL_BYTES)
  await Promise.all([...catalog.blocks.map((block, i) => readExactly(handle, tags[i]!, offsets[i]! + block.bytes)), readExactly(handle, seal, at)])
  const key = catalogKey(dataKey, header.vaultId)
  const found: Partial<Record<CatalogBlockName, Buffer>> = {}
  try {
    const opened = open(key, catalog.seal, seal, preamble)
    if (!opened || !opened.equals(sealed(catalog.id, tags))) throw damaged()
    for (const name of names) {
      const index = catalog.blocks.findIndex((block) => block.name === name)
      if (index === -1) throw damaged()
      const block = catalog.blocks[index]!
      const bytes = Buffer.allocUnsafeSlow(block.bytes + TAG_BYTES)
      await readExactly(handle, bytes, offsets[index]!)
      const plain = openInPlace(key, block.nonce, bytes, blockAad(catalog.id, index, name))
      if (!plain) throw damaged()
      found[name] = plain
    }
    return found
  } catch (error) {
    for (const plain of Object.values(found)) plain.fill(0)
    throw error
  } finally {
    key.fill(0)
  }
}

/** Fills `buffer` from `position`; a file shorter than that is damaged (it changed size under us). */
async function readExactly(handle: fs.FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buffer.length; ) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done)
    if (bytesRead === 0) throw damaged()
    done += bytesRead
  }
}
