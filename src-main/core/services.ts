import type { KdfParams } from '../../src-shared/types/vault'
import { AnchorStore } from './activity/activity.anchors'
import { ActivityJournal } from './activity/activity.journal'
import { ActivityService } from './activity/activity.service'
import { AppKeysService } from './app-keys/app-keys.service'
import { AppsService } from './apps/apps.service'
import { AgentService, type AgentServiceOptions } from './agent/agent.service'
import { BrowserService, type BrowserServiceOptions } from './browser/browser.service'
import { ClipboardGuard } from './clipboard-guard'
import { PairingsService } from './pairings/pairings.service'
import { MemoryClipboard, systemClock, type Clipboard, type Clock, type KeyStore, type SaveFileDialog } from './ports'
import { SCHEMA } from './schema'
import { secretsCatalog } from './secrets/secrets.repo'
import { SecretsService } from './secrets/secrets.service'
import { SettingsService } from './settings/settings.service'
import { useSchema } from './vault/database'
import { VaultService } from './vault/vault.service'

export interface ServicesOptions {
  vaultPath: string
  keyStore: KeyStore
  clock?: Clock
  clipboard?: Clipboard
  kdf?: KdfParams
  autoLockMs?: number
  /** How long a copied secret stays on the clipboard when the vault has no setting (default 30 s). */
  clipboardClearMs?: number
  /** The app's save dialog (Export CSV); the CLI has none. */
  saveFileDialog?: SaveFileDialog
  /** Serve local access (the app, the bridge): the agent starts after each unlock while enabled. */
  agent?: AgentServiceOptions
  /** Who acts in this process, as the activity log names it: the app's window (default) or the CLI. */
  actor?: 'app' | 'cli'
  /** Keyhold's data folder, where the activity log's roll-back anchors and journal are kept; absent: neither. */
  dataFolder?: string
  /** How browsers start this Keyhold's native messaging host (Settings > Browser integration). */
  browser?: BrowserServiceOptions
}

/**
 * The composition of the core: one instance per process, built by the Electron main
 * process, the CLI and the test bridge alike. Each feature adds its service here.
 */
export function createServices(options: ServicesOptions) {
  // The features' tables: every vault this process opens is migrated with this list.
  useSchema(SCHEMA)
  const clock = options.clock ?? systemClock
  const clipboard = options.clipboard ?? new MemoryClipboard()
  const vault = new VaultService({
    path: options.vaultPath,
    keyStore: options.keyStore,
    clock,
    kdf: options.kdf,
    autoLockMs: options.autoLockMs,
  })
  const activity = new ActivityService(vault, clock, { type: options.actor ?? 'app' }, options.saveFileDialog, options.dataFolder ? { anchors: new AnchorStore(options.dataFolder), journal: new ActivityJournal(options.dataFolder) } : undefined)
  const settings = new SettingsService(vault, options.clipboardClearMs === undefined ? undefined : options.clipboardClearMs / 1000)
  // One guard for every copy; each copy reads the person's delay from the vault's settings.
  const clipboardGuard = new ClipboardGuard(clipboard, () => settings.clipboardClearMs())
  // SECURITY: locking takes a copy (a secret or a token) back off the clipboard.
  vault.onLock(() => clipboardGuard.clearIfOurs())
  const appKeys = new AppKeysService({ vault, clock, clipboardGuard, saveFileDialog: options.saveFileDialog, activity })
  const secrets = new SecretsService({ vault, clock, clipboardGuard, activity })
  // The API secrets, readable without the whole vault by the CLI's read path (format 1.3).
  vault.useCatalog(secretsCatalog)
  const apps = new AppsService(vault, clock, activity, clipboardGuard)
  const pairings = new PairingsService(vault, clock, activity)
  const agent = new AgentService({ vault, pairings, secrets, apps, appKeys, settings, activity }, clock, options.agent)
  apps.usePhoneTarget(
    (appId) => agent.phoneTarget(appId),
    (appId) => agent.phoneTargetUnused(appId),
  )
  const browser = new BrowserService(options.browser ?? { problem: 'Browser integration is set up from the app, or with `keyhold browser install`.' })
  return { clock, clipboard, vault, activity, settings, secrets, appKeys, apps, pairings, agent, browser }
}

export type Services = ReturnType<typeof createServices>

/** Item counts for `keyhold info`: each feature adds its table here. */
export function itemCounts(services: Services): Record<string, number> {
  return {
    appKeys: services.appKeys.count(),
    secrets: services.secrets.count(),
    apps: services.apps.count(),
  }
}
