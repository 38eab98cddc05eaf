/** ISO-8601 date and time with a time zone; seconds and fractions optional. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/

/**
 * An ISO-8601 date and time with a time zone (`Z` or `+hh:mm`), as UTC `toISOString()`, or
 * null. Calendar dates are checked (no 31 February), since Date.parse rolls them over.
 */
export function canonicalTime(value: string): string | null {
  const match = ISO_TIME.exec(value)
  if (!match) return null
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null
  const time = Date.parse(value)
  if (Number.isNaN(time)) return null
  const iso = new Date(time).toISOString()
  return /^\d{4}-/.test(iso) ? iso : null
}
