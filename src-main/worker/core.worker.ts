/**
 * The core's thread: the entry point of the worker that Electron's main process starts (see
 * core-host.ts). It composes the same services as the CLI and the test bridge, with the OS
 * boundary (keychain, clipboard, save dialog) answered by the main thread.
 * Never imports electron (lint-enforced, like all of the core).
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Clipboard, KeyStore, SaveFileDialog } from '../core/ports'
import { createServices } from '../core/services'
import { createAppDispatch } from '../ipc/handlers'
import type { CoreApi, CoreWorkerData, HostApi } from './protocol'
import { Rpc, SyncCaller } from './rpc'

if (!parentPort) throw new Error('core.worker must run in a worker thread')
const port = parentPort
const data = workerData as CoreWorkerData
const sync = new SyncCaller(port, data.syncReplies, new Int32Array(data.syncSignal))

// The handlers run only once messages arrive, after `services` and `dispatch` below exist.
const rpc = new Rpc<CoreApi, HostApi>(port, {
  dispatch: (channel, input) => dispatch(channel, input),
  lock: async () => {
    services.vault.lock()
    await services.vault.locked()
  },
  settle: () => services.vault.settle(),
})

const keyStore: KeyStore = {
  get: (account) => rpc.call('keyStoreGet', account),
  set: (account, secret) => rpc.call('keyStoreSet', account, secret),
  delete: (account) => rpc.call('keyStoreDelete', account),
}

const clipboard: Clipboard = {
  readText: () => sync.call('clipboardReadText') as string,
  writeText: (text) => void sync.call('clipboardWriteText', text),
  clear: () => void sync.call('clipboardClear'),
}

const saveFileDialog: SaveFileDialog = { choosePath: (options) => rpc.call('chooseSavePath', options) }

const services = createServices({
  vaultPath: data.vaultPath,
  keyStore,
  clipboard,
  saveFileDialog: data.hasSaveFileDialog ? saveFileDialog : undefined,
  kdf: data.kdf,
  autoLockMs: data.autoLockMs,
  clipboardClearMs: data.clipboardClearMs,
})
services.vault.onLock(() => rpc.notify('locked'))
const dispatch = createAppDispatch(services)
