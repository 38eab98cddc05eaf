/** Small statistics for the benchmark: medians over runs, and a probe for event-loop blocking. */

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const max = (values: number[]) => Math.max(...values)

/** Runs `fn` and returns its wall time in ms. */
export async function timed(fn: () => unknown): Promise<number> {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

/**
 * Runs `fn` while measuring the longest stretch the event loop was blocked (ms): the largest
 * gap between two runs of a 1 ms interval, as a window or a second request would feel it.
 * Also the highest RSS seen (MiB), sampled on the same ticks.
 */
export async function probed(fn: () => Promise<unknown>): Promise<{ ms: number; maxBlockMs: number; peakRssMiB: number }> {
  let peak = process.memoryUsage.rss()
  let last = performance.now()
  let maxGap = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - last)
    last = now
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 1)
  const start = performance.now()
  await fn()
  const ms = performance.now() - start
  clearInterval(ticker)
  maxGap = Math.max(maxGap, performance.now() - last)
  peak = Math.max(peak, process.memoryUsage.rss())
  return { ms, maxBlockMs: maxGap, peakRssMiB: peak / 1048576 }
}

export const rssMiB = () => process.memoryUsage.rss() / 1048576
