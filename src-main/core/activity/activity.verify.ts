import { KeyholdError } from '../../../src-shared/errors'
import type { ActivityEntry, ActivityVerification } from '../../../src-shared/types/activity'
import type { Database } from '../vault/database'
import { readMeta } from '../vault/meta'
import type { Vault } from '../vault/vault'
import type { Anchor } from './activity.anchors'
import { checkChain, genesisMac, type ChainCheck, type ChainProblem } from './activity.chain'
import { allEntries, entryAt } from './activity.repo'

/*
 * What checking the chain reads from a vault and how it reports a break (docs/activity-log.md
 * §3-§5): the log's key and base, an export's entries, the header's head, the anchor this
 * computer keeps, and a problem in words with its position; the checks of the log and of an
 * export. The chain itself is activity.chain.ts.
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

/**
 * The whole log of `db` checked (ActivityService.verify): the chain from its base, a break kept
 * in meta, the head the header was saved with (`committed`), and this computer's anchor.
 */
export function checkLog(db: Database, vaultId: string, committed: { seq: number; mac: string } | null, anchor: Anchor | null): ActivityVerification {
  const check = checkChain(logKey(db), base(db, vaultId), allEntries(db), committed?.seq)
  const kept = readMeta(db, 'activity_break')
  let problem = kept === null ? check.problem : (JSON.parse(kept) as ChainProblem)
  // The header names the head it was saved with: the entry there must be that one.
  if (!problem && committed && entryAt(db, committed.seq)?.mac !== committed.mac) problem = { kind: 'changed', seq: committed.seq }
  // Older than what this computer saw: a copy put back (§3).
  if (!problem && anchor) problem = againstAnchor(db, anchor, check.last ?? 0)
  return verification(check, problem)
}

/**
 * Checks a JSON export (§7) against this vault's key: the file must be this vault's log, and
 * its entries must chain from the base it names. Says where it breaks, as checkLog does.
 */
export function checkExport(vault: Vault, text: string): ActivityVerification {
  let parsed: { format?: unknown; version?: unknown; vault?: unknown; base?: { seq?: unknown; mac?: unknown }; entries?: unknown }
  try {
    parsed = JSON.parse(text) as typeof parsed
  } catch {
    throw new KeyholdError('INVALID_INPUT', 'That file is not JSON. Give the file `keyhold audit export --format json` wrote.')
  }
  if (parsed?.format !== 'keyhold-activity' || parsed.version !== 1 || !Array.isArray(parsed.entries))
    throw new KeyholdError('INVALID_INPUT', 'That file is not an activity log export. Give the file `keyhold audit export --format json` wrote.')
  if (parsed.vault !== vault.id) throw new KeyholdError('INVALID_INPUT', 'That export is of another vault. Check it with the vault it was exported from (--vault PATH).')
  const baseSeq = parsed.base?.seq
  const baseMac = parsed.base?.mac
  if (!Number.isInteger(baseSeq) || (baseMac !== null && typeof baseMac !== 'string'))
    throw new KeyholdError('INVALID_INPUT', "That export's base is malformed: the file was changed.")
  const check = vault.read((db) => {
    const key = logKey(db)
    const start = baseMac === null ? { seq: 0, mac: genesisMac(key, vault.id) } : { seq: baseSeq as number, mac: Buffer.from(baseMac as string, 'base64') }
    return checkChain(key, start, exportedEntries(parsed.entries as unknown[]))
  })
  return verification(check, check.problem)
}

/** A check as the log reports it: the range checked, and the first problem in words with its position. */
function verification(check: ChainCheck, problem: ChainProblem | null): ActivityVerification {
  return {
    ok: problem === null,
    count: check.count,
    first: check.first,
    last: check.last,
    problem: problem && words(problem),
    at: problem && position(problem),
    restored: problem?.kind === 'rolled-back' || problem?.kind === 'forked',
  }
}
