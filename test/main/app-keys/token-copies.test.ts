import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { TOKEN_COPY_TTL_MS } from '../../../src-main/core/copy-handles'
import { DEFAULT_CLIPBOARD_CLEAR_MS as CLIPBOARD_CLEAR_MS } from '../../../src-main/core/clipboard-guard'
import { createDispatch } from '../../../src-main/ipc/handle'
import { createHandlers } from '../../../src-main/ipc/handlers'
import { FakeClock, PASSWORD, unlockedServices } from '../../support/vault'

const codeOf = async (fn: () => unknown) => {
  try {
    await fn()
  } catch (error) {
    if (error instanceof KeyholdError) return error.code
    throw error
  }
  return 'OK'
}

describe('copying a new token from the token screen', () => {
  let ctx: Awaited<ReturnType<typeof unlockedServices>>
  let clock: FakeClock

  beforeEach(async () => {
    clock = new FakeClock()
    ctx = await unlockedServices({ clock })
  })
  afterEach(() => {
    vi.useRealTimers()
    ctx.cleanup()
  })


  it('is done by main through the clipboard port, and cleared after 30 s if unchanged', async () => {
    const { token, copyHandle } = await ctx.services.appKeys.generate({ roleIds: [] })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    await ctx.services.appKeys.copyToken(copyHandle)
    expect(await ctx.services.clipboard.readText()).toBe(token)
    await vi.advanceTimersByTimeAsync(CLIPBOARD_CLEAR_MS - 1)
    expect(await ctx.services.clipboard.readText()).toBe(token)
    await vi.advanceTimersByTimeAsync(1)
    expect(await ctx.services.clipboard.readText()).toBe('')
  })

  it('leaves the clipboard alone if the person copied something else meanwhile', async () => {
    const { copyHandle } = await ctx.services.appKeys.generate({ roleIds: [] })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    await ctx.services.appKeys.copyToken(copyHandle)
    await ctx.services.clipboard.writeText('something else')
    await vi.advanceTimersByTimeAsync(CLIPBOARD_CLEAR_MS)
    expect(await ctx.services.clipboard.readText()).toBe('something else')
  })

  it('works again while the screen is open, and not once it is closed', async () => {
    const { token, copyHandle } = await ctx.services.appKeys.generate({ roleIds: [] })
    await ctx.services.appKeys.copyToken(copyHandle)
    await ctx.services.clipboard.clear()
    await ctx.services.appKeys.copyToken(copyHandle)
    expect(await ctx.services.clipboard.readText()).toBe(token)
    ctx.services.appKeys.forgetToken(copyHandle)
    expect(await codeOf(() => ctx.services.appKeys.copyToken(copyHandle))).toBe('NOT_FOUND')
  })

  it('expires a few minutes after generation', async () => {
    const { copyHandle } = await ctx.services.appKeys.generate({ roleIds: [] })
    clock.advance(TOKEN_COPY_TTL_MS)
    expect(await codeOf(() => ctx.services.appKeys.copyToken(copyHandle))).toBe('NOT_FOUND')
  })

  it('ends when the vault locks, which also takes a copied token off the clipboard', async () => {
    const { copyHandle } = await ctx.services.appKeys.generate({ roleIds: [] })
    await ctx.services.appKeys.copyToken(copyHandle)
    ctx.services.vault.lock()
    await ctx.services.vault.locked()
    expect(await ctx.services.clipboard.readText()).toBe('')
    await ctx.services.vault.unlock({ password: PASSWORD })
    expect(await codeOf(() => ctx.services.appKeys.copyToken(copyHandle))).toBe('NOT_FOUND')
  })

  it('over IPC: copy-token answers only the clear delay (never the token) and a made-up handle is NOT_FOUND', async () => {
    const dispatch = createDispatch(createHandlers(ctx.services))
    const generated = await dispatch('app-keys:generate', { roleIds: [] })
    expect(generated.ok).toBe(true)
    const { token, copyHandle } = (generated as { value: { token: string; copyHandle: string } }).value
    expect(await dispatch('app-keys:copy-token', { handle: copyHandle })).toEqual({ ok: true, value: { clearsAfterMs: 30_000 } })
    expect(await ctx.services.clipboard.readText()).toBe(token)
    expect(await dispatch('app-keys:copy-token', { handle: '0'.repeat(32) })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await dispatch('app-keys:forget-token', { handle: copyHandle })).toEqual({ ok: true, value: null })
    expect(await dispatch('app-keys:copy-token', { handle: copyHandle })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })
})

describe("copying a new authorization key's code from the key screen (the same copy handles)", () => {
  let ctx: Awaited<ReturnType<typeof unlockedServices>>

  beforeEach(async () => {
    ctx = await unlockedServices({ clock: new FakeClock() })
  })
  afterEach(() => ctx.cleanup())

  it('copies the code by handle, over IPC too, answering only the delay; not once the screen closed or the vault locked', async () => {
    const created = await ctx.services.apps.create({ name: 'Phone', type: 'extension', expiresAt: null })
    expect(created.copyHandle).toMatch(/^[0-9a-f]{32}$/)
    const dispatch = createDispatch(createHandlers(ctx.services))
    const copied = await dispatch('apps:copy-code', { handle: created.copyHandle })
    expect(copied).toEqual({ ok: true, value: { clearsAfterMs: CLIPBOARD_CLEAR_MS } })
    expect(await ctx.services.clipboard.readText()).toBe(created.code)
    expect(await dispatch('apps:forget-code', { handle: created.copyHandle })).toEqual({ ok: true, value: null })
    expect(await dispatch('apps:copy-code', { handle: created.copyHandle })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(/^This code can no longer be copied/) } })
    expect(await dispatch('apps:copy-code', { handle: 'not a handle' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })

    const again = await ctx.services.apps.create({ name: 'Laptop', type: 'extension', expiresAt: null })
    ctx.services.vault.lock()
    await ctx.services.vault.locked()
    await ctx.services.vault.unlock({ password: PASSWORD })
    expect(await codeOf(() => ctx.services.apps.copyCode(again.copyHandle!))).toBe('NOT_FOUND')
  })
})
