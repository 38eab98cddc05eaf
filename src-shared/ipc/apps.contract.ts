import { z } from 'zod'
import { lineText, UUID } from '../text'
import { canonicalTime } from '../apps/iso-time'
import { APP_LIST_FILTERS, APP_TYPES, type AppCreated, type AppId, type AppSummary } from '../types/apps'
import type { ClipboardCopy } from '../types/settings'
import { channel } from './define'

const copyHandle = z.string().regex(/^[0-9a-f]{32}$/, 'That copy handle is not valid.')

export const APP_NAME_MAX = 100

/** Name*: trimmed, required, bounded, one line. */
export const appName = lineText('name', APP_NAME_MAX, { trim: true, empty: 'The name is mandatory: enter a name for the application.' })

/** Application type*: Mobile app or Extension. */
export const appType = z.enum(APP_TYPES, { error: 'The application type is mandatory: choose Mobile app (mobile) or Extension (extension).' })

/**
 * Expiration date: an ISO-8601 date and time with a time zone, normalised to UTC. Whether it
 * is in the future is the service's rule, since only main has the clock.
 */
export const appExpiresAt = z
  .string()
  .max(40, 'The expiration must be an ISO-8601 date and time, e.g. 2026-12-31T18:00:00Z.')
  .transform((value, ctx) => {
    const iso = canonicalTime(value)
    if (iso === null) {
      ctx.addIssue({ code: 'custom', message: 'The expiration must be an ISO-8601 date and time with a time zone, e.g. 2026-12-31T18:00:00Z.' })
      return z.NEVER
    }
    return iso
  })

export const appId = z
  .string()
  .regex(UUID, 'The application id is not valid (ids look like 8f14e45f-ceea-4e7a-9f1b-3c4d5e6f7a8b; see `keyhold app list`).')
  .transform((value) => value as AppId)

export const appsChannels = {
  /** The My apps report. `current` (default): pending and active; `inactive`: expired and revoked. */
  appsList: channel<AppSummary[]>()('apps:list', z.strictObject({ filter: z.enum(APP_LIST_FILTERS, { error: 'Unknown filter.' }).optional() })),
  /**
   * "+ New key". SECURITY: the key is generated in main; the result is the only place it
   * (as code, URI and QR) ever appears.
   */
  appsCreate: channel<AppCreated>()(
    'apps:create',
    z.strictObject({ name: appName, type: appType, expiresAt: appExpiresAt.nullable().optional() }),
  ),
  /** Edit changes the name and the expiration only (null: no expiration). */
  appsEdit: channel<AppSummary>()(
    'apps:edit',
    z
      .strictObject({ id: appId, name: appName.optional(), expiresAt: appExpiresAt.nullable().optional() })
      .refine((input) => input.name !== undefined || input.expiresAt !== undefined, {
        message: 'Nothing to change: give a new name or a new expiration.',
      }),
  ),
  /** Irreversible; records when. */
  appsRevoke: channel<AppSummary>()('apps:revoke', z.strictObject({ id: appId })),
  /** The key screen's "Copy code", by the handle its create answer carried; main clears the clipboard after the person's delay. */
  appsCopyCode: channel<ClipboardCopy>()('apps:copy-code', z.strictObject({ handle: copyHandle })),
  /** The key screen closed: its code cannot be copied any more. */
  appsForgetCode: channel<null>()('apps:forget-code', z.strictObject({ handle: copyHandle })),
} as const
