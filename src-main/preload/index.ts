import { contextBridge, ipcRenderer } from 'electron'
import { contract, type KeyholdApi, type Method } from '../../src-shared/ipc/contract'

/**
 * `window.keyhold`: one named method per contract entry, each invoking exactly its own
 * channel with exactly one argument. Built from the contract, so a new channel needs no
 * change here.
 * SECURITY: the renderer never sees `ipcRenderer`, channel names, or a generic `invoke`;
 * it can only call the methods the contract lists, and main still validates every input.
 */
const api = Object.freeze(
  Object.fromEntries(
    (Object.keys(contract) as Method[]).map((method) => {
      const channel = contract[method].name
      return [method, (input: unknown) => ipcRenderer.invoke(channel, input)]
    }),
  ),
) as KeyholdApi

contextBridge.exposeInMainWorld('keyhold', api)
