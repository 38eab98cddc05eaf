import { join } from 'node:path'
import { app, dialog, type BrowserWindow, type SaveDialogOptions } from 'electron'
import type { SaveFileDialog } from '../core/ports'

/**
 * Electron's save dialog behind the core's SaveFileDialog port (the Export button of
 * Application Keys). It only asks where; the core writes the file (0600, atomically).
 * The dialog is modal to our window when there is one, and starts in Documents.
 */
export class ElectronSaveDialog implements SaveFileDialog {
  constructor(private readonly window: () => BrowserWindow | null) {}

  async choosePath(options: { title: string; defaultName: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null> {
    const dialogOptions: SaveDialogOptions = {
      title: options.title,
      defaultPath: join(app.getPath('documents'), options.defaultName),
      filters: options.filters,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    }
    const parent = this.window()
    const result = parent ? await dialog.showSaveDialog(parent, dialogOptions) : await dialog.showSaveDialog(dialogOptions)
    return result.canceled || !result.filePath ? null : result.filePath
  }
}
