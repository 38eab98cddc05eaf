import { ClipboardWatch, CLIPBOARD_IDLE, isWatchRequest, sha256Hex, WATCHING } from '../clipboard-watch'
import { domClipboard } from '../dom-clipboard'

/**
 * Chromium's offscreen document (reason CLIPBOARD): it holds the clipboard watch after the
 * popup closed, and asks the worker to close it when nothing is left to watch.
 */
const watch = new ClipboardWatch(domClipboard(document), sha256Hex, () => {
  if (!watch.watching) void chrome.runtime.sendMessage({ t: CLIPBOARD_IDLE }).catch(() => {})
})

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id) return
  if (!isWatchRequest(message, 'offscreen.watch')) return
  watch.watch(message.digest, message.afterMs)
  sendResponse(WATCHING)
})
