import crypto from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hashToken, newInternalKeyId, newToken, tokenMatches, TOKEN_BYTES } from '../../../src-main/core/app-keys/app-keys.tokens'
import { authorize } from '../../../src-main/core/app-keys/authorize'
import type { KeyRecord } from '../../../src-main/core/app-keys/app-keys.repo'
import type { AppKeyId, RoleId } from '../../../src-shared/types/app-keys'

const hashKey = crypto.randomBytes(32)

describe('application key tokens', () => {
  afterEach(() => vi.restoreAllMocks())

  it('are 256 bits from the CSPRNG, base64url', () => {
    const token = newToken()
    expect(TOKEN_BYTES).toBeGreaterThanOrEqual(32)
    expect(Buffer.from(token, 'base64url')).toHaveLength(TOKEN_BYTES)
    expect(Buffer.from(token, 'base64url').toString('base64url')).toBe(token)
  })

  it('are drawn from crypto.randomBytes', () => {
    const spy = vi.spyOn(crypto, 'randomBytes')
    newToken()
    expect(spy).toHaveBeenCalledWith(TOKEN_BYTES)
  })

  it('make readable key ids from the vault id', () => {
    expect(newInternalKeyId('0123456789abcdef0123')).toMatch(/^keyhold-012345-[a-hj-km-np-z2-9]{12}$/)
  })

  it('are hashed with HMAC-SHA-256 under the vault hash key', () => {
    const token = newToken()
    expect(hashToken(hashKey, token).equals(crypto.createHmac('sha256', hashKey).update(token, 'utf8').digest())).toBe(true)
    expect(hashToken(crypto.randomBytes(32), token).equals(hashToken(hashKey, token))).toBe(false)
  })

  describe('comparison', () => {
    const token = newToken()
    const stored = hashToken(hashKey, token)

    it('accepts exactly the token', () => {
      expect(tokenMatches(hashKey, stored, token)).toBe(true)
    })

    const wrong: Array<[string, string]> = [
      ['empty', ''],
      ['one character', 'x'],
      ['the token minus its last character', token.slice(0, -1)],
      ['the token plus one character', `${token}x`],
      ['the token with one character changed', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`],
      ['a much longer string', token.repeat(20)],
    ]
    for (const [name, presented] of wrong) {
      it(`denies ${name}, comparing two 32-byte digests with timingSafeEqual`, () => {
        const spy = vi.spyOn(crypto, 'timingSafeEqual')
        expect(tokenMatches(hashKey, stored, presented)).toBe(false)
        expect(spy).toHaveBeenCalledTimes(1)
        const [a, b] = spy.mock.calls[0]! as [Buffer, Buffer]
        expect([a.length, b.length]).toEqual([32, 32])
      })
    }

    it('uses timingSafeEqual on equal-length digests for the right token too', () => {
      const spy = vi.spyOn(crypto, 'timingSafeEqual')
      expect(tokenMatches(hashKey, stored, token)).toBe(true)
      const [a, b] = spy.mock.calls[0]! as [Buffer, Buffer]
      expect([a.length, b.length]).toEqual([32, 32])
    })

    it('treats a stored hash of another length as a mismatch, still through timingSafeEqual', () => {
      const spy = vi.spyOn(crypto, 'timingSafeEqual')
      expect(tokenMatches(hashKey, stored.subarray(0, 16), token)).toBe(false)
      expect(spy).toHaveBeenCalledTimes(1)
    })
  })

  it('authorize spends the same comparison on an unknown key as on a known one', () => {
    const spy = vi.spyOn(crypto, 'timingSafeEqual')
    expect(authorize(undefined, hashKey, { key: 'nobody', token: 'guess' }, 'secrets:read')).toMatchObject({ allowed: false, reason: 'UNKNOWN_KEY' })
    expect(spy).toHaveBeenCalledTimes(1)
    const record: KeyRecord = {
      key: 'k' as AppKeyId,
      type: 'internal',
      status: 'active',
      tokenHash: hashToken(hashKey, 'right'),
      publicKey: null,
      lastUsedAt: null,
      roles: [{ id: 'r' as RoleId, name: 'R', permissions: ['secrets:read'], tags: [] }],
    }
    expect(authorize(record, hashKey, { key: 'k', token: 'guess' }, 'secrets:read')).toMatchObject({ reason: 'TOKEN_INVALID' })
    expect(spy).toHaveBeenCalledTimes(2)
  })
})
