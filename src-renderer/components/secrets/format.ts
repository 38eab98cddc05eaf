const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const DAY = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })

/** A stored ISO time as the person's locale writes it. */
export function formatDate(iso: string): string {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? iso : DATE_TIME.format(ms)
}

/** The same, as a day and a time, for a table cell on two lines. */
export function formatParts(iso: string): { date: string; time: string } {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? { date: iso, time: '' } : { date: DAY.format(ms), time: TIME.format(ms) }
}
