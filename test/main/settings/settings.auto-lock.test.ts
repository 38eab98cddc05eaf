import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createServices, type Services } from '../../../src-main/core/services'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'

describe('settings: auto-lock delay and unlock with this device', () => {
  let dir: ReturnType<typeof tempDir>
  let path: string
  let keyStore: MemoryKeyStore
  let services: Services
  let dispatch: ReturnType<typeof createAppDispatch>

  beforeEach(async () => {
    dir = tempDir()
    path = `${dir.dir}/vault.keyhold`
    keyStore = new MemoryKeyStore()
    services = createServices({ vaultPath: path, keyStore, kdf: FAST_KDF })
    await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    dispatch = createAppDispatch(services)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
    services.vault.lock()
    dir.cleanup()
  })

  describe('the auto-lock delay', () => {
    it('is 5 minutes until the person changes it', async () => {
      expect(await dispatch('settings:get', {})).toMatchObject({ ok: true, value: { autoLockMinutes: 5 } })
      expect((await services.vault.status()).autoLockMs).toBe(5 * 60_000)
    })

    it('is saved inside the encrypted vault, keeps the other settings, and survives lock and unlock', async () => {
      await dispatch('settings:update', { clipboardClearSeconds: 45 })
      expect(await dispatch('settings:update', { autoLockMinutes: 15 })).toEqual({ ok: true, value: { clipboardClearSeconds: 45, autoLockMinutes: 15 } })
      expect((await decryptImage(path, PASSWORD)).includes('auto_lock_minutes')).toBe(true)
      services.vault.lock()
      expect((await services.vault.status()).autoLockMs).toBe(5 * 60_000)
      await services.vault.unlock({ password: PASSWORD })
      expect(services.settings.get()).toEqual({ clipboardClearSeconds: 45, autoLockMinutes: 15 })
      expect((await services.vault.status()).autoLockMs).toBe(15 * 60_000)
    })

    it('is when the vault locks itself: after that many idle minutes, not before', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      await dispatch('settings:update', { autoLockMinutes: 2 })
      await vi.advanceTimersByTimeAsync(2 * 60_000 - 1)
      expect(services.vault.isUnlocked).toBe(true)
      await vi.advanceTimersByTimeAsync(1)
      expect(services.vault.isUnlocked).toBe(false)
    })

    it.each([
      [{ autoLockMinutes: 0 }, 'at least 1 minute'],
      [{ autoLockMinutes: 241 }, 'at most 240 minutes'],
      [{ autoLockMinutes: 1.5 }, 'autoLockMinutes has the wrong type'],
      [{ autoLockMinutes: '5' }, 'autoLockMinutes has the wrong type'],
    ])('refuses %j with INVALID_INPUT and changes nothing', async (input, message) => {
      const before = readFileSync(path)
      expect(await dispatch('settings:update', input)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining(message) } })
      expect(readFileSync(path).equals(before)).toBe(true)
      expect(services.settings.get().autoLockMinutes).toBe(5)
    })
  })

  describe('unlock with this device', () => {
    it('turns on after a recent master-password confirmation: the keychain holds a device key and the vault opens with it', async () => {
      const result = await dispatch('settings:set-device-unlock', { enabled: true })
      expect(result).toMatchObject({ ok: true, value: { state: 'unlocked', rememberedOnDevice: true } })
      expect(keyStore.entries.size).toBe(1)
      services.vault.lock()
      expect(await services.vault.unlockWithDevice()).toMatchObject({ state: 'unlocked' })
    })

    it('asks for the master password again when the last confirmation is older than 5 minutes', async () => {
      const now = Date.now()
      vi.spyOn(services.clock, 'now').mockReturnValue(now + 6 * 60_000)
      expect(await dispatch('settings:set-device-unlock', { enabled: true })).toMatchObject({ ok: false, error: { code: 'REAUTH_REQUIRED' } })
      expect(keyStore.entries.size).toBe(0)
      await services.vault.confirmPassword(PASSWORD)
      expect(await dispatch('settings:set-device-unlock', { enabled: true })).toMatchObject({ ok: true, value: { rememberedOnDevice: true } })
    })

    it('turns off without a password: the device key leaves the keychain and the vault file', async () => {
      await dispatch('settings:set-device-unlock', { enabled: true })
      expect(await dispatch('settings:set-device-unlock', { enabled: false })).toMatchObject({ ok: true, value: { rememberedOnDevice: false } })
      expect(keyStore.entries.size).toBe(0)
      services.vault.lock()
      expect(await services.vault.status()).toMatchObject({ state: 'locked', rememberedOnDevice: false })
      await expect(services.vault.unlockWithDevice()).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' })
    })

    it('stays off with a KEYCHAIN_UNAVAILABLE warning when the keychain fails', async () => {
      keyStore.broken = true
      const result = await dispatch('settings:set-device-unlock', { enabled: true })
      expect(result).toMatchObject({ ok: true, value: { rememberedOnDevice: false, warning: { code: 'KEYCHAIN_UNAVAILABLE' } } })
      services.vault.lock()
      expect(await services.vault.status()).toMatchObject({ rememberedOnDevice: false })
    })
  })
})
