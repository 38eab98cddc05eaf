import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDispatch, type Handlers } from '../../../src-main/ipc/handle'
import { createAppDispatch, createHandlers } from '../../../src-main/ipc/handlers'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { PASSWORD, unlockedServices } from '../../support/vault'

describe('the IPC handler wrapper', () => {
  let ctx: Awaited<ReturnType<typeof unlockedServices>>
  let dispatch: Dispatch

  beforeEach(async () => {
    ctx = await unlockedServices()
    dispatch = createAppDispatch(ctx.services)
  })
  afterEach(() => ctx.cleanup())

  it('returns the handler value as { ok: true, value }', async () => {
    expect(await dispatch('vault:status', {})).toEqual({ ok: true, value: expect.objectContaining({ state: 'unlocked' }) })
  })

  it('refuses an unknown channel with INVALID_INPUT', async () => {
    expect(await dispatch('vault:drop-tables', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
  })

  const bad: Array<[string, unknown]> = [
    ['a wrong type', { current: PASSWORD, next: 12345678 }],
    ['a missing field', { current: PASSWORD }],
    ['an extra field', { current: PASSWORD, next: 'new password 1', admin: true }],
    ['an own __proto__ key', JSON.parse(`{"current":"${PASSWORD}","next":"new password 1","__proto__":{"polluted":true}}`)],
    ['a string instead of an object', 'change it'],
    ['an array', [PASSWORD, 'new password 1']],
    ['a too-short new password', { current: PASSWORD, next: 'short' }],
  ]
  for (const [name, input] of bad) {
    it(`answers INVALID_INPUT to ${name} and changes nothing`, async () => {
      const before = readFileSync(ctx.path)
      const result = await dispatch('vault:change-password', input)
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
      expect(readFileSync(ctx.path).equals(before)).toBe(true)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      ctx.services.vault.lock()
      expect((await dispatch('vault:unlock', { password: PASSWORD })).ok).toBe(true)
    })
  }

  it('gives each refused field its problem in fields, by the field\'s name, beside the same message', async () => {
    expect(await dispatch('vault:change-password', { current: PASSWORD, next: 'short' })).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'Invalid input: The master password must have at least 8 characters.',
        fields: { next: 'The master password must have at least 8 characters.' },
      },
    })
    const tags = await dispatch('secrets:add', { name: ' ', url: 'https://api.example.com', clientId: 'c', tags: ['ok', 'a;b'] })
    expect(tags).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'Invalid input: The name is required.; tags.1 A tag cannot contain ";" (it separates tags in CSV files).',
        fields: { name: 'The name is required.', tags: 'A tag cannot contain ";" (it separates tags in CSV files).' },
      },
    })
  })

  it('names no field for a problem with the request as a whole, and words a wrong type without the value', async () => {
    expect(await dispatch('vault:change-password', 'change it')).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'Invalid input: the request has the wrong shape.' },
    })
    const result = await dispatch('vault:change-password', { current: PASSWORD, next: 12345678, admin: true })
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', fields: { next: 'This value has the wrong type.' } } })
    expect(Object.keys((result as { error: { fields: object } }).error.fields)).toEqual(['next'])
    expect(JSON.stringify(result)).not.toContain('12345678')
  })

  it('never quotes the rejected value in its message', async () => {
    const result = await dispatch('vault:unlock', { password: 'SECRET-VALUE-1', extra: 'SECRET-VALUE-2' })
    expect(JSON.stringify(result)).not.toContain('SECRET-VALUE')
  })

  it('turns a KeyholdError into its code and message', async () => {
    ctx.services.vault.lock()
    expect(await dispatch('vault:unlock', { password: 'wrong password' })).toEqual({
      ok: false,
      error: { code: 'WRONG_PASSWORD', message: expect.stringContaining('not correct') },
    })
  })

  it('turns any other exception into INTERNAL without its text', async () => {
    const handlers = {
      ...createHandlers(ctx.services),
      vaultStatus: () => {
        throw new Error(`boom with ${PASSWORD}`)
      },
    } satisfies Handlers
    const result = await createDispatch(handlers)('vault:status', {})
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(JSON.stringify(result)).not.toContain(PASSWORD)
    expect(JSON.stringify(result)).not.toContain('boom')
  })

  it('does not count a status check as activity, so polling cannot keep the vault open', async () => {
    const activity = vi.spyOn(ctx.services.vault, 'activity')
    await dispatch('vault:status', {})
    expect(activity).not.toHaveBeenCalled()
    await dispatch('vault:activity', {})
    expect(activity).toHaveBeenCalled()
  })

  it('counts every call as activity for the idle lock', async () => {
    const seen: string[] = []
    await createDispatch(createHandlers(ctx.services), (method) => seen.push(method))('vault:status', {})
    expect(seen).toEqual(['vaultStatus'])
  })
})
