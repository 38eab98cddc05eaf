import { describe, expect, it } from 'vitest'
import { formatDate, formatDateParts, formatDateTime, formatTimeOfDay } from '../../src-renderer/lib/date-time'

// The formatter follows the person's locale; these expectations are written with the same
// Intl formats, so they hold in any locale the tests run in.
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

describe('date-time formatter', () => {
  const iso = '2026-03-05T22:29:00.000Z'

  it('writes a stored instant as a date and time in the locale and time zone', () => {
    expect(formatDateTime(iso)).toBe(DATE_TIME.format(new Date(iso)))
    expect(formatDate(iso)).toBe(DATE.format(new Date(iso)))
    expect(formatDateParts(iso)).toEqual({ date: DATE.format(new Date(iso)), time: TIME.format(new Date(iso)) })
  })

  it('writes a time-of-day field value ("22:29") the way it writes every other time', () => {
    expect(formatTimeOfDay('22:29')).toBe(TIME.format(new Date(2000, 0, 1, 22, 29)))
    expect(formatTimeOfDay('00:00')).toBe(TIME.format(new Date(2000, 0, 1, 0, 0)))
  })

  it('uses one clock everywhere: a table time and a time-of-day read alike', () => {
    const local = new Date(2026, 2, 5, 22, 29)
    expect(formatDateParts(local.toISOString()).time).toBe(formatTimeOfDay('22:29'))
  })

  it('writes the 12-hour clock in en-US and the 24-hour clock in fr, as Intl does', () => {
    expect(new Intl.DateTimeFormat('en-US', { timeStyle: 'short' }).format(new Date(2000, 0, 1, 22, 29))).toMatch(/^10:29\sPM$/)
    expect(new Intl.DateTimeFormat('fr', { timeStyle: 'short' }).format(new Date(2000, 0, 1, 22, 29))).toBe('22:29')
  })

  it('shows a value that does not parse as it is', () => {
    expect(formatDateTime('not a date')).toBe('not a date')
    expect(formatDateParts('soon')).toEqual({ date: 'soon', time: '' })
    expect(formatTimeOfDay('late')).toBe('late')
  })
})
