/**
 * The core's thread: the entry point of the worker that Electron's main process starts (see
 * core-host.ts). It composes the same services as the CLI and the test bridge, with the OS
 * boundary (keychain, clipboard, save dialog) answered by the main thread, and gives the agent
 * the CLI's command program for terminals (the core may not import the CLI; this file may).
 * Never imports electron (lint-enforced, like all of the core).
 */
import { dirname } from 'node:path'
import { parentPort, workerData } from 'node:worker_threads'
import { cliTerminalHost } from '../cli/terminal-host'
import type { Clipboard, KeyStore, SaveFileDialog } from '../core/ports'
import { createServices } from '../core/services'
import { createAppDispatch } from '../ipc/handlers'
import type { CoreApi, CoreWorkerData, HostApi } from './protocol'
import { connect } from './rpc'

if (!parentPort) throw new Error('core.worker must run in a worker thread')
const data = workerData as CoreWorkerData

// The handlers run only once messages arrive, after `services` and `dispatch` below exist.
const main = connect<CoreApi, HostApi>(parentPort, {
  dispatch: (channel, input) => dispatch(channel, input),
  lock: async () => {
    services.vault.lock()
    await services.vault.locked()
  },
  settle: () => services.vault.settle(),
  shutdown: () => services.agent.stop(),
  // After this answer is posted: process.exit in a worker ends only the thread, between two
  // steps of whatever the core was doing (a save's file is replaced whole, or not at all).
  exit: async () => {
    setImmediate(() => process.exit(0))
  },
})

const keyStore: KeyStore = {
  get: (account) => main.keyStoreGet(account),
  set: (account, secret) => main.keyStoreSet(account, secret),
  delete: (account) => main.keyStoreDelete(account),
}

const clipboard: Clipboard = {
  readText: () => main.clipboardReadText(),
  writeText: (text) => main.clipboardWriteText(text),
  clear: () => main.clipboardClear(),
}

const saveFileDialog: SaveFileDialog = { choosePath: (options) => main.chooseSavePath(options) }

const services = createServices({
  vaultPath: data.vaultPath,
  // Keyhold's data folder (the vault's, in the app): the activity log's roll-back anchors live there.
  dataFolder: dirname(data.vaultPath),
  keyStore,
  clipboard,
  saveFileDialog: data.hasSaveFileDialog ? saveFileDialog : undefined,
  kdf: data.kdf,
  autoLockMs: data.autoLockMs,
  clipboardClearMs: data.clipboardClearMs,
  // Terminals run their commands here once the person allows them in the window (docs/terminal-sessions.md §3).
  agent: { holder: 'app', software: data.software, terminals: (allow) => cliTerminalHost(services, allow) },
  browser: data.browser,
})
services.vault.onLock(() => void main.$callEvent('locked'))
// Browser integration that is on keeps pointing at this Keyhold, wherever it now lives.
void services.browser.refresh()
// A question for the person, or a companion asking to unlock: main brings the window forward.
services.agent.approvals.onChange(() => {
  if (services.agent.prompts().length > 0) void main.$callEvent('attention')
})
services.agent.approvals.onUnlockRequest(() => void main.$callEvent('attention'))
const dispatch = createAppDispatch(services)
