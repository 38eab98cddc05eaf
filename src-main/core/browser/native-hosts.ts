import { execFile } from 'node:child_process'
import { promises as fs } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { promisify } from 'node:util'
import { KeyholdError } from '../../../src-shared/errors'
import { BROWSERS, type Browser } from '../../../src-shared/types/browser'
import { fileSystemError } from '../vault/fs-errors'

/** The host's name, as the extension calls it (chrome.runtime.connectNative). */
export const NATIVE_HOST_NAME = 'app.keyhold.native'
/** The Keyhold extension's id in Chromium-based browsers (fixed by the manifest's `key`). */
export const CHROMIUM_EXTENSION_ID = 'alfgllhfncpkgilkajgdpecciinfhimm'
/** The Keyhold extension's id in Firefox (browser_specific_settings.gecko.id). */
export const FIREFOX_EXTENSION_ID = 'extension@keyhold.app'

export { BROWSERS, type Browser }
export const BROWSER_NAMES: Record<Browser, string> = { chrome: 'Google Chrome', chromium: 'Chromium', edge: 'Microsoft Edge', brave: 'Brave', firefox: 'Firefox' }

/** Where each browser reads a user's host manifests (Linux and macOS), per the browsers' documentation. */
export function manifestFolder(browser: Browser, home = homedir(), env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') {
    const support = join(home, 'Library', 'Application Support')
    const folders: Record<Browser, string> = {
      chrome: join(support, 'Google', 'Chrome', 'NativeMessagingHosts'),
      chromium: join(support, 'Chromium', 'NativeMessagingHosts'),
      edge: join(support, 'Microsoft Edge', 'NativeMessagingHosts'),
      brave: join(support, 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'),
      firefox: join(support, 'Mozilla', 'NativeMessagingHosts'),
    }
    return folders[browser]
  }
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Keyhold', 'native-hosts', browser)
  // The XDG spec: an empty or relative XDG_CONFIG_HOME is ignored.
  const config = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config')
  const folders: Record<Browser, string> = {
    chrome: join(config, 'google-chrome', 'NativeMessagingHosts'),
    chromium: join(config, 'chromium', 'NativeMessagingHosts'),
    edge: join(config, 'microsoft-edge', 'NativeMessagingHosts'),
    brave: join(config, 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'),
    firefox: join(home, '.mozilla', 'native-messaging-hosts'),
  }
  return folders[browser]
}

/** Windows: the registry key whose default value names the manifest (HKCU, per user). */
const REGISTRY: Record<Browser, string> = {
  chrome: 'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts',
  chromium: 'HKCU\\Software\\Chromium\\NativeMessagingHosts',
  edge: 'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts',
  brave: 'HKCU\\Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts',
  firefox: 'HKCU\\Software\\Mozilla\\NativeMessagingHosts',
}

/** The host manifest for one browser: Chromium's names the extension's origin, Firefox's its id. */
export function hostManifest(browser: Browser | 'custom', launcher: string): object {
  const base = { name: NATIVE_HOST_NAME, description: 'Keyhold: lets the Keyhold browser extension reach your vault on this computer', path: launcher, type: 'stdio' }
  return browser === 'firefox' ? { ...base, allowed_extensions: [FIREFOX_EXTENSION_ID] } : { ...base, allowed_origins: [`chrome-extension://${CHROMIUM_EXTENSION_ID}/`] }
}

/** How the browser starts the host: a small launcher next to Keyhold's data, running this Keyhold. */
export interface HostCommand {
  /** Where the launcher is written (the manifest's `path`). */
  launcher: string
  /** The program and arguments it runs, e.g. [node, <checkout>/bin/keyhold.js, 'native-host']. */
  argv: string[]
}

export interface HostStatus {
  browser: Browser | 'custom'
  name: string
  manifest: string
  installed: boolean
  /** The manifest names our launcher, and the launcher runs this Keyhold (else: Needs reinstall). */
  ready: boolean
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`

/** The launcher's text: it runs `command.argv` with the browser's arguments. */
function launcherText(command: HostCommand): string {
  return process.platform === 'win32'
    ? `@echo off\r\n${command.argv.map((a) => `"${a}"`).join(' ')} %*\r\n`
    : `#!/bin/sh\n# Written by Keyhold (keyhold browser install): starts its native messaging host.\nexec ${command.argv.map(quote).join(' ')} "$@"\n`
}

/** Writes the launcher (mode 0755; a .cmd on Windows). */
async function writeLauncher(command: HostCommand): Promise<void> {
  await fs.mkdir(dirname(command.launcher), { recursive: true, mode: 0o700 })
  await fs.writeFile(command.launcher, launcherText(command), { mode: 0o755 })
  await fs.chmod(command.launcher, 0o755)
}

/**
 * At start: when a browser's manifest is installed, points the launcher at this Keyhold again
 * (an app that moved or was updated, a new node for a checkout). Writes nothing otherwise.
 */
export async function refreshLauncher(command: HostCommand, place: HostPlace = {}): Promise<boolean> {
  const rows = await hostStatus(command, BROWSERS, place)
  if (!rows.some((row) => row.installed) || rows.every((row) => !row.installed || row.ready)) return false
  await writeLauncher(command)
  return true
}

/** Where the manifests go: the browsers' own folders under `home`, or one folder given by the person. */
export interface HostPlace {
  dir?: string
  /** Another home (tests, the bridge): the browsers' folders under it, whatever XDG_CONFIG_HOME says. */
  home?: string
}

const targets = (browsers: readonly Browser[], place: HostPlace = {}) =>
  place.dir ? [{ browser: 'custom' as const, folder: place.dir }] : browsers.map((browser) => ({ browser, folder: manifestFolder(browser, place.home, place.home === undefined ? process.env : {}) }))

/**
 * Settings > Browser integration and `keyhold browser install`: the launcher, then one host
 * manifest per browser (or in `dir`, a NativeMessagingHosts folder given by the person), and on
 * Windows the registry key that points at it.
 */
export async function installHosts(command: HostCommand, browsers: readonly Browser[] = BROWSERS, place: HostPlace = {}): Promise<HostStatus[]> {
  try {
    await writeLauncher(command)
    for (const { browser, folder } of targets(browsers, place)) {
      await fs.mkdir(folder, { recursive: true, mode: 0o700 })
      const path = join(folder, `${NATIVE_HOST_NAME}.json`)
      await fs.writeFile(path, `${JSON.stringify(hostManifest(browser, command.launcher), null, 2)}\n`, { mode: 0o644 })
      if (process.platform === 'win32' && browser !== 'custom') await reg(['add', `${REGISTRY[browser]}\\${NATIVE_HOST_NAME}`, '/ve', '/t', 'REG_SZ', '/d', path, '/f'])
    }
  } catch (error) {
    if (error instanceof KeyholdError) throw error
    throw fileSystemError(error, { writing: 'the browser integration files', folder: dirname(command.launcher) })
  }
  return hostStatus(command, browsers, place)
}

/** Removes what installHosts wrote: the manifests (and registry keys), then the launcher. */
export async function uninstallHosts(command: HostCommand, browsers: readonly Browser[] = BROWSERS, place: HostPlace = {}): Promise<HostStatus[]> {
  for (const { browser, folder } of targets(browsers, place)) {
    await fs.rm(join(folder, `${NATIVE_HOST_NAME}.json`), { force: true })
    if (process.platform === 'win32' && browser !== 'custom') await reg(['delete', `${REGISTRY[browser]}\\${NATIVE_HOST_NAME}`, '/f']).catch(() => undefined)
  }
  // The launcher goes with the last manifest that uses it.
  if (!place.dir && !(await hostStatus(command, BROWSERS, place)).some((row) => row.installed)) await fs.rm(command.launcher, { force: true })
  return hostStatus(command, browsers, place)
}

/** For each browser: is our manifest there, and does it name a launcher that runs this Keyhold. */
export async function hostStatus(command: HostCommand, browsers: readonly Browser[] = BROWSERS, place: HostPlace = {}): Promise<HostStatus[]> {
  // Ready only when the launcher runs this Keyhold and what it runs exists.
  const launcher = await fs.readFile(command.launcher, 'utf8').catch(() => null)
  const program = command.argv[0]
  const programThere = program !== undefined && (!isAbsolute(program) || (await fs.stat(program).then(() => true, () => false)))
  const launcherThere = launcher === launcherText(command) && programThere
  const out: HostStatus[] = []
  for (const { browser, folder } of targets(browsers, place)) {
    const manifest = join(folder, `${NATIVE_HOST_NAME}.json`)
    const text = await fs.readFile(manifest, 'utf8').catch(() => null)
    let names: string | null = null
    try {
      names = text === null ? null : (JSON.parse(text) as { path?: string }).path ?? null
    } catch {
      names = null
    }
    out.push({
      browser,
      name: browser === 'custom' ? folder : BROWSER_NAMES[browser],
      manifest,
      installed: text !== null,
      ready: text !== null && names === command.launcher && launcherThere,
    })
  }
  return out
}

async function reg(args: string[]): Promise<void> {
  await promisify(execFile)('reg', args, { windowsHide: true })
}
