import { formattingLocale } from '../i18n'

/**
 * The one way the renderer writes dates and times: in the app's language (Settings >
 * Language, the system's by default) and the system's time zone, so a time reads "10:29 PM"
 * in English and "22:29" in Portuguese, the same way on every screen. Stored values are
 * ISO-8601 (UTC); a value that does not parse is shown as is.
 */

const formatters = new Map<string, { dateTime: Intl.DateTimeFormat; date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>()

/** The formatters for the current locale (made once per locale). */
function format(): { dateTime: Intl.DateTimeFormat; date: Intl.DateTimeFormat; time: Intl.DateTimeFormat } {
  const locale = formattingLocale()
  let found = formatters.get(locale)
  if (!found) {
    found = {
      dateTime: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
      date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }),
      time: new Intl.DateTimeFormat(locale, { timeStyle: 'short' }),
    }
    formatters.set(locale, found)
  }
  return found
}

const parse = (iso: string): number => Date.parse(iso)

/** A date and time: "Jan 5, 2026, 10:29 PM" (en), "5 de jan. de 2026, 22:29" (pt-BR). */
export function formatDateTime(iso: string): string {
  const ms = parse(iso)
  return Number.isNaN(ms) ? iso : format().dateTime.format(ms)
}

/** The date alone. */
export function formatDate(iso: string): string {
  const ms = parse(iso)
  return Number.isNaN(ms) ? iso : format().date.format(ms)
}

/** The same instant split for a table cell: the date, then the time under it. */
export function formatDateParts(iso: string): { date: string; time: string } {
  const ms = parse(iso)
  return Number.isNaN(ms) ? { date: iso, time: '' } : { date: format().date.format(ms), time: format().time.format(ms) }
}

/**
 * A local time of day as a time field holds it ("22:30", 24-hour, as <select> values and
 * <input type="time"> keep it), written as the rest of the app writes times ("10:30 PM").
 */
export function formatTimeOfDay(hhmm: string): string {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm)
  if (!match) return hhmm
  return format().time.format(new Date(2000, 0, 1, Number(match[1]), Number(match[2])))
}
