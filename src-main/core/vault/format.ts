import { createHash } from 'node:crypto'
import { z } from 'zod'
import { KeyholdError } from '../../../src-shared/errors'
import type { KdfParams } from '../../../src-shared/types/vault'
import { checkKdfParams, KDF_LIMITS } from './kdf-params'
import { corrupt, FORMAT_MAJOR, FORMAT_MINOR, MAGIC, MAX_VAULT_BYTES, PREFIX_BYTES, readPreamble, VAULT_ID_PATTERN } from './preamble'
import { CATALOG_ID_BYTES, KEY_BYTES, NONCE_BYTES, SEAL_BYTES, TAG_BYTES } from './sizes'

export { FORMAT_MAJOR, FORMAT_MINOR, MAGIC, MAX_HEADER_BYTES, MAX_VAULT_BYTES, PREAMBLE_MAX_BYTES } from './preamble'

/**
 * The vault file:
 *
 *   magic "KEYHOLD\x1a" (8) | major u16 BE | minor u16 BE | header length u32 BE |
 *   header (UTF-8 JSON, bounded) | SHA-256 of everything before it (32) |
 *   AES-256-GCM(data key, sql.js image) with the tag appended |
 *   catalog (format 1.3, when the header declares one: its blocks, each with its tag, then its seal)
 *
 * Everything before the ciphertext (the "preamble") is the associated data of the payload,
 * so no header field can be changed without detection. The digest lets a damaged header be
 * told apart from a wrong password before any key slot is tried.
 */
/** At most this many commitments, each a short name and a value of at most 256 characters. */
const MAX_COMMITMENTS = 8

const b64 = (min: number, max: number) =>
  z
    .string()
    .max(Math.ceil(max / 3) * 4 + 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/)
    .transform((s) => Buffer.from(s, 'base64'))
    .refine((b) => b.length >= min && b.length <= max)

const slotSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('password'), nonce: b64(NONCE_BYTES, NONCE_BYTES), wrapped: b64(KEY_BYTES + TAG_BYTES, KEY_BYTES + TAG_BYTES) }),
  z.strictObject({
    type: z.literal('device'),
    nonce: b64(NONCE_BYTES, NONCE_BYTES),
    wrapped: b64(KEY_BYTES + TAG_BYTES, KEY_BYTES + TAG_BYTES),
  }),
])

/** The blocks of a catalog of version 1, by name (catalog.ts); each at most once. */
export const CATALOG_BLOCK_NAMES = ['rows', 'search', 'secrets'] as const
export type CatalogBlockName = (typeof CATALOG_BLOCK_NAMES)[number]
/** At most this many blocks in a catalog of any version. */
const MAX_CATALOG_BLOCKS = 8

/**
 * The catalog's description. Its version `v` and block names are read as any a later catalog
 * may have (bounded), so that this Keyhold still opens the image of a vault whose catalog it
 * does not know, and only a catalog of version 1 is read (catalog.ts). A later catalog that
 * needs other fields here is a new minor version of the file.
 */
const catalogSchema = z.strictObject({
  v: z.number().int().min(1).max(1000),
  id: b64(CATALOG_ID_BYTES, CATALOG_ID_BYTES),
  seal: b64(NONCE_BYTES, NONCE_BYTES),
  blocks: z
    .array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_]{0,15}$/), bytes: z.number().int().min(0).max(MAX_VAULT_BYTES), nonce: b64(NONCE_BYTES, NONCE_BYTES) }))
    .min(1)
    .max(MAX_CATALOG_BLOCKS)
    .refine((blocks) => new Set(blocks.map((b) => b.name)).size === blocks.length),
})

