import { describe, expect, it } from 'vitest'
import type { PairedIdentity } from '../../src-shared/local-access/client'
import { IdentityStore, type StorageArea } from '../../extension/src/identity-store'

const IDENTITY: PairedIdentity = {
  vaultId: 'c3a7f725f31ce7b0afc2',
  desktopKey: 'A'.repeat(43),
  privateKey: 'B'.repeat(42) + 'A',
  pairing: { id: 'p1', app: { id: 'a1', name: 'Work browser', type: 'extension' }, scope: { secrets: 'all' }, reveal: 'ask', createdAt: '2026-12-04T10:00:00.000Z', expiresAt: null },
}

function memoryArea(): StorageArea & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = {}
  return {
    data,
    get: async (key) => (key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: async (items) => void Object.assign(data, structuredClone(items)),
    remove: async (key) => void delete data[key],
  }
}

describe('IdentityStore: the one pairing in chrome.storage.local', () => {
  it('keeps the pairing under one key and reads it back; clear removes it', async () => {
    const area = memoryArea()
    const store = new IdentityStore(area)
    expect(await store.load()).toBeNull()
    await store.save(IDENTITY)
    expect(Object.keys(area.data)).toEqual(['pairing'])
    expect(await store.load()).toEqual(IDENTITY)
    await store.clear()
    expect(area.data).toEqual({})
  })

  it('a damaged entry reads as not paired and is removed', async () => {
    for (const damaged of ['text', { ...IDENTITY, privateKey: 'short' }, { ...IDENTITY, desktopKey: 'B'.repeat(43) }, { ...IDENTITY, vaultId: '../x' }, { ...IDENTITY, pairing: { id: 'p1' } }]) {
      const area = memoryArea()
      area.data.pairing = damaged
      expect(await new IdentityStore(area).load()).toBeNull()
      expect(area.data).toEqual({})
    }
  })
})
