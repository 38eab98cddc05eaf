import { describe, expect, it } from 'vitest'
import { buildPairingUri } from '../../src-shared/apps/pairing-uri'
import { codeInputState } from '../../extension/src/code-input'

const CODE = '0CTP-Q855-ZXR2-GSR3-3975-SKS6-5054'

describe('codeInputState: the code field as it is typed', () => {
  it('empty: a hint, nothing to pair', () => {
    expect(codeInputState('  ')).toEqual({ kind: 'empty', message: '28 letters and digits; dashes and spaces are optional. A pasted pairing link works too.' })
  })

  it('too short to check: how far along, not an error', () => {
    expect(codeInputState('0CTP-Q855-ZX')).toEqual({ kind: 'typing', message: '10 of 28 characters' })
    expect(codeInputState(CODE.slice(0, -1))).toEqual({ kind: 'typing', message: '27 of 28 characters' })
  })

  it("a character codes never use, a code too long, a typo: the reader's own message at once, never quoting the code", () => {
    expect(codeInputState('0CTP-Q85U')).toEqual({ kind: 'problem', message: 'The code has a character that codes never use: only digits and letters other than I, L, O and U appear in them.' })
    expect(codeInputState(`${CODE}-X`)).toEqual({ kind: 'problem', message: 'An authorization code has 28 letters and digits; this one has 29.' })
    const typo = `${CODE.slice(0, 2)}X${CODE.slice(3)}`
    const state = codeInputState(typo)
    expect(state).toEqual({ kind: 'problem', message: 'The code has a typo: its last character does not match the others. Compare it with the screen again.' })
    expect(state.message).not.toContain('0CTP')
  })

  it('complete and checked: ready, in lower case, with spaces, with I/L/O for 1/0, and the canonical code to pair with', () => {
    for (const typed of [CODE, CODE.toLowerCase(), CODE.replace(/-/g, ' '), CODE.replace(/0/g, 'o')]) {
      expect(codeInputState(typed)).toEqual({ kind: 'ready', message: 'The code checks out.', input: { code: CODE } })
    }
  })

  it('a pasted pairing link: ready with the vault, the application and the key to pin; a damaged one says why', () => {
    const dpk = 'A'.repeat(43)
    const uri = buildPairingUri({ vaultId: 'c3a7f725f31ce7b0afc2', appId: 'app-1', code: CODE, expiresAt: null, desktopKey: dpk })
    expect(codeInputState(uri)).toEqual({ kind: 'ready', message: 'The pairing link checks out.', input: { code: CODE, vaultId: 'c3a7f725f31ce7b0afc2', appId: 'app-1', desktopKey: dpk } })
    expect(codeInputState(uri.replace('v=1', 'v=9'))).toMatchObject({ kind: 'problem' })
  })
})
