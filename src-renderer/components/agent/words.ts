import type { AppType } from '../../../src-shared/types/apps'
import type { PairingSummary } from '../../../src-shared/types/pairings'
import { t } from '../../i18n'

/**
 * How local access is worded, one definition each, for the approval dialogs and Settings >
 * Connected apps: what a device says it is, what a pairing may read, and how it ended. Each
 * is a function, so the words follow the app's language when it changes.
 */

type Kind = PairingSummary['kind']

/** What a device says it is: "Mobile app", "Browser extension", "Terminal". */
export function kindLabel(kind: Kind): string {
  return t(`agent.kind.${kind}`)
}

/** An application's type as My apps shows it: "Mobile app", "Extension". */
export function appTypeLabel(type: AppType): string {
  return t(`agent.appType.${type}`)
}

/** Platforms are names, written the same in every language; "other" is a word. */
const PLATFORM_NAMES: Record<string, string> = {
  android: 'Android',
  ios: 'iOS',
  linux: 'Linux',
  macos: 'macOS',
  windows: 'Windows',
  chrome: 'Chrome',
  firefox: 'Firefox',
  edge: 'Edge',
  safari: 'Safari',
}

/** A platform as people write it; one this version does not know is shown as given. */
export function platformLabel(platform: string): string {
  if (platform === 'other') return t('agent.platformOther')
  return PLATFORM_NAMES[platform] ?? platform
}

/** "Pixel 8 · Android". */
export function deviceText(device: { name: string; platform: string }): string {
  return `${device.name} · ${platformLabel(device.platform)}`
}

/** The warning when what the device says it is differs from the application's type in My apps, else null. */
export function kindMismatch(kind: Kind, app: { name: string; type: AppType }): string | null {
  if (kind === app.type) return null
  return t('agent.kindMismatch', { kind: t(`agent.kindPhrase.${kind}`), app: app.name, type: t(`agent.typePhrase.${app.type}`) })
}

/** What a pairing may read: "All API secrets" or "Tagged: prod, payments". */
export function scopeText(scope: PairingSummary['scope']): string {
  return scope.secrets === 'all' ? t('agent.scope.all') : t('agent.scope.tagged', { tags: scope.tags.join(', ') })
}

/** Whether a pairing asks before a client secret is shown: "Asks", "Doesn’t ask". */
export function revealLabel(reveal: PairingSummary['reveal']): string {
  return t(`agent.revealPolicy.${reveal}`)
}

/** A pairing's status pill: its words and its tone. */
export function pairingStatus(pairing: PairingSummary): { label: string; tone: 'success' | 'neutral' | 'warning' | 'danger' } {
  switch (pairing.status) {
    case 'live':
      return { label: t('agent.status.live'), tone: 'success' }
    case 'expired':
      return { label: t('agent.status.expired'), tone: 'warning' }
    case 'app-revoked':
      return { label: t('agent.status.appRevoked'), tone: 'danger' }
    case 'ended':
      return { label: t('agent.status.ended'), tone: 'neutral' }
  }
}

const END_REASON_KEYS: Record<NonNullable<PairingSummary['endReason']>, string> = {
  revoked: 'agent.endReason.revoked',
  'revoked-all': 'agent.endReason.revokedAll',
  'signed-out': 'agent.endReason.signedOut',
  idle: 'agent.endReason.idle',
}

/** Why it ended, under the pill: "Signed out", "By Revoke all", "In My apps" (its application was revoked). */
export function endText(pairing: PairingSummary): string | null {
  if (pairing.status === 'app-revoked') return t('agent.endReason.appRevoked')
  return pairing.endReason ? t(END_REASON_KEYS[pairing.endReason]) : null
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
  if (Number.isInteger(hours)) return t('agent.hours', {}, hours)
  const minutes = Math.round(ms / 60_000)
  return t('agent.minutes', {}, minutes)
}

/** What Allow gives a terminal, from the agent's own grant (docs/terminal-sessions.md §3). */
export function terminalGrantText(grant: { idleMs: number; lifetimeMs: number }): string {
  return t('agent.terminalGrant', { idle: durationText(grant.idleMs), lifetime: durationText(grant.lifetimeMs) })
}
