import { KeyholdError } from '../../../src-shared/errors'
import type { ActivityEntry } from '../../../src-shared/types/activity'
import type { Database } from '../vault/database'
import { readMeta } from '../vault/meta'
import type { Anchor } from './activity.anchors'
import { genesisMac, type ChainProblem } from './activity.chain'
import { entryAt } from './activity.repo'

/*
 * What checking the chain reads from a vault and how it reports a break (docs/activity-log.md
 * §3-§5): the log's key and base, an export's entries, the header's head, the anchor this
 * computer keeps, and a problem in words with its position. The chain itself is
 * activity.chain.ts; ActivityService runs the checks.
 */

/** The log's MAC key, kept in the vault's meta (re-keying keeps it). */
export function logKey(db: Database): Buffer {
  const value = readMeta(db, 'activity_key')
  if (value === null) throw new KeyholdError('VAULT_CORRUPT', 'The vault is missing its activity log key. Restore it from its .bak copy or a backup.')
  return Buffer.from(value, 'base64')
}

/** Where the chain starts: genesis, or what retention kept (the last removed entry's seq and MAC). */
export function base(db: Database, vaultId: string): { seq: number; mac: Buffer } {
  const stored = readMeta(db, 'activity_base')
  if (stored !== null) {
    const parsed = JSON.parse(stored) as { seq: number; mac: string }
    return { seq: parsed.seq, mac: Buffer.from(parsed.mac, 'base64') }
  }
  return { seq: 0, mac: genesisMac(logKey(db), vaultId) }
}

/** An export's entries as the chain check reads them; anything malformed is an entry that does not chain. */
export function* exportedEntries(values: readonly unknown[]): Generator<ActivityEntry> {
  for (const value of values) {
    const entry = value as Partial<ActivityEntry> | null
    if (!entry || typeof entry !== 'object' || !Number.isInteger(entry.seq) || typeof entry.mac !== 'string' || typeof entry.actor !== 'object' || entry.actor === null)
      throw new KeyholdError('INVALID_INPUT', 'That export holds an entry that is not an activity entry: the file was changed.')
    yield { seq: entry.seq!, at: String(entry.at), event: entry.event!, actor: entry.actor, target: entry.target ?? null, outcome: entry.outcome!, detail: entry.detail ?? {}, mac: entry.mac }
  }
}

/** A break of the chain as the person reads it. */
export function words(problem: ChainProblem): string {
  switch (problem.kind) {
    case 'changed':
      return `Entry ${problem.seq} was changed or moved: it does not follow the entry before it.`
    case 'missing':
      return problem.from === problem.to ? `Entry ${problem.from} is missing: it was removed.` : `Entries ${problem.from} to ${problem.to} are missing: they were removed.`
    case 'truncated':
      return `The log ends at entry ${problem.last}, but the vault says it reached ${problem.expected}: entries were removed from the end.`
    case 'rolled-back':
      return `The vault file is older than the activity log this computer saw: its log ends at entry ${problem.last}, but entry ${problem.expected} was written here before. An older copy of the vault was put back.`
    case 'forked':
      return `The vault file is older than the activity log this computer saw: entry ${problem.seq} is not the one written here before, so an older copy of the vault was put back and used since (or someone with the master password rewrote the log).`
  }
}

/** The first entry a break concerns (Verify's `at`). */
export function position(problem: ChainProblem): number {
  return problem.kind === 'changed' || problem.kind === 'forked' ? problem.seq : problem.kind === 'missing' ? problem.from : problem.last + 1
}

/** The header's `activity` commitment: `<seq>:<mac>`. Null when absent or malformed. */
export function parseHead(value: string | undefined): { seq: number; mac: string } | null {
  const match = value === undefined ? null : /^(\d{1,15}):([A-Za-z0-9+/]{43}=)$/.exec(value)
  return match ? { seq: Number(match[1]), mac: match[2]! } : null
}

/**
 * The log against the newest head this computer saw: ending before it (an older copy put back),
 * or holding another entry at its position (an older copy that Keyhold has written on since).
 */
export function againstAnchor(db: Database, anchor: Anchor, last: number): ChainProblem | null {
  if (last < anchor.seq) return { kind: 'rolled-back', last, expected: anchor.seq }
  const there = entryAt(db, anchor.seq)
  return there && there.mac !== anchor.mac ? { kind: 'forked', seq: anchor.seq } : null
}
