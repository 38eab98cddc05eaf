import { describe, expect, it } from 'vitest'
import { SHORT_ID_MIN, shortIdLengthAmong } from '../../../src-main/core/secrets/secrets.refs'

const id = (hex: string) => `${hex.padEnd(8, '0')}-0000-4000-8000-000000000000`.slice(0, 36)

describe('shortIdLengthAmong (the REF column\'s id length over ids in memory)', () => {
  const all = [id('abcdef01'), id('abcdef02'), '12345678-aaaa-4000-8000-000000000001', '12345678-aaab-4000-8000-000000000002', id('ffff0000')]

  it('is SHORT_ID_MIN when nothing shown shares its first characters with another id, or nothing is shown', () => {
    expect(shortIdLengthAmong(all, [])).toBe(SHORT_ID_MIN)
    expect(shortIdLengthAmong(all, [id('abcdef01'), id('ffff0000')])).toBe(SHORT_ID_MIN)
  })

  it('grows to tell a shown id from any other id in the vault, shown or not', () => {
    // "12345678-aaa" is common to two ids: 13 characters tell them apart.
    expect(shortIdLengthAmong(all, ['12345678-aaaa-4000-8000-000000000001'])).toBe(13)
    expect(shortIdLengthAmong(all, [id('ffff0000'), '12345678-aaab-4000-8000-000000000002'])).toBe(13)
  })

  it('over PROBED_IDS shown, tells every id from every other', () => {
    const many = Array.from({ length: 300 }, (_, i) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`)
    const vault = [...many, '00000001-0000-4000-8000-00000000000f']
    expect(shortIdLengthAmong(vault, many)).toBe(36)
    expect(shortIdLengthAmong(vault, many.slice(2, 10))).toBe(SHORT_ID_MIN)
  })
})
