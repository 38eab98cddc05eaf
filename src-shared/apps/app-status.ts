import type { AppStatus, AppSummary } from '../types/apps'

/**
 * The status of an application at time `now` (ms since the epoch). Revoked is final; an
 * application is expired from the instant of its expiration on; with no expiration it
 * stays pending (key never used) or active (used at least once) until revoked.
 * Shared so main and the renderer agree as the clock moves on.
 */
export function appStatus(app: Pick<AppSummary, 'expiresAt' | 'lastUsedAt' | 'revokedAt'>, now: number): AppStatus {
  if (app.revokedAt !== null) return 'revoked'
  if (app.expiresAt !== null && now >= Date.parse(app.expiresAt)) return 'expired'
  return app.lastUsedAt !== null ? 'active' : 'pending'
}
