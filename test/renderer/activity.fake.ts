import type { Result } from '../../src-shared/errors'
import type { KeyholdApi } from '../../src-shared/ipc/contract'
import type { ActivityEntry, ActivityExport, ActivityQuery, ActivityVerification } from '../../src-shared/types/activity'

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

/**
 * The activity channels in memory, for store and page tests: the list's filters and pages as
 * main applies them (newest first, `before`, `limit`), Verify's answer, and Export through a
 * pretend save dialog (`exportPath` null: the person cancelled). Logs each list request.
 */
export class FakeActivity {
  entries: ActivityEntry[] = sampleLog()
  readonly listCalls: ActivityQuery[] = []
  verification: ActivityVerification = { ok: true, count: 9, first: 1, last: 9, problem: null, at: null, restored: false }
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
          .filter((e) => !search || [e.event, e.actor.name ?? '', e.target?.name ?? ''].some((f) => f.toLowerCase().includes(search)))
          .sort((a, b) => b.seq - a.seq)
        const limit = input.limit ?? 50
        const items = matches.slice(0, limit)
        return ok({ items, nextBefore: matches.length > limit ? items[items.length - 1]!.seq : null })
      },
      activityVerify: async () => ok(this.verification),
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
