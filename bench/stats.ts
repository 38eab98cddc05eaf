/** Small statistics for the benchmark: medians over runs, and a probe for event-loop blocking. */
import { monitorEventLoopDelay } from 'node:perf_hooks'

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
 * Runs `fn` while measuring the longest stretch the event loop was blocked (ms) and the
 * highest RSS seen (MiB, sampled every 5 ms), as a window or a second request would feel them.
 */
export async function probed(fn: () => Promise<unknown>): Promise<{ ms: number; maxBlockMs: number; peakRssMiB: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  let peak = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 5)
  histogram.enable()
  const start = performance.now()
  await fn()
  const ms = performance.now() - start
  histogram.disable()
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage.rss())
  // The histogram records how late each 1 ms tick fired: its max is the longest block.
  return { ms, maxBlockMs: histogram.max / 1e6, peakRssMiB: peak / 1048576 }
}

export const rssMiB = () => process.memoryUsage.rss() / 1048576