const headerSchema = z.strictObject({
  vaultId: z.string().regex(VAULT_ID_PATTERN),
  kdf: z.strictObject({
    id: z.string().max(32),
    memoryKiB: z.number(),
    iterations: z.number(),
    lanes: z.number(),
    salt: b64(KDF_LIMITS.minSaltBytes, KDF_LIMITS.maxSaltBytes),
  }),
  cipher: z.literal('aes-256-gcm'),
  slots: z.array(slotSchema).min(1).max(4),
  payloadNonce: b64(NONCE_BYTES, NONCE_BYTES),
  /** The database image's size in bytes (without the tag); absent in format 1.0 files. */
  payloadBytes: z.number().int().min(0).max(MAX_VAULT_BYTES).optional(),
  /** Format 1.2: values features bind to this payload (see FORMAT_MINOR). */
  commitments: z
    .record(z.string().regex(/^[a-z][a-z_]{0,31}$/), z.string().max(256))
    .refine((c) => Object.keys(c).length <= MAX_COMMITMENTS)
    .optional(),
  /** Format 1.3: the catalog after the image (catalog.ts). */
  catalog: catalogSchema.optional(),
})

/** What the header says of the catalog after the image (catalog.ts). */
export interface CatalogHeader {
  /** 1: what this Keyhold writes and reads; a later version's catalog is left unread. */
  v: number
  /** Random per build of the blocks: their associated data names it. */
  id: Buffer
  /** The seal's nonce, fresh with every save. */
  seal: Buffer
  blocks: Array<{ name: string; bytes: number; nonce: Buffer }>
}

export interface KeySlot {
  type: 'password' | 'device'
  nonce: Buffer
  wrapped: Buffer
}

export interface VaultHeader {
  vaultId: string
  kdf: KdfParams
  salt: Buffer
  slots: KeySlot[]
  payloadNonce: Buffer
  /** Written by every save from format 1.1 on; a 1.0 file has none until its next save. */
  payloadBytes?: number
  /** Format 1.2: what features committed with the payload last saved (the activity log's head). */
  commitments?: Record<string, string>
  /** Format 1.3: the catalog written after the image by the save that wrote this header. */
  catalog?: CatalogHeader
}

export interface ParsedVault {
  header: VaultHeader
  minor: number
  /** The bytes authenticated as associated data of the payload (a view of the file). */
  preamble: Buffer
  /** The sealed payload, tag included (a view of the file, without the catalog after it). */
  ciphertext: Buffer
}

/**
 * A file of a later minor version that this Keyhold cannot read (a header field or a part
 * after the image it does not know): written by a newer Keyhold, not damaged.
 */
const newer = (minor: number) =>
  new KeyholdError(
    'VAULT_VERSION_UNSUPPORTED',
    `This vault was saved by a newer Keyhold (file format ${FORMAT_MAJOR}.${minor}), and this Keyhold reads format ${FORMAT_MAJOR}.${FORMAT_MINOR}. Update Keyhold to open it; the file was not changed.`,
  )

/** Serializes a header; the caller encrypts the payload with the returned preamble as AAD. */
export function encodePreamble(header: VaultHeader): Buffer {
  const json = Buffer.from(
    JSON.stringify({
      vaultId: header.vaultId,
      kdf: { ...header.kdf, salt: header.salt.toString('base64') },
      cipher: 'aes-256-gcm',
      slots: header.slots.map((s) => ({ type: s.type, nonce: s.nonce.toString('base64'), wrapped: s.wrapped.toString('base64') })),
      payloadNonce: header.payloadNonce.toString('base64'),
      payloadBytes: header.payloadBytes,
      ...(header.commitments && Object.keys(header.commitments).length > 0 && { commitments: header.commitments }),
      ...(header.catalog && {
        catalog: {
          v: header.catalog.v,
          id: header.catalog.id.toString('base64'),
          seal: header.catalog.seal.toString('base64'),
          blocks: header.catalog.blocks.map((b) => ({ name: b.name, bytes: b.bytes, nonce: b.nonce.toString('base64') })),
        },
      }),
    }),
    'utf8',
  )
  const prefix = Buffer.alloc(PREFIX_BYTES)
  MAGIC.copy(prefix, 0)
  prefix.writeUInt16BE(FORMAT_MAJOR, 8)
  prefix.writeUInt16BE(FORMAT_MINOR, 10)
  prefix.writeUInt32BE(json.length, 12)
  const body = Buffer.concat([prefix, json])
  return Buffer.concat([body, createHash('sha256').update(body).digest()])
}

