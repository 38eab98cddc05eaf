import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Services } from '../../../src-main/core/services'
import { ACTIVITY_EVENTS, ACTOR_TYPES, OUTCOMES, TARGET_TYPES } from '../../../src-shared/types/activity'
import { unlockedServices } from '../../support/vault'

/**
 * Every kind the types allow is one the vault's table takes: an entry the table refused would
 * fail its whole write (the other entries of that write with it). A new event, actor, target
 * or outcome in src-shared/types/activity.ts without its place in the table fails here.
 */
describe('the activity table takes every kind of entry the types allow', () => {
  let services: Services
  let cleanup: () => void
  beforeAll(async () => {
    ;({ services, cleanup } = await unlockedServices())
  })
  afterAll(() => cleanup())

  it('each event, actor type, target type and outcome is written and read back', async () => {
    const count = Math.max(ACTIVITY_EVENTS.length, ACTOR_TYPES.length, TARGET_TYPES.length, OUTCOMES.length)
    for (let i = 0; i < count; i++) {
      services.activity.record({
        event: ACTIVITY_EVENTS[i % ACTIVITY_EVENTS.length]!,
        actor: { type: ACTOR_TYPES[i % ACTOR_TYPES.length]! },
        target: { type: TARGET_TYPES[i % TARGET_TYPES.length]!, name: `kind test ${i}` },
        outcome: OUTCOMES[i % OUTCOMES.length]!,
        detail: { i },
      })
    }
    const written = (await services.activity.list({ limit: 500 })).items.filter((entry) => entry.target?.name?.startsWith('kind test '))
    expect(written).toHaveLength(count)
    expect(new Set(written.map((e) => e.event))).toEqual(new Set(ACTIVITY_EVENTS))
    expect(new Set(written.map((e) => e.actor.type))).toEqual(new Set(ACTOR_TYPES))
    expect(new Set(written.map((e) => e.target!.type))).toEqual(new Set(TARGET_TYPES))
    expect(new Set(written.map((e) => e.outcome))).toEqual(new Set(OUTCOMES))
  })
})
