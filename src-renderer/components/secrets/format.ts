const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** A stored ISO time as the person's locale writes it. */
export function formatDate(iso: string): string {
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? iso : DATE_TIME.format(ms)
}
