/**
 * Frees the buffers that AES-GCM leaves behind during a save, where the host allows it.
 *
 * Node's `cipher.update()` returns a new buffer on every call, so a save leaves the vault's
 * whole size in dead buffers, held outside V8's heap until its next garbage collection.
 * V8 collects them on its own only after tens of MiB (the pieces still being written when a
 * collection comes are kept and promoted, and then wait for a full one). A young-generation
 * collection (a scavenge, which copies only the few young objects still alive) every 4 MiB
 * frees them as they die: in the app's layout at 10,000 secrets the RSS peak during saves
 * went from 150-158 MiB to 132-136 MiB, with the same save times (npm run bench).
 *
 * V8 offers that only as `gc`, which CoreHost exposes to the core's worker. Elsewhere (the
 * CLI, which exits after one command) there is no `gc` and this does nothing. Opening needs
 * none of it: its pieces die at once, in a loop without awaits, and V8's own collections
 * keep up with them.
 */

/** Dead cipher output after which a collection runs. */
export const COLLECT_EVERY_BYTES = 4 << 20

type Gc = (options: { type: 'minor' }) => void

/** Dead bytes since the last collection, across saves: small vaults' saves add up too. */
let dead = 0

/** Counts `bytes` of cipher output that nothing uses any more; collects the young generation every COLLECT_EVERY_BYTES. */
export function bufferDied(bytes: number): void {
  const gc = (globalThis as { gc?: Gc }).gc
  if (typeof gc !== 'function') return
  dead += bytes
  if (dead < COLLECT_EVERY_BYTES) return
  dead = 0
  gc({ type: 'minor' })
}
