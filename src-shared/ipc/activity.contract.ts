import { z } from 'zod'
import { ACTIVITY_EVENTS, ACTIVITY_EXPORT_FORMATS, ACTOR_TYPES, RETENTION_LIMITS, type ActivityExport, type ActivityPage, type ActivityRetention, type ActivityVerification } from '../types/activity'
import { channel } from './define'

const isoTime = z.iso.datetime({ offset: true, message: 'Give the time as ISO-8601 with a time zone, e.g. 2026-12-01T00:00:00Z.' })
const id = z.string().min(1).max(100)

/** Activity in the side menu: the log's filters (docs/activity-log.md §7). */
export const activityQuery = z.strictObject({
  since: isoTime.optional(),
  until: isoTime.optional(),
  event: z.enum(ACTIVITY_EVENTS).optional(),
  actorType: z.enum(ACTOR_TYPES).optional(),
  actorId: id.optional(),
  targetId: id.optional(),
  search: z.string().trim().min(1).max(100).optional(),
  searchEvents: z.array(z.enum(ACTIVITY_EVENTS)).max(ACTIVITY_EVENTS.length).optional(),
  searchActorTypes: z.array(z.enum(ACTOR_TYPES)).max(ACTOR_TYPES.length).optional(),
  limit: z.number().int().min(1).max(500).optional(),
  before: z.number().int().min(1).optional(),
})

export const activityChannels = {
  /** One page of the log, newest first. SECURITY: entries hold public facts only. */
  activityList: channel<ActivityPage>()('activity:list', activityQuery),
  /** Checks the chain and says where it breaks. */
  activityVerify: channel<ActivityVerification>()('activity:verify', z.strictObject({})),
  /** Export as CSV or JSON through the save dialog. */
  activityExport: channel<ActivityExport>()('activity:export', z.strictObject({ format: z.enum(ACTIVITY_EXPORT_FORMATS) })),
  /** The retention setting (§5). */
  activityRetention: channel<ActivityRetention>()('activity:retention', z.strictObject({})),
  /** Changes the retention setting, removes what falls outside it at once, and records the change. */
  activitySetRetention: channel<ActivityRetention & { removed: number }>()(
    'activity:set-retention',
    z.strictObject({
      days: z.number().int().min(RETENTION_LIMITS.days.min).max(RETENTION_LIMITS.days.max),
      entries: z.number().int().min(RETENTION_LIMITS.entries.min).max(RETENTION_LIMITS.entries.max),
    }),
  ),
  /** The person accepts a vault put back from an older copy (§3): the check follows it, and the log records it. */
  activityAcceptRestore: channel<ActivityVerification>()('activity:accept-restore', z.strictObject({})),
} as const
