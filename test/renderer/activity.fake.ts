import type { Result } from '../../src-shared/errors'
import type { KeyholdApi } from '../../src-shared/ipc/contract'
import type { ActivityEntry, ActivityExport, ActivityQuery, ActivityRetention, ActivityVerification } from '../../src-shared/types/activity'

type Api = Partial<KeyholdApi>

const ok = <T>(value: T): Result<T> => ({ ok: true, value })

/** The Stripe secret the entries below are about. */
export const STRIPE_ID = '0b7c1f2e-1111-4111-8111-000000000001'
/** The paired phone's application and pairing. */
export const PHONE_APP_ID = '22222222-2222-4222-8222-222222222222'
export const PHONE_PAIRING_ID = '33333333-3333-4333-8333-333333333333'

/** An entry as main lists it, at `minute` past 09:00 UTC on 1 May 2026. */
export function entry(seq: number, over: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    seq,
    at: new Date(Date.UTC(2026, 4, 1, 9, seq)).toISOString(),
    event: 'vault.unlocked',
    actor: { type: 'app' },
    target: { type: 'vault', id: 'v1' },
    outcome: 'ok',
    detail: { with: 'password' },
    mac: 'A'.repeat(43) + '=',
    ...over,
  }
}

/** A small log: an unlock, a secret added, shown, copied, a pairing, its requests (one refused), a wrong password. */
export function sampleLog(): ActivityEntry[] {
  const stripe = { type: 'secret' as const, id: STRIPE_ID, name: 'Stripe prod' }
  const phone = { type: 'pairing' as const, id: PHONE_PAIRING_ID, name: 'Work phone' }
  return [
    entry(1),
    entry(2, { event: 'secret.added', target: stripe, detail: {} }),
    entry(3, { event: 'secret.revealed', target: stripe, detail: {} }),
    entry(4, { event: 'secret.copied', target: stripe, detail: { field: 'clientSecret' } }),
    entry(5, { event: 'app.paired', target: { type: 'app', id: PHONE_APP_ID, name: 'Work phone' }, detail: { device: 'Pixel 8', scope: 'all' } }),
    entry(6, { event: 'pairing.request', actor: phone, target: { type: 'secret', id: STRIPE_ID }, detail: { op: 'secrets.get' } }),
    entry(7, { event: 'pairing.request', actor: phone, target: null, outcome: 'forbidden', detail: { op: 'audit.list' } }),
    entry(8, { event: 'appkey.used', actor: { type: 'appkey', id: 'keyhold-a1b2c3-abcdefghjkmn' }, target: null, detail: { op: 'secrets.list' } }),
    entry(9, { event: 'vault.unlock-failed', target: { type: 'vault', id: 'v1' }, outcome: 'failed', detail: { count: 3 } }),
  ]
}

/** What Verify says of a vault put back from an older copy (main's words). */
export const RESTORED: ActivityVerification = {
  ok: false,
  count: 9,
  first: 1,
  last: 9,
  problem:
    'The vault file is older than the activity log this computer saw: its log ends at entry 9, but entry 14 was written here before. An older copy of the vault was put back.',
  at: 10,
  restored: true,
}

/**
 * The activity channels in memory, for store and page tests: the list's filters and pages as
 * main applies them (newest first, `before`, `limit`, a search by names, event names and the
 * events and kinds of actor named by the words on screen), Verify's answer, accepting a
 * restored vault, the retention setting (lowering it removes the oldest entries beyond the
 * count), and Export through a pretend save dialog (`exportPath` null: the person cancelled).
 * Logs each list request and each retention change.
 */
export class FakeActivity {
  entries: ActivityEntry[] = sampleLog()
  readonly listCalls: ActivityQuery[] = []
  verification: ActivityVerification = { ok: true, count: 9, first: 1, last: 9, problem: null, at: null, restored: false }
  retention: ActivityRetention = { days: 365, entries: 100_000 }
  readonly retentionCalls: ActivityRetention[] = []
  /** Answers activity:retention instead (main cannot read the setting). */
  retentionReadFailure: Result<never> | null = null
  /** Answers activity:set-retention instead, once (e.g. main's field errors). */
  retentionFailure: Result<never> | null = null
  acceptCalls = 0
  exportPath: string | null = '/home/me/keyhold-activity-2026-05-01.csv'
  exportFailure: Result<never> | null = null
  readonly exports: string[] = []
  /** Holds list answers until released, to test that only the latest one is kept. */
  hold = false
  private held: Array<() => void> = []

  release(): void {
    const held = this.held
    this.held = []
    for (const go of held) go()
  }

  /** `count` unlocks, seq 1..count, for paging. */
  many(count: number): this {
    this.entries = Array.from({ length: count }, (_, i) => entry(i + 1, { at: new Date(Date.UTC(2026, 4, 1, 9, 0, i)).toISOString() }))
    return this
  }

  api(): Api {
    return {
      activityList: async (input) => {
        this.listCalls.push(input)
        if (this.hold) await new Promise<void>((go) => this.held.push(go))
        const search = input.search?.toLowerCase()
        const matches = this.entries
          .filter((e) => input.before === undefined || e.seq < input.before)
          .filter((e) => !input.event || e.event === input.event)
          .filter((e) => !input.actorType || e.actor.type === input.actorType)
          .filter((e) => !input.targetId || e.target?.id === input.targetId)
          .filter((e) => !input.since || e.at >= input.since)
          .filter((e) => !input.until || e.at <= input.until)
          .filter(
            (e) =>
              !search ||
              [e.event, e.actor.name ?? '', e.target?.name ?? ''].some((f) => f.toLowerCase().includes(search)) ||
              input.searchEvents?.includes(e.event) ||
              input.searchActorTypes?.includes(e.actor.type),
          )
          .sort((a, b) => b.seq - a.seq)
        const limit = input.limit ?? 50
        const items = matches.slice(0, limit)
        return ok({ items, nextBefore: matches.length > limit ? items[items.length - 1]!.seq : null })
      },
      activityVerify: async () => ok(this.verification),
      activityAcceptRestore: async () => {
        this.acceptCalls++
        if (!this.verification.restored) return { ok: false, error: { code: 'CONFLICT', message: 'There is no older copy of the vault to accept: the activity log is not behind what this computer saw.' } }
        const last = this.entries.length + 1
        this.entries.push(entry(last, { event: 'log.restore-accepted', detail: { vaultLast: last - 1, seenLast: 14 } }))
        this.verification = { ok: true, count: last, first: 1, last, problem: null, at: null, restored: false }
        return ok(this.verification)
      },
      activityRetention: async () => this.retentionReadFailure ?? ok({ ...this.retention }),
      activitySetRetention: async (input) => {
        this.retentionCalls.push(input)
        const failure = this.retentionFailure
        this.retentionFailure = null
        if (failure) return failure
        const removed = Math.max(0, this.entries.length - input.entries)
        this.entries = this.entries.slice(removed)
        this.retention = { ...input }
        return ok({ ...input, removed })
      },
      activityExport: async ({ format }) => {
        this.exports.push(format)
        if (this.exportFailure) return this.exportFailure
        const result: ActivityExport = this.exportPath
          ? { saved: true, path: this.exportPath.replace(/\.csv$/, `.${format}`), count: this.entries.length }
          : { saved: false, path: null, count: 0 }
        return ok(result)
      },
    }
  }
}
