import { clipboard } from 'electron'
import type { Clipboard } from '../core/ports'

/**
 * The system clipboard behind the core's Clipboard port; copies of secrets are made by main only.
 * Electron's clipboard is synchronous and lives on main's thread; the core (in its worker) reaches
 * it over the worker RPC, hence the promises.
 */
export class ElectronClipboard implements Clipboard {
  async readText(): Promise<string> {
    return clipboard.readText()
  }

  async writeText(text: string): Promise<void> {
    clipboard.writeText(text)
  }

  async clear(): Promise<void> {
    clipboard.clear()
  }
}
