/**
 * The one way the renderer writes dates and times: in the person's locale and time zone
 * (Intl picks both up from the system), so a time reads "10:29 PM" or "22:29" the same way
 * on every screen. Stored values are ISO-8601 (UTC); a value that does not parse is shown as is.
 */

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })

const parse = (iso: string): number => Date.parse(iso)

/** A date and time: "Jan 5, 2026, 10:29 PM" (en-US), "5 janv. 2026, 22:29" (fr). */
export function formatDateTime(iso: string): string {
  const ms = parse(iso)
  return Number.isNaN(ms) ? iso : DATE_TIME.format(ms)
}

/** The date alone. */
export function formatDate(iso: string): string {
  const ms = parse(iso)
  return Number.isNaN(ms) ? iso : DATE.format(ms)
}

/** The same instant split for a table cell: the date, then the time under it. */
export function formatDateParts(iso: string): { date: string; time: string } {
  const ms = parse(iso)
  return Number.isNaN(ms) ? { date: iso, time: '' } : { date: DATE.format(ms), time: TIME.format(ms) }
}

/**
 * A local time of day as a time field holds it ("22:30", 24-hour, as <select> values and
 * <input type="time"> keep it), written as the rest of the app writes times ("10:30 PM").
 */
export function formatTimeOfDay(hhmm: string): string {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm)
  if (!match) return hhmm
  return TIME.format(new Date(2000, 0, 1, Number(match[1]), Number(match[2])))
}
