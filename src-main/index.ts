import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { app, ipcMain, powerMonitor, session, type BrowserWindow } from 'electron'
import { ElectronClipboard } from './adapters/electron.clipboard'
import { ElectronSaveDialog } from './adapters/electron.save-dialog'
import { KeytarKeyStore } from './adapters/keytar.key-store'
import { lockOnSystemEvents } from './adapters/power-monitor'
import { createSenderCheck, registerIpc } from './ipc/electron-ipc'
import { EVENTS } from '../src-shared/ipc/events'
import { createMainWindow, hardenSession, hardenWebContents, rendererSource } from './window'
import type { BrowserServiceOptions } from './core/browser/browser.service'
import { runNativeHost } from './cli/native-host'
import { CoreHost } from './worker/core-host'
import coreWorkerPath from './worker/core.worker?modulePath'

// The CLI's default vault (core/vault/paths.ts) is <appData>/Keyhold/vault.keyhold: both find the same file.
app.setPath('userData', join(app.getPath('appData'), 'Keyhold'))
// SECURITY: every renderer is sandboxed, including any the window options would forget.
app.enableSandbox()

// Started by a browser as the Keyhold extension's native messaging host (`<app> --native-host
// <caller>`): relay and exit; no window, no vault (the running Keyhold's agent holds it).
const hostAt = process.argv.indexOf('--native-host')
if (hostAt !== -1) {
  // Never Electron's error dialog from a host the browser started: a failure is an exit.
  const quietly = () => app.exit(1)
  process.on('uncaughtException', quietly)
  void runNativeHost({ stdin: process.stdin, stdout: process.stdout }, process.argv.slice(hostAt + 1))
    .catch(() => 1)
    .then((status) => {
      process.off('uncaughtException', quietly)
      app.exit(status)
    })
} else if (!app.requestSingleInstanceLock()) {
  // SECURITY: one process owns the vault; a second launch hands over to the first and quits.
  app.quit()
} else {
  start()
}

/**
 * How browsers start Keyhold's native messaging host: a packaged build starts itself with
 * --native-host (its Electron cannot run as Node: see the fuses); a checkout runs node on its
 * bin/keyhold.js.
 */
function nativeHostCommand(): BrowserServiceOptions {
  const launcher = join(app.getPath('userData'), 'native-host', process.platform === 'win32' ? 'keyhold-native-host.cmd' : 'keyhold-native-host')
  if (app.isPackaged) {
    // Packaged: this very executable, in its host mode (above). An AppImage runs from a mount
    // that goes when it quits: the launcher names the AppImage file itself.
    const executable = process.env.APPIMAGE || process.execPath
    // SECURITY: never a launcher into a temporary folder, which another user could fill after Keyhold quits.
    if (executable.startsWith(join(tmpdir(), '/')))
      return { problem: `Keyhold runs from a temporary folder (${executable}), so browsers could not start it later. Install Keyhold, then turn this on.` }
    return { command: { launcher, argv: [executable, '--native-host'] } }
  }
  const node = process.platform === 'win32' ? ['node'] : ['/usr/bin/env', 'node']
  return {
    command: {
      launcher,
      argv: [...node, join(app.getAppPath(), 'bin', 'keyhold.js'), 'native-host'],
    },
  }
}

function start(): void {
  let mainWindow: BrowserWindow | null = null
  // The core (vault, sql.js, services) runs in its own thread, so a save of a large vault
  // never freezes the window; main keeps the OS boundary: keychain, clipboard, dialogs.
  const core = new CoreHost({
    workerPath: coreWorkerPath,
    vaultPath: join(app.getPath('userData'), 'vault.keyhold'),
    keyStore: new KeytarKeyStore(),
    clipboard: new ElectronClipboard(),
    saveFileDialog: new ElectronSaveDialog(() => mainWindow),
    software: `keyhold/${app.getVersion()}`,
    browser: nativeHostCommand(),
    // A companion is waiting on the person (approval, reveal, unlock): show the window.
    onAttention: () => {
      if (!mainWindow) return
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.show()
      mainWindow.focus()
    },
  })

  // The screens drop what they show as soon as the vault locks, whatever locked it.
  core.onLocked(() => {
    if (mainWindow && !mainWindow.webContents.isDestroyed()) mainWindow.webContents.send(EVENTS.vaultLocked)
  })
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents))
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('window-all-closed', () => app.quit())
  // Saves under way finish first (a change the person saw succeed is on disk), then
  // SECURITY: the database and every key leave memory before the process does.
  let settled = false
  let quitting = false
  app.on('before-quit', (event) => {
    if (settled) return
    event.preventDefault()
    // A second quit while the first is settling waits for it.
    if (quitting) return
    quitting = true
    void core
      .settle()
      .then(() => core.shutdown())
      .then(() => core.lock())
      // The core's thread ends itself before the process does (see CoreHost.close).
      .finally(() => core.close())
      .finally(() => {
        settled = true
        app.quit()
      })
  })

  app
    .whenReady()
    .then(() => {
      const source = rendererSource()
      hardenSession(session.defaultSession, source)
      registerIpc(ipcMain, core.dispatch, createSenderCheck(() => mainWindow, source))
      lockOnSystemEvents(powerMonitor, core)
      mainWindow = createMainWindow(source)
      mainWindow.on('closed', () => {
        mainWindow = null
      })
    })
    .catch((error: unknown) => {
      console.error(`Keyhold could not start: ${error instanceof Error ? error.message : String(error)}`)
      app.exit(1)
    })
}
