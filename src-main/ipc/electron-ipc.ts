import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron'
import type { Result } from '../../src-shared/errors'
import { contract } from '../../src-shared/ipc/contract'
import { isRendererUrl, type RendererSource } from '../window'
import type { Dispatch } from './handle'

/** Decides whether an IPC message may reach the dispatch. */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean

/** What a refused sender gets back; the handler never ran. */
export const FORBIDDEN: Result<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'FORBIDDEN', message: 'This request did not come from the Keyhold window, so it was refused.' }),
})

/**
 * Registers one `ipcMain.handle` per contract channel, all going through `dispatch`.
 * SECURITY: the sender is checked before anything else; a refused call gets FORBIDDEN and
 * no handler, validation or service runs. Returns a function that removes the handlers.
 */
export function registerIpc(ipcMain: IpcMain, dispatch: Dispatch, isTrustedSender: SenderCheck): () => void {
  const names = Object.values(contract).map((channel) => channel.name)
  for (const name of names) {
    ipcMain.handle(name, (event, input: unknown) => (isTrustedSender(event) ? dispatch(name, input) : FORBIDDEN))
  }
  return () => {
    for (const name of names) ipcMain.removeHandler(name)
  }
}

/**
 * True only for a message from the main frame of our window, showing our renderer's page.
 * SECURITY: a subframe, another window or WebContents, a page that navigated elsewhere, a
 * destroyed frame or window, and anything that throws while being checked are all refused.
 */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  window: BrowserWindow | null | undefined,
  source: RendererSource,
): boolean {
  try {
    if (!window || window.isDestroyed()) return false
    const contents = window.webContents
    const frame = event.senderFrame
    if (!frame || event.sender !== contents) return false
    const main = contents.mainFrame
    const sameFrame = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId)
    return sameFrame && isRendererUrl(frame.url, source)
  } catch {
    return false
  }
}

/** The sender check for the window `getWindow` returns at the time of each call. */
export function createSenderCheck(getWindow: () => BrowserWindow | null | undefined, source: RendererSource): SenderCheck {
  return (event) => isTrustedSender(event, getWindow(), source)
}
