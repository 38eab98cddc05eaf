import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MemoryClipboard } from '../../../src-main/core/ports'
import { createServices, type Services } from '../../../src-main/core/services'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'
import { secretOf } from '../secrets/fixtures'

describe('settings: how long a copy stays on the clipboard', () => {
  let dir: ReturnType<typeof tempDir>
  let path: string
  let clipboard: MemoryClipboard
  let services: Services

  beforeEach(async () => {
    dir = tempDir()
    path = `${dir.dir}/vault.keyhold`
    clipboard = new MemoryClipboard()
    services = createServices({ vaultPath: path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF, clipboard })
    await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
  })
  afterEach(() => {
    vi.useRealTimers()
    services.vault.lock()
    dir.cleanup()
  })

  it('is 30 seconds until the person changes it', () => {
    expect(services.settings.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5 })
  })

  it('is kept inside the encrypted vault, so it survives lock and unlock', async () => {
    expect(await services.settings.update({ clipboardClearSeconds: 90 })).toEqual({ clipboardClearSeconds: 90, autoLockMinutes: 5 })
    expect((await decryptImage(path, PASSWORD)).includes('clipboard_clear_seconds')).toBe(true)
    services.vault.lock()
    await services.vault.unlock({ password: PASSWORD })
    expect(services.settings.get()).toEqual({ clipboardClearSeconds: 90, autoLockMinutes: 5 })
  })

  it('is what a copy of a client secret gets: cleared after that delay, not before', async () => {
    const { id } = await services.secrets.add(secretOf())
    await services.settings.update({ clipboardClearSeconds: 5 })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    expect(await services.secrets.copy(id, 'clientSecret')).toEqual({ clearsAfterMs: 5_000 })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(await clipboard.readText()).toBe('sk_live_TOPSECRET_1')
    await vi.advanceTimersByTimeAsync(1)
    expect(await clipboard.readText()).toBe('')
  })

  it('is what a copy of a new token gets', async () => {
    await services.settings.update({ clipboardClearSeconds: 120 })
    await services.vault.confirmPassword(PASSWORD)
    const generated = await services.appKeys.generate({ label: 'CI', roleIds: [] })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    expect(await services.appKeys.copyToken(generated.copyHandle)).toEqual({ clearsAfterMs: 120_000 })
    await vi.advanceTimersByTimeAsync(119_999)
    expect(await clipboard.readText()).toBe(generated.token)
    await vi.advanceTimersByTimeAsync(1)
    expect(await clipboard.readText()).toBe('')
  })

  it('needs the vault unlocked', () => {
    services.vault.lock()
    expect(() => services.settings.get()).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }))
  })

  describe('through the IPC dispatch', () => {
    it.each([
      [{ clipboardClearSeconds: 4 }, 'at least 5 seconds'],
      [{ clipboardClearSeconds: 601 }, 'at most 600 seconds'],
      [{ clipboardClearSeconds: 30.5 }, 'clipboardClearSeconds has the wrong type'],
      [{ clipboardClearSeconds: '30' }, 'clipboardClearSeconds has the wrong type'],
      [{}, 'Give a setting to change.'],
      [{ clipboardClearSeconds: 30, extra: true }, 'unexpected field "extra"'],
    ])('refuses %j with INVALID_INPUT, saying the bound, and changes nothing', async (input, message) => {
      const dispatch = createAppDispatch(services)
      const before = readFileSync(path)
      const result = await dispatch('settings:update', input)
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining(message) } })
      expect(readFileSync(path).equals(before)).toBe(true)
      expect(services.settings.get()).toEqual({ clipboardClearSeconds: 30, autoLockMinutes: 5 })
    })

    it('saves a valid delay and answers the settings', async () => {
      const dispatch = createAppDispatch(services)
      expect(await dispatch('settings:update', { clipboardClearSeconds: 600 })).toEqual({ ok: true, value: { clipboardClearSeconds: 600, autoLockMinutes: 5 } })
      expect(await dispatch('settings:get', {})).toEqual({ ok: true, value: { clipboardClearSeconds: 600, autoLockMinutes: 5 } })
    })
  })
})
