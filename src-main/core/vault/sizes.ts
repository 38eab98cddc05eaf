/** AES-256-GCM's sizes, as the vault file holds them (crypto.ts does the encryption; format.ts reads the layout without loading it). */
export const KEY_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
/** A catalog's id (format 1.3, catalog.ts). */
export const CATALOG_ID_BYTES = 16
/** A catalog's seal: the SHA-256 it seals (32) and its tag. */
export const SEAL_BYTES = 32 + TAG_BYTES
