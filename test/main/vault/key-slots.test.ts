import { describe, expect, it } from 'vitest'
import { randomKey } from '../../../src-main/core/vault/crypto'
import { hasDeviceSlot, newHeader, rekeyedHeader, unwrapDataKey, withDeviceSlot } from '../../../src-main/core/vault/key-slots'
import { codeOf, FAST_KDF, PASSWORD } from '../../support/vault'

describe('key slots', () => {
  it('wraps the data key for the password, and only that password unwraps it', async () => {
    const dataKey = randomKey()
    const header = await newHeader(PASSWORD, FAST_KDF, dataKey)
    expect(header.slots.map((s) => s.type)).toEqual(['password'])
    expect((await unwrapDataKey(header, { password: PASSWORD })).equals(dataKey)).toBe(true)
    expect(await codeOf(unwrapDataKey(header, { password: 'not the password' }))).toBe('WRONG_PASSWORD')
  })

  it('adds, replaces and drops the device slot, leaving the password slot as it is', async () => {
    const dataKey = randomKey()
    const header = await newHeader(PASSWORD, FAST_KDF, dataKey)
    const [first, second] = [randomKey(), randomKey()]
    const remembered = withDeviceSlot(header, first, dataKey)
    expect(hasDeviceSlot(remembered)).toBe(true)
    expect(remembered.slots[0]).toBe(header.slots[0])
    expect((await unwrapDataKey(remembered, { deviceKey: first })).equals(dataKey)).toBe(true)
    const replaced = withDeviceSlot(remembered, second, dataKey)
    expect(replaced.slots.map((s) => s.type)).toEqual(['password', 'device'])
    expect(await codeOf(unwrapDataKey(replaced, { deviceKey: first }))).toBe('KEYCHAIN_UNAVAILABLE')
    expect(hasDeviceSlot(withDeviceSlot(replaced, null, dataKey))).toBe(false)
  })

  it('rewraps every slot for a new data key with a new salt, dropping the device slot without a device key', async () => {
    const [oldKey, newKey, deviceKey] = [randomKey(), randomKey(), randomKey()]
    const header = withDeviceSlot(await newHeader(PASSWORD, FAST_KDF, oldKey), deviceKey, oldKey)
    const rekeyed = await rekeyedHeader(header, 'the next password', deviceKey, newKey)
    expect(rekeyed.salt.equals(header.salt)).toBe(false)
    expect((await unwrapDataKey(rekeyed, { password: 'the next password' })).equals(newKey)).toBe(true)
    expect((await unwrapDataKey(rekeyed, { deviceKey })).equals(newKey)).toBe(true)
    expect(await codeOf(unwrapDataKey(rekeyed, { password: PASSWORD }))).toBe('WRONG_PASSWORD')
    expect(hasDeviceSlot(await rekeyedHeader(header, PASSWORD, null, newKey))).toBe(false)
  })

  it("binds a slot to its vault: another vault's password slot does not open", async () => {
    const dataKey = randomKey()
    const [one, other] = [await newHeader(PASSWORD, FAST_KDF, dataKey), await newHeader(PASSWORD, FAST_KDF, dataKey)]
    const moved = { ...other, salt: one.salt, slots: one.slots }
    expect(await codeOf(unwrapDataKey(moved, { password: PASSWORD }))).toBe('WRONG_PASSWORD')
  })
})
