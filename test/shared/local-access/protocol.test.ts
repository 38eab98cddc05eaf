import { describe, expect, it } from 'vitest'
import { readClearError, readServerHello } from '../../../src-shared/local-access/protocol'

/** The CLEAR frames a client reads from the agent, checked without a schema library (the CLI's fast path). */
describe('readServerHello and readClearError (docs/pairing-protocol.md §4)', () => {
  const hello = { t: 'hello', v: 1, vault: 'v_9f8e-7d6c', locked: false, software: 'keyhold/1.0.0', ops: ['secrets.list', 'cli.run'] }

  it('read a hello as the agent writes it, ignoring fields a later v1 may add', () => {
    expect(readServerHello({ ...hello, later: { anything: true } })).toEqual(hello)
    expect(readServerHello({ ...hello, locked: true, ops: [] })).toEqual({ ...hello, locked: true, ops: [] })
  })

  it.each([
    ['another frame', { ...hello, t: 'error' }],
    ['a version that is not an integer', { ...hello, v: 1.5 }],
    ['a version past the safe integers', { ...hello, v: 1e300 }],
    ['a vault id with other characters', { ...hello, vault: 'vault/../x' }],
    ['a vault id of 65 characters', { ...hello, vault: 'a'.repeat(65) }],
    ['locked as a string', { ...hello, locked: 'false' }],
    ['software of 65 characters', { ...hello, software: 's'.repeat(65) }],
    ['65 ops', { ...hello, ops: Array.from({ length: 65 }, (_, i) => `op${i}`) }],
    ['an op that is not a string', { ...hello, ops: ['secrets.list', 7] }],
    ['no ops', { ...hello, ops: undefined }],
  ])('refuse a hello with %s', (_, value) => {
    expect(readServerHello(value as Record<string, unknown>)).toBeNull()
  })

  it('read a CLEAR error, with its optional versions and retry delay', () => {
    expect(readClearError({ t: 'error', code: 'VAULT_LOCKED', message: 'Locked.' })).toEqual({ t: 'error', code: 'VAULT_LOCKED', message: 'Locked.' })
    expect(readClearError({ t: 'error', code: 'UNSUPPORTED_VERSION', message: 'm', versions: [1], extra: 1 })).toEqual({ t: 'error', code: 'UNSUPPORTED_VERSION', message: 'm', versions: [1] })
    expect(readClearError({ t: 'error', code: 'RATE_LIMITED', message: 'm', retryAfterMs: 500 })).toEqual({ t: 'error', code: 'RATE_LIMITED', message: 'm', retryAfterMs: 500 })
  })

  it.each([
    ['another frame', { t: 'hello', code: 'X', message: 'm' }],
    ['a code of 65 characters', { t: 'error', code: 'C'.repeat(65), message: 'm' }],
    ['a message of 501 characters', { t: 'error', code: 'X', message: 'm'.repeat(501) }],
    ['versions that are not integers', { t: 'error', code: 'X', message: 'm', versions: ['1'] }],
    ['9 versions', { t: 'error', code: 'X', message: 'm', versions: [1, 2, 3, 4, 5, 6, 7, 8, 9] }],
    ['a negative retry delay', { t: 'error', code: 'X', message: 'm', retryAfterMs: -1 }],
    ['a retry delay past the safe integers', { t: 'error', code: 'X', message: 'm', retryAfterMs: 2 ** 60 }],
  ])('refuse an error with %s', (_, value) => {
    expect(readClearError(value as Record<string, unknown>)).toBeNull()
  })
})
