/**
 * The expiration date and time as the dialogs show them: a date field (the browser's
 * calendar) and a list of times, in the person's local time zone; main gets ISO-8601 UTC.
 */

import { t } from '../../i18n'

/** The times offered in the time list: every half hour. */
export const TIME_STEP_MINUTES = 30
export const TIMES: readonly string[] = Array.from({ length: (24 * 60) / TIME_STEP_MINUTES }, (_, i) => {
  const minutes = i * TIME_STEP_MINUTES
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
})

const pad = (n: number) => String(n).padStart(2, '0')

/** ISO-8601 (UTC) to the local date (YYYY-MM-DD) and time (HH:MM) the fields hold. */
export function toLocalParts(iso: string | null): { date: string; time: string } {
  if (iso === null) return { date: '', time: '' }
  const d = new Date(iso)
  return { date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`, time: `${pad(d.getHours())}:${pad(d.getMinutes())}` }
}

/** The fields' state: nothing (no expiration), an instant, or what is missing. */
export type Expiration = { kind: 'none' } | { kind: 'at'; iso: string; ms: number } | { kind: 'incomplete'; message: string }

/** Reads the two fields. Both empty: no expiration. One of them only: incomplete. */
export function readExpiration(date: string, time: string): Expiration {
  if (!date && !time) return { kind: 'none' }
  if (!date) return { kind: 'incomplete', message: t('apps.expiration.chooseDate') }
  if (!time) return { kind: 'incomplete', message: t('apps.expiration.chooseTime') }
  const ms = new Date(`${date}T${time}:00`).getTime()
  if (Number.isNaN(ms)) return { kind: 'incomplete', message: t('apps.expiration.invalid') }
  return { kind: 'at', iso: new Date(ms).toISOString(), ms }
}

/** What keeps the fields from giving a new expiration (incomplete, or in the past), or null. */
export function expirationProblem(expiration: Expiration, now = Date.now()): string | null {
  if (expiration.kind === 'incomplete') return expiration.message
  if (expiration.kind === 'at' && expiration.ms <= now) return t('apps.expiration.past')
  return null
}

/** A date and time in the person's locale and time zone (the app's one formatter, lib/date-time.ts). */
export { formatDateTime as formatWhen, formatDateParts as formatParts } from '../../lib/date-time'
