/** AES-256-GCM's sizes, as the vault file holds them (crypto.ts does the encryption; format.ts reads the layout without loading it). */
export const KEY_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