/**
 * Parses a vault file defensively: every length and every KDF parameter is bounded here,
 * before any key derivation runs. `file` may stop after the image (the catalog not read) when
 * `size` is the whole file's. Throws VAULT_CORRUPT or VAULT_VERSION_UNSUPPORTED.
 */
export function decodeVault(file: Buffer, size = file.length): ParsedVault {
  const { header, minor, preambleEnd } = decodePreamble(file)
  checkVaultSize(header, preambleEnd, size, minor)
  if (file.length < (imageEnd(header, preambleEnd) ?? 0)) throw corrupt('it is truncated')
  // Views, not copies: a vault is decrypted in place, so opening holds the file once.
  return { header, minor, preamble: file.subarray(0, preambleEnd), ciphertext: file.subarray(preambleEnd, imageEnd(header, preambleEnd) ?? file.length) }
}

/** Where the image's tag ends (and a catalog begins): unknown (null) for a format 1.0 file, which declares no size. */
export function imageEnd(header: VaultHeader, preambleEnd: number): number | null {
  return header.payloadBytes === undefined ? null : preambleEnd + header.payloadBytes + TAG_BYTES
}

/** The bytes of a catalog after the image: each block with its tag, then the seal. */
export function catalogBytes(catalog: CatalogHeader): number {
  return catalog.blocks.reduce((sum, block) => sum + block.bytes + TAG_BYTES, 0) + SEAL_BYTES
}

/**
 * Checks a vault file's size (from a stat, before its body is read) against its preamble:
 * never more than MAX_VAULT_BYTES, and exactly the preamble, the payload the header declares
 * and the tag. Throws VAULT_CORRUPT.
 */
export function checkVaultSize(header: VaultHeader, preambleEnd: number, size: number, minor = FORMAT_MINOR): void {
  if (size > MAX_VAULT_BYTES)
    throw corrupt(`it is ${(size / 2 ** 20).toFixed(0)} MiB, and no Keyhold vault is over ${MAX_VAULT_BYTES / 2 ** 20} MiB`)
  const image = imageEnd(header, preambleEnd)
  const expected = image === null ? null : image + (header.catalog ? catalogBytes(header.catalog) : 0)
  if (size < (expected ?? preambleEnd + TAG_BYTES)) throw corrupt('it is truncated')
  if (expected !== null && size > expected) throw minor > FORMAT_MINOR ? newer(minor) : corrupt(`it has ${size - expected} bytes more than its header declares`)
}

/** Parses and checks the preamble at the start of a file of `size` bytes, and that size (see checkVaultSize). */
export function decodeHead(head: Buffer, size: number, path?: string): ReturnType<typeof decodePreamble> {
  const decoded = decodePreamble(head, path)
  checkVaultSize(decoded.header, decoded.preambleEnd, size, decoded.minor)
  return decoded
}

/** Parses and checks the preamble alone; `bytes` may be the whole file or just its start, of the file at `path` (for messages). */
export function decodePreamble(bytes: Buffer, path?: string): { header: VaultHeader; minor: number; preambleEnd: number } {
  const { json, minor, preambleEnd } = readPreamble(bytes, path)
  const parsed = headerSchema.safeParse(json)
  if (!parsed.success) throw minor > FORMAT_MINOR ? newer(minor) : corrupt('its header has invalid fields')
  const { kdf, slots, vaultId, payloadNonce, payloadBytes, commitments, catalog } = parsed.data
  if (catalog && payloadBytes === undefined) throw corrupt('its header declares a catalog but not the size of its contents')
  const params: KdfParams = { id: kdf.id as 'argon2id', memoryKiB: kdf.memoryKiB, iterations: kdf.iterations, lanes: kdf.lanes }
  checkKdfParams(params, 'file')
  if (!slots.some((s) => s.type === 'password')) throw corrupt('it has no password key slot')
  return { header: { vaultId, kdf: params, salt: kdf.salt, slots, payloadNonce, payloadBytes, ...(commitments && { commitments }), ...(catalog && { catalog }) }, minor, preambleEnd }
}
