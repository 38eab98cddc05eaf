import { createHmac, timingSafeEqual } from 'node:crypto'
import type { ActivityEntry } from '../../../src-shared/types/activity'

/** What the MAC covers: every field but the MAC, as a JSON array with object keys sorted (docs/activity-log.md §3). */
export function canonical(entry: Omit<ActivityEntry, 'mac'>): Buffer {
  const { seq, at, event, actor, target, outcome, detail } = entry
  return Buffer.from(JSON.stringify([seq, at, event, sorted(actor), target ? sorted(target) : null, outcome, sorted(detail)]), 'utf8')
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
  )
}

/** mac_0: where the chain of vault `vaultId` starts. */
export function genesisMac(key: Buffer, vaultId: string): Buffer {
  return createHmac('sha256', key).update('keyhold-activity-v1').update(vaultId).digest()
}

/** mac_n = HMAC(K_log, mac_{n-1} || canonical(entry_n)). */
export function chainMac(key: Buffer, previous: Buffer, entry: Omit<ActivityEntry, 'mac'>): Buffer {
  return createHmac('sha256', key).update(previous).update(canonical(entry)).digest()
}

/** Where a check of the chain stopped, for people (the first problem found). */
export type ChainProblem =
  | { kind: 'changed'; seq: number }
  | { kind: 'missing'; from: number; to: number }
  | { kind: 'truncated'; last: number; expected: number }
  | { kind: 'rolled-back'; last: number; expected: number }
  /** The entry at `seq` is not the one this computer saw there: an older copy was put back and written to since. */
  | { kind: 'forked'; seq: number }

export interface ChainCheck {
  ok: boolean
  /** Entries checked, and the first and last seq of the range. */
  count: number
  first: number | null
  last: number | null
  problem: ChainProblem | null
}

/**
 * Walks `entries` (in seq order, as stored) from `base` (the MAC before the first one, and its
 * seq: the genesis and 0, or what retention kept) and reports the first break: an entry whose
 * MAC does not follow (changed, or moved: a reordering changes the MACs from there on), a gap in
 * seq (entries removed from the middle), or fewer entries than `expectedLast` (removed at the end).
 */
export function checkChain(key: Buffer, base: { seq: number; mac: Buffer }, entries: Iterable<ActivityEntry>, expectedLast?: number): ChainCheck {
  let previous = base.mac
  let expected = base.seq + 1
  let count = 0
  let first: number | null = null
  let last: number | null = null
  for (const entry of entries) {
    if (entry.seq !== expected) {
      if (entry.seq > expected) return { ok: false, count, first, last, problem: { kind: 'missing', from: expected, to: entry.seq - 1 } }
      return { ok: false, count, first, last, problem: { kind: 'changed', seq: entry.seq } }
    }
    const mac = chainMac(key, previous, entry)
    if (!timingSafeEqual(mac, Buffer.from(entry.mac, 'base64'))) return { ok: false, count, first, last, problem: { kind: 'changed', seq: entry.seq } }
    previous = mac
    first ??= entry.seq
    last = entry.seq
    expected++
    count++
  }
  if (expectedLast !== undefined && (last ?? base.seq) < expectedLast)
    return { ok: false, count, first, last, problem: { kind: 'truncated', last: last ?? base.seq, expected: expectedLast } }
  return { ok: true, count, first, last, problem: null }
}
