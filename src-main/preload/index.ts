import { contextBridge, ipcRenderer } from 'electron'
import { contract, type KeyholdApi, type Method } from '../../src-shared/ipc/contract'
import { EVENTS, type KeyholdBridge } from '../../src-shared/ipc/events'

/**
 * `window.keyhold`: one named method per contract entry, each invoking exactly its own
 * channel with exactly one argument. Built from the contract, so a new channel needs no
 * change here.
 * SECURITY: the renderer never sees `ipcRenderer`, channel names, or a generic `invoke`;
 * it can only call the methods the contract lists, and main still validates every input.
 */
const api: KeyholdBridge = Object.freeze({
  ...(Object.fromEntries(
    (Object.keys(contract) as Method[]).map((method) => {
      const channel = contract[method].name
      return [method, (input: unknown) => ipcRenderer.invoke(channel, input)]
    }),
  ) as unknown as KeyholdApi),
  // SECURITY: the page gets a plain callback, never the IPC event (which exposes the sender).
  onVaultLocked(listener: () => void): () => void {
    const handler = () => listener()
    ipcRenderer.on(EVENTS.vaultLocked, handler)
    return () => void ipcRenderer.removeListener(EVENTS.vaultLocked, handler)
  },
})

contextBridge.exposeInMainWorld('keyhold', api)
