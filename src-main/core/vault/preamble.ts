import { createHash } from 'node:crypto'
import { KeyholdError } from '../../../src-shared/errors'

/*
 * The layout of a vault file's preamble (format.ts describes the file), read without checking
 * the header's fields: format.ts checks those (with zod). Apart so that finding a vault's id
 * (the terminal's fast path, src-main/cli/fast.ts) loads no schema library.
 */

export const MAGIC = Buffer.from('KEYHOLD\x1a', 'latin1')
export const FORMAT_MAJOR = 1
/**
 * 1: the header declares the payload's size (payloadBytes), checked before the body is read.
 * 2: the header may carry commitments: short values a feature binds to the saved payload (the
 *    activity log's head: docs/activity-log.md §3), authenticated with it.
 * 3: the header may declare a catalog: blocks after the image, encrypted apart and sealed to
 *    this save, that a command reads without the image (catalog.ts, docs/vault-catalog.md).
 */
export const FORMAT_MINOR = 3
export const PREFIX_BYTES = MAGIC.length + 2 + 2 + 4
export const DIGEST_BYTES = 32
export const MAX_HEADER_BYTES = 16 * 1024
/** Enough bytes to hold any valid preamble: what status checks read instead of the whole file. */
export const PREAMBLE_MAX_BYTES = 16 + MAX_HEADER_BYTES + 32
/**
 * SECURITY: no vault is larger (100,000 secrets take about 170 MB with the catalog). A bigger file is refused
 * from its size alone, before it is read: reading it would take seconds and as much memory.
 */
export const MAX_VAULT_BYTES = 1024 * 1024 * 1024

/** A vault's id, as its header holds it (format.ts's schema checks it; peek.ts reads it alone). */
export const VAULT_ID_PATTERN = /^[a-z0-9]{16,32}$/

export const corrupt = (what: string) =>
  new KeyholdError(
    'VAULT_CORRUPT',
    `The vault file is damaged (${what}). Keyhold did not change it; restore it from its .bak copy or a backup.`,
  )

/**
 * The preamble's magic, version, bounds and checksum, then its header as parsed JSON (its
 * fields unchecked); `bytes` may be the whole file or just its start, of the file at `path`.
 */
export function readPreamble(bytes: Buffer, path?: string): { json: unknown; minor: number; preambleEnd: number } {
  // A file whose start differs from the magic in more than one byte (a flipped bit) is another kind of file.
  let differing = 0
  for (let i = 0; i < Math.min(bytes.length, MAGIC.length); i++) if (bytes[i] !== MAGIC[i]) differing++
  if (differing > 1)
    throw new KeyholdError(
      'NOT_A_VAULT',
      `${path ?? 'This file'} is not a Keyhold vault (it does not start like one). Keyhold did not change it; check that the path names your vault file.`,
    )
  if (bytes.length < PREFIX_BYTES) throw corrupt('it is too short to be a Keyhold vault')
  const major = bytes.readUInt16BE(8)
  const minor = bytes.readUInt16BE(10)
  if (major !== FORMAT_MAJOR)
    throw new KeyholdError(
      'VAULT_VERSION_UNSUPPORTED',
      `This vault uses file format ${major}, and this Keyhold reads format ${FORMAT_MAJOR}. Update Keyhold to open it; the file was not changed.`,
    )
  const headerLength = bytes.readUInt32BE(12)
  if (headerLength === 0 || headerLength > MAX_HEADER_BYTES) throw corrupt('its header length is out of bounds')
  const preambleEnd = PREFIX_BYTES + headerLength + DIGEST_BYTES
  if (bytes.length < preambleEnd) throw corrupt('it is truncated')
  const body = bytes.subarray(0, PREFIX_BYTES + headerLength)
  const digest = bytes.subarray(PREFIX_BYTES + headerLength, preambleEnd)
  if (!createHash('sha256').update(body).digest().equals(digest)) throw corrupt('its header checksum does not match')

  let json: unknown
  try {
    json = JSON.parse(body.subarray(PREFIX_BYTES).toString('utf8'))
  } catch {
    throw corrupt('its header is not readable')
  }
  return { json, minor, preambleEnd }
}
