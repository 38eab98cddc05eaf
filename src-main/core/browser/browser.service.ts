import type { Browser, BrowserIntegration } from '../../../src-shared/types/browser'
import { BROWSERS } from '../../../src-shared/types/browser'
import { hostStatus, installHosts, refreshLauncher, uninstallHosts, type HostCommand, type HostPlace, type HostStatus } from './native-hosts'

export interface BrowserServiceOptions {
  /** How browsers start this Keyhold's host; absent when it cannot (then the screen says why). */
  command?: HostCommand
  /** Why there is no command, in words for people. */
  problem?: string
  /** Tests: the home folder the browsers' folders are under. */
  home?: string
}

/**
 * Settings > Browser integration: installs, removes and reports the native messaging host
 * manifests that let the Keyhold extension start `keyhold native-host` (see native-hosts.ts;
 * `keyhold browser` does the same from the CLI). Nothing here reads the vault.
 */
export class BrowserService {
  constructor(private readonly options: BrowserServiceOptions) {}

  async status(): Promise<BrowserIntegration> {
    return this.answer(this.options.command ? await hostStatus(this.options.command, BROWSERS, this.place) : [])
  }

  async install(browsers: readonly Browser[] = BROWSERS): Promise<BrowserIntegration> {
    if (!this.options.command) return this.status()
    await installHosts(this.options.command, browsers, this.place)
    return this.status()
  }

  async uninstall(browsers: readonly Browser[] = BROWSERS): Promise<BrowserIntegration> {
    if (!this.options.command) return this.status()
    await uninstallHosts(this.options.command, browsers, this.place)
    return this.status()
  }

  /** At start: an installed integration's launcher is pointed at this Keyhold again (it may have moved or been updated). */
  async refresh(): Promise<void> {
    if (this.options.command) await refreshLauncher(this.options.command, this.place).catch(() => undefined)
  }

  private get place(): HostPlace {
    return { home: this.options.home }
  }

  private answer(rows: HostStatus[]): BrowserIntegration {
    return {
      available: !!this.options.command,
      problem: this.options.command ? null : (this.options.problem ?? 'This Keyhold cannot start a host for browsers.'),
      browsers: rows.filter((row): row is HostStatus & { browser: Browser } => row.browser !== 'custom'),
    }
  }
}
