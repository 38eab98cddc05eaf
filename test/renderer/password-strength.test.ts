import { beforeAll, describe, expect, it } from 'vitest'
import { applyLocale } from '../../src-renderer/i18n'
import { passwordStrength } from '../../src-renderer/lib/password-strength'

describe('passwordStrength', () => {
  // The hints are in the app's language; these check the English ones.
  beforeAll(() => applyLocale('en'))

  it.each([
    ['', 'weak'],
    ['short1!', 'weak'],
    ['password', 'weak'],
    ['Password123!', 'weak'],
    ['qwertyuiop', 'weak'],
    ['12345678901', 'weak'],
    ['aaaaaaaaaaaaaaaaaaaa', 'weak'],
    ['abcdefghijkl', 'weak'],
    ['lowercaseonly', 'fair'],
    ['Mixed1case', 'fair'],
    ['Tr0ub4dor&3x', 'strong'],
    ['correct horse battery staple', 'strong'],
  ])('rates %j as %s', (password, label) => {
    expect(passwordStrength(password).label).toBe(label)
  })

  it('refuses weak passwords and accepts fair and strong ones', () => {
    expect(passwordStrength('password1').acceptable).toBe(false)
    expect(passwordStrength('lowercaseonly').acceptable).toBe(true)
    expect(passwordStrength('correct horse battery staple').acceptable).toBe(true)
  })

  it('counts characters as main does, in NFC: a decomposed accent is one character', () => {
    // Seven characters, eleven UTF-16 units when decomposed.
    expect(passwordStrength('e\u0301e\u0301e\u0301e\u0301xyz').hint).toMatch(/Too short/)
  })

  it('says why a common password is weak', () => {
    expect(passwordStrength('Letmein2024!').hint).toMatch(/most common passwords/)
  })
})
