import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SECRET_LIMITS } from '../../../src-shared/ipc/secrets.contract'
import type { SecretDetail, SecretPage } from '../../../src-shared/types/secrets'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { secretsFixture } from './fixtures'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

const valid = {
  name: 'Twilio SMS',
  url: 'https://api.twilio.com/2010-04-01',
  clientId: 'AC-client-42',
  clientSecret: 'CLIENT-SECRET-VALUE-ipc-1',
  identifier: 'twilio',
  method: 'POST',
  tags: ['prod'],
  notes: 'note',
}

describe('API secrets over IPC (through the handler wrapper)', () => {
  let ctx: Awaited<ReturnType<typeof secretsFixture>>
  let dispatch: Dispatch

  beforeEach(async () => {
    ctx = await secretsFixture()
    dispatch = createAppDispatch(ctx.services)
  })
  afterEach(() => ctx.cleanup())

  const add = (input: unknown) => dispatch('secrets:add', input)
  const ok = async <T>(promise: Promise<{ ok: boolean; value?: unknown; error?: unknown }>): Promise<T> => {
    const result = await promise
    expect(result).toMatchObject({ ok: true })
    return result.value as T
  }

  describe('refuses bad input with INVALID_INPUT, saving nothing', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a missing name', { name: undefined }, /name/i],
      ['a blank name', { name: '   ' }, /The name is required/],
      ['a missing URL', { url: undefined }, /url/i],
      ['an empty URL', { url: '' }, /The URL is required/],
      ['a missing Client ID', { clientId: undefined }, /clientId/],
      ['a blank Client ID', { clientId: ' ' }, /The Client ID is required/],
      ['a name over 200 characters', { name: 'n'.repeat(201) }, /at most 200 characters/],
      ['a URL over 2048 characters', { url: `https://example.com/${'p'.repeat(2029)}` }, /URL can have at most 2048 characters/],
      ['a Client ID over 512 characters', { clientId: 'c'.repeat(513) }, /Client ID can have at most 512 characters/],
      ['a client secret over 4096 characters', { clientSecret: 's'.repeat(4097) }, /client secret can have at most 4096 characters/],
      ['an Identifier over 200 characters', { identifier: 'i'.repeat(201) }, /Identifier can have at most 200 characters/],
      ['a tag over 50 characters', { tags: ['t'.repeat(51)] }, /tag can have at most 50 characters/],
      ['more than 30 tags', { tags: Array.from({ length: 31 }, (_, i) => `t${i}`) }, /at most 30/],
      ['notes over 10000 characters', { notes: 'x'.repeat(10_001) }, /notes can have at most 10000 characters/],
      ['an unknown method', { method: 'FETCH' }, /The method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, CONNECT, TRACE/],
      ['an ftp URL', { url: 'ftp://files.example.com' }, /absolute http:\/\/ or https:\/\//],
      ['a URL without a scheme', { url: 'api.example.com/v1' }, /absolute http/],
      ['a relative URL', { url: '/v1/tokens' }, /absolute http/],
      ['a URL without a host', { url: 'https://' }, /absolute http/],
      ['a URL missing its slashes', { url: 'http:example.com' }, /absolute http/],
      ['a javascript: URL', { url: 'javascript:alert(1)' }, /absolute http/],
      ['a URL with a space in the host', { url: 'https://exa mple.com' }, /absolute http/],
      ['a URL with a password in it', { url: 'https://user:pw@example.com' }, /cannot contain a user name or password/],
      ['a name with a line break', { name: 'two\nlines' }, /single line/],
      ['a client secret with a line break', { clientSecret: 'abc\ndef' }, /client secret must be a single line/],
      ['a tag with a semicolon', { tags: ['a;b'] }, /cannot contain ";"/],
      ['an empty tag', { tags: [''] }, /tag is required/],
      ['notes with a control character', { notes: 'bell\u0007' }, /control characters/],
      ['tags that are not a list', { tags: 'prod' }, /tags has the wrong type/],
      ['an extra field', { admin: true }, /unexpected field "admin"/],
    ]
    for (const [what, change, message] of cases) {
      it(what, async () => {
        const before = sha(ctx.path)
        const result = await add({ ...valid, ...change })
        expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(message) } })
        expect(sha(ctx.path)).toBe(before)
        expect(ctx.services.secrets.count()).toBe(0)
      })
    }

    it('and names every bound it enforces in the message', async () => {
      for (const [field, max] of [
        ['name', SECRET_LIMITS.name],
        ['clientId', SECRET_LIMITS.clientId],
        ['identifier', SECRET_LIMITS.identifier],
        ['notes', SECRET_LIMITS.notes],
        ['clientSecret', SECRET_LIMITS.clientSecret],
      ] as const) {
        const result = await add({ ...valid, [field]: 'a'.repeat(max + 1) })
        expect(result.ok ? '' : result.error.message).toContain(String(max))
        expect((await add({ ...valid, identifier: `${field}-at-max`, [field]: field === 'identifier' ? 'z'.repeat(max) : 'a'.repeat(max) })).ok).toBe(true)
      }
    })

    it('without quoting the rejected client secret', async () => {
      const result = await add({ ...valid, clientSecret: `CLIENT-SECRET-VALUE\n${'s'.repeat(5000)}` })
      expect(result.ok).toBe(false)
      expect(JSON.stringify(result)).not.toContain('CLIENT-SECRET-VALUE')
    })
  })

  it('accepts any case of method and plain http URLs with ports', async () => {
    const added = await ok<SecretDetail>(add({ ...valid, method: 'patch', url: 'http://localhost:8080/hooks?x=1' }))
    expect(added).toMatchObject({ method: 'PATCH', url: 'http://localhost:8080/hooks?x=1' })
  })

  it('answers a duplicate Identifier with CONFLICT naming the field', async () => {
    await ok(add(valid))
    expect(await add({ ...valid, name: 'Another', identifier: ' TWILIO ' })).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: expect.stringMatching(/^The Identifier is already used by another API secret/) },
    })
  })

  it('never sends a client secret in list, search, tags, get, add or edit answers', async () => {
    const values = ['CLIENT-SECRET-VALUE-ipc-1', 'CLIENT-SECRET-VALUE-ipc-2', 'CLIENT-SECRET-VALUE-ipc-3']
    const added = await ok<SecretDetail>(add({ ...valid, clientSecret: values[0] }))
    await ok(add({ ...valid, identifier: 'two', clientSecret: values[1] }))
    const edited = await dispatch('secrets:edit', { id: added.id, clientSecret: values[2] })
    const payloads = [
      added,
      edited,
      await dispatch('secrets:list', {}),
      await dispatch('secrets:list', { search: 'twilio' }),
      await dispatch('secrets:list', { search: 'CLIENT-SECRET' }),
      await dispatch('secrets:list', { tag: 'prod', sort: 'updated' }),
      await dispatch('secrets:tags', {}),
      await dispatch('secrets:get', { id: added.id }),
    ]
    const json = JSON.stringify(payloads)
    for (const value of values) expect(json).not.toContain(value)
    expect(((await dispatch('secrets:list', { search: 'CLIENT-SECRET' })) as { value: SecretPage }).value.total).toBe(0)
  })

  it('reveals one client secret, and only it, on secrets:reveal', async () => {
    const added = await ok<SecretDetail>(add(valid))
    expect(await dispatch('secrets:reveal', { id: added.id })).toEqual({ ok: true, value: { clientSecret: 'CLIENT-SECRET-VALUE-ipc-1' } })
  })

  it('copies through main on secrets:copy and answers only the delay', async () => {
    const added = await ok<SecretDetail>(add(valid))
    expect(await dispatch('secrets:copy', { id: added.id, field: 'clientSecret' })).toEqual({ ok: true, value: { clearsAfterMs: 30_000 } })
    expect(await ctx.clipboard.readText()).toBe('CLIENT-SECRET-VALUE-ipc-1')
    expect(await dispatch('secrets:copy', { id: added.id, field: 'notes' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
  })

  it('pages the list and bounds the page size', async () => {
    for (let i = 0; i < 3; i++) await ok(add({ ...valid, name: `n${i}`, identifier: `id-${i}` }))
    expect(await dispatch('secrets:list', { offset: 1, limit: 1 })).toMatchObject({ ok: true, value: { total: 3, items: [{ name: 'n1' }] } })
    expect(await dispatch('secrets:list', { limit: 501 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/at most 500/) } })
    expect(await dispatch('secrets:list', { offset: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(await dispatch('secrets:list', { search: 'q'.repeat(201) })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
  })

  it('edits and removes by id, refusing malformed ids', async () => {
    const added = await ok<SecretDetail>(add(valid))
    expect(await dispatch('secrets:edit', { id: added.id, name: 'Renamed' })).toMatchObject({ ok: true, value: { name: 'Renamed' } })
    expect(await dispatch('secrets:get', { id: 'not-an-id' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(await dispatch('secrets:remove', { id: added.id })).toEqual({ ok: true, value: null })
    expect(await dispatch('secrets:remove', { id: added.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('answers VAULT_LOCKED as a value when locked', async () => {
    ctx.services.vault.lock()
    expect(await dispatch('secrets:list', {})).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
    expect(await add(valid)).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
  })
})
