import { afterEach, describe, expect, it } from 'vitest'
import { applyLocale, formattingLocale } from '../../src-renderer/i18n'
import { formatDate, formatDateParts, formatDateTime, formatTimeOfDay } from '../../src-renderer/lib/date-time'

// The formatter follows the app's language (and the system's variant of it); these
// expectations are written with the same Intl formats, so they hold wherever the tests run.
const formats = (locale: string) => ({
  time: new Intl.DateTimeFormat(locale, { timeStyle: 'short' }),
  date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }),
  dateTime: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
})

describe('date-time formatter', () => {
  const iso = '2026-03-05T22:29:00.000Z'
  afterEach(() => applyLocale('en'))

  it('writes a stored instant as a date and time in the locale and time zone', () => {
    const { time, date, dateTime } = formats(formattingLocale())
    expect(formatDateTime(iso)).toBe(dateTime.format(new Date(iso)))
    expect(formatDate(iso)).toBe(date.format(new Date(iso)))
    expect(formatDateParts(iso)).toEqual({ date: date.format(new Date(iso)), time: time.format(new Date(iso)) })
  })

  it('writes dates and times in Portuguese when the app speaks it, whatever the system does', () => {
    applyLocale('pt-BR')
    const local = new Date(2026, 2, 5, 22, 29)
    expect(formatDate(local.toISOString())).toBe('5 de mar. de 2026')
    expect(formatTimeOfDay('22:29')).toBe('22:29')
    expect(formatDateTime(local.toISOString())).toBe(formats('pt-BR').dateTime.format(local))
  })

  it("uses the system's variant of the app's language for formats, and the language itself otherwise", () => {
    expect(formattingLocale(['en-GB', 'de'])).toBe('en-GB')
    expect(formattingLocale(['de-DE'])).toBe('en')
    applyLocale('pt-BR')
    expect(formattingLocale(['en-US'])).toBe('pt-BR')
    expect(formattingLocale(['pt-PT'])).toBe('pt-PT')
  })

  it('writes a time-of-day field value ("22:29") the way it writes every other time', () => {
    const { time } = formats(formattingLocale())
    expect(formatTimeOfDay('22:29')).toBe(time.format(new Date(2000, 0, 1, 22, 29)))
    expect(formatTimeOfDay('00:00')).toBe(time.format(new Date(2000, 0, 1, 0, 0)))
  })

  it('uses one clock everywhere: a table time and a time-of-day read alike', () => {
    const local = new Date(2026, 2, 5, 22, 29)
    expect(formatDateParts(local.toISOString()).time).toBe(formatTimeOfDay('22:29'))
  })

  it('shows a value that does not parse as it is', () => {
    expect(formatDateTime('not a date')).toBe('not a date')
    expect(formatDateParts('soon')).toEqual({ date: 'soon', time: '' })
    expect(formatTimeOfDay('late')).toBe('late')
  })
})
