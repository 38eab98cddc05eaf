/**
 * Seals 10 MiB six times over, as a run of saves would, in a worker thread started as
 * CoreHost starts the core's (with `gc` exposed), and reports the most buffer memory alive;
 * then opens 32 MiB and reports the young-generation collections during it. A worker has buffer accounting of its
 * own and nothing else allocating, so the figures are the cipher's alone.
 * See test/main/vault/crypto.test.ts.
 */
import { randomBytes } from 'node:crypto'
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { parentPort } from 'node:worker_threads'
import { open, sealCopy, sealInPlace, sealWithNonce } from '../../src-main/core/vault/crypto'

const SIZE = 10 << 20
const ROUNDS = 6
const key = Buffer.alloc(32, 3)
const nonce = Buffer.alloc(12, 4)
const aad = Buffer.from('preamble')
const gc = (globalThis as { gc?: () => void }).gc
/** A `gc` performance entry (Node 20's types leave out its detail). */
type GcEntry = PerformanceEntry & { detail?: { kind: number } }

/** The most buffer memory seen alive while `run` runs ROUNDS times. */
async function peakAlive(run: (sample: () => void) => Promise<void>): Promise<number> {
  gc?.()
  const before = process.memoryUsage().arrayBuffers
  let peak = 0
  const sample = () => void (peak = Math.max(peak, process.memoryUsage().arrayBuffers - before))
  for (let round = 0; round < ROUNDS; round++) {
    await run(sample)
    // As between saves: other work runs.
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return peak
}

async function main(): Promise<void> {
  const plaintext = randomBytes(SIZE)
  // Bytes yielded by the last round of each: 10 MiB and the tag.
  const written = { copy: 0, inPlace: 0 }
  const sealing = await peakAlive(async (sample) => {
    written.copy = 0
    for await (const piece of sealCopy(key, nonce, plaintext, aad)) {
      written.copy += piece.length
      sample()
    }
  })
  const copies = Array.from({ length: ROUNDS }, () => Buffer.from(plaintext))
  let round = 0
  const sealingInPlace = await peakAlive(async (sample) => {
    written.inPlace = 0
    for await (const piece of sealInPlace(key, nonce, copies[round]!, aad)) {
      written.inPlace += piece.length
      sample()
    }
    round++
  })
  // Opening: its pieces die at once, and V8 collects them on its own, but only every 32 MiB or
  // so, which the C allocator then keeps. Counted here: the young-generation collections while
  // a 32 MiB vault is opened.
  const big = randomBytes(32 << 20)
  const sealed = sealWithNonce(key, nonce, big, aad)
  const scavenges: PerformanceEntry[] = []
  const observer = new PerformanceObserver((list) => void scavenges.push(...list.getEntries()))
  observer.observe({ entryTypes: ['gc'] })
  const openStart = performance.now()
  const opened = open(key, nonce, sealed, aad)
  const openEnd = performance.now()
  await new Promise((resolve) => setTimeout(resolve, 50))
  observer.disconnect()
  const opening = {
    roundTrip: opened !== null && opened.equals(big),
    scavenges: scavenges.filter(
      (entry) => (entry as GcEntry).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR && entry.startTime >= openStart && entry.startTime <= openEnd,
    ).length,
  }
  parentPort!.postMessage({ hasGc: typeof gc === 'function', written, sealing, sealingInPlace, opening })
}

void main()
