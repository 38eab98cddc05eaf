import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { client, setClient } from '../../src-renderer/api/client'
import { ACTIVITY_INTERVAL_MS, IDLE_CHECK_MARGIN_MS, useVaultStore } from '../../src-renderer/stores/vault.store'
import { FakeVault } from './fake-api'

const PASSWORD = 'correct horse battery staple'

describe('useVaultStore', () => {
  let fake: FakeVault

  beforeEach(() => {
    fake = new FakeVault()
    setClient(fake.api())
    setActivePinia(createPinia())
  })
  afterEach(() => {
    useVaultStore().$dispose()
    vi.useRealTimers()
  })

  it('goes to locked and tells the feature stores as soon as main says it locked', async () => {
    const listeners: Array<() => void> = []
    setClient({ ...fake.api(), onVaultLocked: (listener) => (listeners.push(listener), () => listeners.splice(listeners.indexOf(listener), 1)) })
    const vault = useVaultStore()
    await vault.create({ password: PASSWORD, rememberOnDevice: false })
    const dropped = vi.fn()
    vault.onLocked(dropped)
    expect(listeners).toHaveLength(1)
    listeners[0]!()
    expect(vault.state).toBe('locked')
    expect(dropped).toHaveBeenCalledOnce()
    vault.$dispose()
    expect(listeners).toHaveLength(0)
  })

  it('reads the status from main', async () => {
    const vault = useVaultStore()
    expect(vault.state).toBe('unknown')
    await vault.refresh()
    expect(vault.state).toBe('absent')
    expect(vault.autoLockMinutes).toBe(5)
  })

  it('creates a vault and is then unlocked', async () => {
    const vault = useVaultStore()
    const result = await vault.create({ password: PASSWORD, rememberOnDevice: true })
    expect(result.ok).toBe(true)
    expect(vault.state).toBe('unlocked')
    expect(vault.rememberedOnDevice).toBe(true)
    expect(fake.calls).toEqual([{ method: 'vaultCreate', input: { password: PASSWORD, rememberOnDevice: true } }])
  })

  it('stays locked and returns the error when the password is wrong', async () => {
    fake.existing(PASSWORD)
    const vault = useVaultStore()
    await vault.refresh()
    const result = await vault.unlock({ password: 'not the password' })
    expect(result).toMatchObject({ ok: false, error: { code: 'WRONG_PASSWORD' } })
    expect(vault.state).toBe('locked')
  })

  it('unlocks with this device, and reports the keychain failing', async () => {
    fake.existing(PASSWORD, { remembered: true })
    const vault = useVaultStore()
    await vault.refresh()
    fake.keychainBroken = true
    expect(await vault.unlockWithDevice()).toMatchObject({ ok: false, error: { code: 'KEYCHAIN_UNAVAILABLE' } })
    expect(vault.state).toBe('locked')
    fake.keychainBroken = false
    expect((await vault.unlockWithDevice()).ok).toBe(true)
    expect(vault.state).toBe('unlocked')
  })

  it('locks on demand and tells the onLocked listeners once', async () => {
    const vault = useVaultStore()
    await vault.create({ password: PASSWORD, rememberOnDevice: false })
    const listener = vi.fn()
    vault.onLocked(listener)
    await vault.lock()
    await vault.lock()
    expect(vault.state).toBe('locked')
    expect(listener).toHaveBeenCalledTimes(1)
  })

  it('goes to locked when any call, from any store, answers VAULT_LOCKED', async () => {
    const vault = useVaultStore()
    await vault.create({ password: PASSWORD, rememberOnDevice: false })
    const listener = vi.fn()
    vault.onLocked(listener)
    fake.state = 'locked'
    const result = await client.vaultChangePassword({ current: PASSWORD, next: 'another long passphrase' })
    expect(result).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
    expect(vault.state).toBe('locked')
    expect(listener).toHaveBeenCalledOnce()
  })

  it('keeps a keychain warning as a notice for the next screen', async () => {
    setClient(
      fake.api({
        vaultCreate: async () => ({
          ok: true,
          value: { state: 'unlocked', rememberedOnDevice: false, autoLockMs: 300_000, warning: { code: 'KEYCHAIN_UNAVAILABLE', message: 'Keychain is away.' } },
        }),
      }),
    )
    setActivePinia(createPinia())
    const vault = useVaultStore()
    await vault.create({ password: PASSWORD, rememberOnDevice: true })
    expect(vault.notice).toBe('Keychain is away.')
    expect(vault.status).not.toHaveProperty('warning')
    vault.dismissNotice()
    expect(vault.notice).toBeNull()
  })

  it('pings activity on input at most once per interval, and only while unlocked', async () => {
    vi.useFakeTimers()
    const vault = useVaultStore()
    vault.activity()
    await vault.create({ password: PASSWORD, rememberOnDevice: false })
    vault.activity()
    expect(fake.count('vaultActivity')).toBe(0)
    vi.advanceTimersByTime(ACTIVITY_INTERVAL_MS + 1)
    vault.activity()
    vault.activity()
    expect(fake.count('vaultActivity')).toBe(1)
    vi.advanceTimersByTime(ACTIVITY_INTERVAL_MS + 1)
    vault.activity()
    expect(fake.count('vaultActivity')).toBe(2)
  })

  it('notices main locking itself after the idle time, without keeping it open', async () => {
    vi.useFakeTimers()
    fake.autoLockMs = 60_000
    const vault = useVaultStore()
    await vault.create({ password: PASSWORD, rememberOnDevice: false })
    const listener = vi.fn()
    vault.onLocked(listener)
    fake.state = 'locked'
    await vi.advanceTimersByTimeAsync(60_000)
    expect(fake.count('vaultStatus')).toBe(0)
    await vi.advanceTimersByTimeAsync(IDLE_CHECK_MARGIN_MS)
    expect(fake.count('vaultStatus')).toBe(1)
    expect(vault.state).toBe('locked')
    expect(listener).toHaveBeenCalledOnce()
  })

  it('changes the master password, and reports a wrong current one', async () => {
    const vault = useVaultStore()
    await vault.create({ password: PASSWORD, rememberOnDevice: false })
    expect(await vault.changePassword({ current: 'nope nope nope', next: 'another long passphrase' })).toMatchObject({
      ok: false,
      error: { code: 'WRONG_PASSWORD' },
    })
    expect((await vault.changePassword({ current: PASSWORD, next: 'another long passphrase' })).ok).toBe(true)
    expect(fake.password).toBe('another long passphrase')
  })
})

describe('client', () => {
  afterEach(() => setClient(undefined))

  it('answers INTERNAL instead of throwing when there is no bridge', async () => {
    setClient(undefined)
    const result = await client.vaultStatus({})
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
  })

  it('turns a bridge that throws into an INTERNAL result', async () => {
    const fake = new FakeVault()
    setClient(fake.api({ vaultStatus: () => Promise.reject(new Error('ipc broke')) }))
    const result = await client.vaultStatus({})
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(JSON.stringify(result)).not.toContain('ipc broke')
  })
})
