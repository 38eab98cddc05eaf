import { beforeEach, describe, expect, it, vi } from 'vitest'
import { contract, type Method } from '../../../src-shared/ipc/contract'

type Electron = typeof import('../../fakes/electron')

/** Loads the preload afresh against a fresh fake electron, as a new renderer would. */
async function loadPreload(): Promise<{ electron: Electron; api: Record<string, unknown>; exports: object }> {
  vi.resetModules()
  const electron = await import('../../fakes/electron')
  const exports = await import('../../../src-main/preload/index')
  return { electron, api: electron.contextBridge.exposed.get('keyhold') as Record<string, unknown>, exports }
}

const methods = Object.keys(contract) as Method[]

describe('the preload', () => {
  let loaded: Awaited<ReturnType<typeof loadPreload>>
  beforeEach(async () => {
    loaded = await loadPreload()
  })

  it('exposes one object, window.keyhold, and nothing else', () => {
    expect([...loaded.electron.contextBridge.exposed.keys()]).toEqual(['keyhold'])
  })

  it("exposes exactly the contract's method names and the event subscriptions", () => {
    expect(Object.keys(loaded.api).sort()).toEqual([...methods, 'onVaultLocked'].sort())
  })

  it('exposes only functions, never ipcRenderer or any other object', () => {
    for (const value of Object.values(loaded.api)) expect(typeof value).toBe('function')
    expect(Object.values(loaded.api)).not.toContain(loaded.electron.ipcRenderer)
    expect(JSON.stringify(Object.keys(loaded.api))).not.toMatch(/ipc|invoke|send|"on"/i)
  })

  it('tells the page when main locks the vault, without the IPC event, until it unsubscribes', () => {
    const seen: unknown[][] = []
    const unsubscribe = (loaded.api.onVaultLocked as (l: (...args: unknown[]) => void) => () => void)((...args) => seen.push(args))
    loaded.electron.ipcRenderer.emit('vault:locked', { sender: 'the IPC event' })
    expect(seen).toEqual([[]])
    unsubscribe()
    loaded.electron.ipcRenderer.emit('vault:locked', {})
    expect(seen).toHaveLength(1)
    expect(loaded.electron.ipcRenderer.listenerCount('vault:locked')).toBe(0)
  })

  it('cannot be changed by the page', () => {
    expect(Object.isFrozen(loaded.api)).toBe(true)
  })

  it('exports nothing from the module', () => {
    expect(Object.keys(loaded.exports)).toEqual([])
  })

  for (const method of methods) {
    it(`${method} invokes ${contract[method].name} with its input and nothing more`, async () => {
      const input = { probe: method }
      const response = { ok: true, value: `answer of ${method}` }
      loaded.electron.ipcRenderer.response = response
      const call = loaded.api[method] as (...args: unknown[]) => Promise<unknown>
      await expect(call(input, 'a second argument the page slipped in')).resolves.toBe(response)
      expect(loaded.electron.ipcRenderer.calls).toEqual([{ channel: contract[method].name, args: [input] }])
    })
  }
})
