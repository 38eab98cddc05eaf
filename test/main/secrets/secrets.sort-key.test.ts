import { describe, expect, it } from 'vitest'
import { compareText } from '../../../src-main/core/secrets/secrets.match'
import { compareNames, nameSortKey, naturalKey } from '../../../src-main/core/secrets/secrets.sort-key'

const byKey = (names: string[]) => [...names].sort((a, b) => compareText(nameSortKey(a), nameSortKey(b)))
const NATURAL = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

describe('nameSortKey', () => {
  it('puts numbers in natural order: "Service 5" before "Service 49"', () => {
    expect(byKey(['Service 49', 'Service 5', 'Service 100', 'Service 10'])).toEqual(['Service 5', 'Service 10', 'Service 49', 'Service 100'])
  })

  it('ignores case, accents and leading zeros, as the collator at base sensitivity does', () => {
    expect(nameSortKey('Émile 007')).toBe(nameSortKey('emile 7'))
    expect(nameSortKey('  STRASSE 2 ')).toBe(nameSortKey('straße 2'))
  })

  it('keeps numbers of any length in order, nine digits and more included', () => {
    const numbers = [0, 1, 9, 10, 99_999_999, 100_000_000, 999_999_999, 1_000_000_000, 10n ** 20n, 10n ** 99n, 10n ** 120n]
    const names = numbers.map((n) => `Build ${n}`)
    expect(byKey([...names].reverse())).toEqual(names)
    expect(naturalKey('123456789')).toBe('919123456789')
    expect(naturalKey('1234567890')).toBe('92101234567890')
  })

  it('orders like Intl.Collator(numeric, base) on names with numbers, letters and spaces', () => {
    const names = ['alpha 2', 'Alpha 10', 'alpha', 'alpha 2b', 'alpha 2a', 'beta 1', 'B 3', 'b 20', 'x9y', 'x10y', 'x9', 'Zed 01', 'zed 1.5', 'zed 1.10', 'v2', 'v10', '3 things', '20 things']
    expect(byKey(names)).toEqual([...names].sort((a, b) => NATURAL.compare(a, b) || compareText(a, b)))
  })

  it('gives a key whose code-point order is the order SQLite keeps (BINARY on UTF-8)', () => {
    // The key is compared as text in the index and as bytes in SQL: the two must agree.
    const keys = ['Service 5', 'Service 49', 'Ünïcode 3', 'naïve 12'].map(nameSortKey)
    const utf8 = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    expect([...keys].sort(compareText)).toEqual(utf8)
  })
})

describe('compareNames', () => {
  it('sorts short lists (roles, tags) in natural order', () => {
    expect(['Role 49', 'role 5', 'Role 10'].sort(compareNames)).toEqual(['role 5', 'Role 10', 'Role 49'])
  })
})
