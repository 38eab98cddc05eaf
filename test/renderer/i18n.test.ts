import { createParser } from '@intlify/message-compiler'
import { describe, expect, it } from 'vitest'
import { LOCALES, localeMessages, systemLocale, flattenMessages as flatten } from '../../src-renderer/i18n'


/** A message's placeholders ({name}) and plural branches, which every translation must keep. */
const shape = (message: string) => ({
  placeholders: [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort(),
  branches: message.split(/\s\|\s/).length,
})

describe('the app in every language', () => {
  const all = localeMessages()
  const english = flatten(all.en)

  it('has English words for the app', () => {
    expect(english.size).toBeGreaterThan(0)
  })

  it.each(LOCALES.filter((l) => l.code !== 'en').map((l) => l.code))('%s has every English message, no other, none empty, with the same placeholders', (code) => {
    const other = flatten(all[code])
    expect([...other.keys()].filter((k) => !english.has(k))).toEqual([])
    expect([...english.keys()].filter((k) => !other.has(k))).toEqual([])
    for (const [key, message] of other) {
      expect(message.trim(), key).not.toBe('')
      expect(shape(message), key).toEqual(shape(english.get(key)!))
    }
  })

  it.each(LOCALES.map((l) => l.code))('%s: every message is valid vue-i18n syntax (a literal @, {, } or | is escaped)', (code) => {
    const problems: string[] = []
    for (const [key, message] of flatten(all[code])) {
      createParser({ onError: (error) => problems.push(`${key}: ${error.message}`) }).parse(message)
    }
    expect(problems).toEqual([])
  })

  it('the syntax check finds what would break at run time', () => {
    const found: string[] = []
    for (const message of ['write to ada@example.com', 'a} b']) createParser({ onError: (error) => found.push(error.message) }).parse(message)
    expect(found.length).toBeGreaterThanOrEqual(2)
  })

  it("speaks the system's language when it knows it: any Portuguese → pt-BR, else English", () => {
    expect(systemLocale(['pt-BR'])).toBe('pt-BR')
    expect(systemLocale(['pt-PT', 'en'])).toBe('pt-BR')
    expect(systemLocale(['de-DE', 'en-GB'])).toBe('en')
    expect(systemLocale(['ja'])).toBe('en')
    expect(systemLocale([])).toBe('en')
  })
})
