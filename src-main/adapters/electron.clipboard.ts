import { clipboard } from 'electron'
import type { Clipboard } from '../core/ports'

/** The system clipboard behind the core's Clipboard port; copies of secrets are made by main only. */
export class ElectronClipboard implements Clipboard {
  readText(): string {
    return clipboard.readText()
  }

  writeText(text: string): void {
    clipboard.writeText(text)
  }

  clear(): void {
    clipboard.clear()
  }
}
