/**
 * Frees the buffers that AES-GCM leaves behind when a vault is opened or saved, where the
 * host allows it.
 *
 * Node's cipher returns a new buffer on every `update()`, so opening or saving a vault leaves
 * its whole size in dead 256 KiB buffers. They are malloc'd outside V8's heap, and V8 frees
 * them only at its next collection, which it starts on their account only after about 32 MiB
 * of them (when saving, the pieces still being written then are kept and promoted, and wait
 * for a full collection). So tens of MiB pile up, and the C allocator keeps the memory they
 * took once they are freed. A young-generation collection (a scavenge, which copies only the
 * few young objects still alive) every 4 MiB frees them as they die (the effect on RSS is in
 * the README's performance section).
 *
 * V8 offers that only as `gc`, which CoreHost exposes to the core's worker. The CLI makes one
 * on first need (`useCollector`, main.ts): without it, every piece of a cold command's cipher
 * output was fresh memory, and its page faults cost more than the cipher. Elsewhere (tests)
 * there is none and this does nothing.
 */

/** Dead cipher output after which a collection runs. */
export const COLLECT_EVERY_BYTES = 4 << 20

export type Gc = (options: { type: 'minor' }) => void

/** Dead bytes since the last collection, across saves: small vaults' saves add up too. */
let dead = 0

/** How to get `gc` where the host did not expose it, asked once, on first need (see useCollector). */
let makeCollector: (() => Gc) | null = null
let made: Gc | null = null

/** Where `gc` is not exposed, `make` gives it when a vault is first opened or saved (the CLI: main.ts). */
export function useCollector(make: () => Gc): void {
  makeCollector = make
}

/** Counts `bytes` of cipher output that nothing uses any more; collects the young generation every COLLECT_EVERY_BYTES. */
export function bufferDied(bytes: number): void {
  const exposed = (globalThis as { gc?: Gc }).gc
  const gc = typeof exposed === 'function' ? exposed : (made ??= makeCollector?.() ?? null)
  if (typeof gc !== 'function') return
  dead += bytes
  if (dead < COLLECT_EVERY_BYTES) return
  dead = 0
  gc({ type: 'minor' })
}
