import type { AppType } from '../../../src-shared/types/apps'
import type { PairingSummary } from '../../../src-shared/types/pairings'

/**
 * How local access is worded, one definition each, for the approval dialogs and Settings >
 * Connected apps: what a device says it is, what a pairing may read, and how it ended.
 */

type Kind = PairingSummary['kind']

export const KIND_LABELS: Record<Kind, string> = { mobile: 'Mobile app', extension: 'Browser extension', cli: 'Terminal' }

const KIND_PHRASES: Record<Kind, string> = { mobile: 'a mobile app', extension: 'a browser extension', cli: 'a terminal' }
const TYPE_PHRASES: Record<AppType, string> = { mobile: 'a mobile app', extension: 'an extension' }

const PLATFORM_LABELS: Record<string, string> = {
  android: 'Android',
  ios: 'iOS',
  linux: 'Linux',
  macos: 'macOS',
  windows: 'Windows',
  chrome: 'Chrome',
  firefox: 'Firefox',
  edge: 'Edge',
  safari: 'Safari',
  other: 'Other',
}

/** A platform as people write it; one this version does not know is shown as given. */
export function platformLabel(platform: string): string {
  return PLATFORM_LABELS[platform] ?? platform
}

/** "Pixel 8 · Android". */
export function deviceText(device: { name: string; platform: string }): string {
  return `${device.name} · ${platformLabel(device.platform)}`
}

/** The warning when what the device says it is differs from the application's type in My apps, else null. */
export function kindMismatch(kind: Kind, app: { name: string; type: AppType }): string | null {
  if (kind === app.type) return null
  return `The device says it is ${KIND_PHRASES[kind]}, but “${app.name}” was made for ${TYPE_PHRASES[app.type]}. Deny unless you expected this.`
}

/** What a pairing may read: "All API secrets" or "Tagged: prod, payments". */
export function scopeText(scope: PairingSummary['scope']): string {
  return scope.secrets === 'all' ? 'All API secrets' : `Tagged: ${scope.tags.join(', ')}`
}

export const REVEAL_LABELS: Record<PairingSummary['reveal'], string> = { ask: 'Asks', allow: 'Doesn’t ask' }

/** A pairing's status pill: its words and its tone. */
export function pairingStatus(pairing: PairingSummary): { label: string; tone: 'success' | 'neutral' | 'warning' | 'danger' } {
  switch (pairing.status) {
    case 'live':
      return { label: 'Connected', tone: 'success' }
    case 'expired':
      return { label: 'Expired', tone: 'warning' }
    case 'app-revoked':
      return { label: 'Revoked', tone: 'danger' }
    case 'ended':
      return { label: 'Ended', tone: 'neutral' }
  }
}

const END_REASONS: Record<NonNullable<PairingSummary['endReason']>, string> = {
  revoked: 'Revoked',
  'revoked-all': 'By Revoke all',
  'signed-out': 'Signed out',
  idle: 'Unused too long',
}

/** Why it ended, under the pill: "Signed out", "By Revoke all", "In My apps" (its application was revoked). */
export function endText(pairing: PairingSummary): string | null {
  if (pairing.status === 'app-revoked') return 'In My apps'
  return pairing.endReason ? END_REASONS[pairing.endReason] : null
}

/** Minutes and seconds left until `deadline`: "1:59", "0:00" once past. */
export function countdownText(deadline: string, now: number): string {
  const left = Date.parse(deadline) - now
  const seconds = Number.isNaN(left) ? 0 : Math.max(0, Math.ceil(left / 1000))
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

/** "10 minutes", "12 hours", "1 hour": whole hours as hours, else minutes. */
function durationText(ms: number): string {
  const hours = ms / 3_600_000
  if (Number.isInteger(hours)) return hours === 1 ? '1 hour' : `${hours} hours`
  const minutes = Math.round(ms / 60_000)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

/** What Allow gives a terminal, from the agent's own grant (docs/terminal-sessions.md §3). */
export function terminalGrantText(grant: { idleMs: number; lifetimeMs: number }): string {
  return `Commands from this terminal run without the master password until it has been idle ${durationText(grant.idleMs)} or ${durationText(grant.lifetimeMs)} have passed, or Keyhold locks.`
}
