import { beforeEach, describe, expect, it, vi } from 'vitest'

/** Electron's dialog is not part of the shared fake; this file adds it, recording each call. */
const showSaveDialog = vi.fn()
vi.mock('electron', async (importOriginal) => ({ ...(await importOriginal<object>()), dialog: { showSaveDialog } }))

const electron = (await import('electron')) as unknown as typeof import('../../fakes/electron')
const { ElectronSaveDialog } = await import('../../../src-main/adapters/electron.save-dialog')

const options = { title: 'Export application keys with access', defaultName: 'keys.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] }

describe('ElectronSaveDialog', () => {
  beforeEach(() => {
    showSaveDialog.mockReset()
    electron.app.setPath('documents', '/home/me/Documents')
  })

  it('asks modally over our window, starting in Documents, and returns the chosen path', async () => {
    const window = new electron.BrowserWindow()
    showSaveDialog.mockResolvedValue({ canceled: false, filePath: '/home/me/Documents/keys.csv' })
    const path = await new ElectronSaveDialog(() => window as never).choosePath(options)
    expect(path).toBe('/home/me/Documents/keys.csv')
    expect(showSaveDialog).toHaveBeenCalledWith(window, {
      title: options.title,
      defaultPath: '/home/me/Documents/keys.csv',
      filters: options.filters,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    })
  })

  it('returns null when the person cancels', async () => {
    showSaveDialog.mockResolvedValue({ canceled: true, filePath: '' })
    expect(await new ElectronSaveDialog(() => null).choosePath(options)).toBeNull()
    expect(showSaveDialog).toHaveBeenCalledWith(expect.objectContaining({ title: options.title, defaultPath: '/home/me/Documents/keys.csv' }))
  })
})
