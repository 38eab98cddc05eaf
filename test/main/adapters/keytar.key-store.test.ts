import { randomBytes, randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { KEYCHAIN_SERVICE, KeytarKeyStore, type KeytarApi } from '../../../src-main/adapters/keytar.key-store'

/** keytar's behaviour without a keychain: a Map per service, and a log of calls. */
function fakeKeytar(): KeytarApi & { entries: Map<string, string>; calls: string[] } {
  const entries = new Map<string, string>()
  const calls: string[] = []
  return {
    entries,
    calls,
    getPassword: async (service, account) => {
      calls.push(`get ${service}/${account}`)
      return entries.get(`${service}/${account}`) ?? null
    },
    setPassword: async (service, account, password) => {
      calls.push(`set ${service}/${account}`)
      entries.set(`${service}/${account}`, password)
    },
    deletePassword: async (service, account) => {
      calls.push(`delete ${service}/${account}`)
      return entries.delete(`${service}/${account}`)
    },
  }
}

describe('KeytarKeyStore', () => {
  afterEach(() => vi.restoreAllMocks())

  it("files every entry under the service 'Keyhold'", async () => {
    const keytar = fakeKeytar()
    const store = new KeytarKeyStore(undefined, async () => keytar)
    await store.set('vault-1', 'secret')
    await store.get('vault-1')
    await store.delete('vault-1')
    expect(KEYCHAIN_SERVICE).toBe('Keyhold')
    expect(keytar.calls).toEqual(['set Keyhold/vault-1', 'get Keyhold/vault-1', 'delete Keyhold/vault-1'])
  })

  it('answers null for a missing entry, and false when deleting one', async () => {
    const store = new KeytarKeyStore(undefined, async () => fakeKeytar())
    expect(await store.get('nobody')).toBeNull()
    expect(await store.delete('nobody')).toBe(false)
  })

  it('does not load keytar until the keychain is first used', async () => {
    const load = vi.fn(async () => fakeKeytar())
    const store = new KeytarKeyStore(undefined, load)
    expect(load).not.toHaveBeenCalled()
    await store.get('a')
    await store.get('b')
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('rejects each call, without throwing at construction, when keytar cannot be loaded', async () => {
    const load = vi.fn(async (): Promise<KeytarApi> => {
      throw new Error('Cannot find module keytar.node')
    })
    const store = new KeytarKeyStore(undefined, load)
    await expect(store.get('a')).rejects.toThrow('keytar.node')
    await expect(store.set('a', 'secret')).rejects.toThrow('keytar.node')
    await expect(store.delete('a')).rejects.toThrow('keytar.node')
  })

  it('tries to load keytar again after a failed load', async () => {
    let attempts = 0
    const store = new KeytarKeyStore(undefined, async () => {
      if (++attempts === 1) throw new Error('no D-Bus session yet')
      return fakeKeytar()
    })
    await expect(store.get('a')).rejects.toThrow('D-Bus')
    await expect(store.get('a')).resolves.toBeNull()
  })

  it('passes keychain failures on as rejections', async () => {
    const store = new KeytarKeyStore(undefined, async () => ({
      ...fakeKeytar(),
      getPassword: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
    }))
    await expect(store.get('a')).rejects.toThrow('D-Bus')
  })

  it('never logs a value it stores or reads', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => {}))
    const store = new KeytarKeyStore(undefined, async () => fakeKeytar())
    await store.set('vault-1', 'DEVICE-KEY-VALUE')
    await store.get('vault-1')
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })
})

const keychainTestsEnabled = !!process.env.KEYHOLD_KEYCHAIN_TESTS
const onCi = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase())

if (onCi && !keychainTestsEnabled) {
  describe('the real OS keychain on CI', () => {
    it('runs: CI must start gnome-keyring and set KEYHOLD_KEYCHAIN_TESTS=1', () => {
      throw new Error(
        'CI is set but KEYHOLD_KEYCHAIN_TESTS is not: the real keychain test would be skipped. ' +
          'Run the tests inside dbus-run-session with gnome-keyring-daemon unlocked and KEYHOLD_KEYCHAIN_TESTS=1 (see .ci/run).',
      )
    })
  })
}

describe.skipIf(!keychainTestsEnabled)('KeytarKeyStore against the real OS keychain', () => {
  const account = `keyhold-test-${randomUUID()}`
  const store = new KeytarKeyStore()

  afterEach(async () => {
    await store.delete(account)
  })

  it('stores, reads back and deletes a device key', async () => {
    const deviceKey = randomBytes(32).toString('base64')
    await store.set(account, deviceKey)
    expect(await store.get(account)).toBe(deviceKey)
    expect(await store.delete(account)).toBe(true)
    expect(await store.get(account)).toBeNull()
  })

  it("files the entry under the service 'Keyhold', where keytar itself finds it", async () => {
    const keytar = (await import('keytar')) as KeytarApi & { default?: KeytarApi }
    await store.set(account, 'filed under Keyhold')
    expect(await (keytar.default ?? keytar).getPassword('Keyhold', account)).toBe('filed under Keyhold')
  })

  it('replaces an existing entry instead of adding a second one', async () => {
    await store.set(account, 'first')
    await store.set(account, 'second')
    expect(await store.get(account)).toBe('second')
    expect(await store.delete(account)).toBe(true)
    expect(await store.get(account)).toBeNull()
  })

  it('answers null for an account it never stored', async () => {
    expect(await store.get(`keyhold-test-missing-${randomUUID()}`)).toBeNull()
  })

  it('answers false when deleting an account it never stored', async () => {
    expect(await store.delete(`keyhold-test-missing-${randomUUID()}`)).toBe(false)
  })
})
