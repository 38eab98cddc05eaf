import '../zod-jitless'
import { CompanionError, readPairingInput } from '../../../src-shared/local-access/client'
import { ClipboardWatch, CLIPBOARD_IDLE, isWatching, isWatchRequest, sha256Hex, WATCHING } from '../clipboard-watch'
import { deviceClaim } from '../device'
import { domClipboard } from '../dom-clipboard'
import { IdentityStore } from '../identity-store'
import { connectNative } from '../native'
import { PairingJob } from '../pairing-job'
import { isPairingCommand, PAIRING_CHANNEL, type PairingProgress, type PairingUpdate } from '../pairing-progress'

/**
 * The background (Chromium's service worker, Firefox's event page): runs a pairing while the
 * popup comes and goes (PairingJob), and keeps the clipboard watch alive after the popup
 * closes. It holds no session: the popup opens its own each time it opens, so nothing read
 * from the vault outlives the popup.
 */

const store = new IdentityStore(chrome.storage.local)
const job = new PairingJob({
  openRelay: connectNative,
  claim: deviceClaim(navigator, chrome.runtime.getManifest().version),
  save: (identity) => store.save(identity),
})

/** SECURITY: only this extension's own pages (the popup) talk to the worker; there are no content scripts. */
function fromOwnPage(sender: chrome.runtime.MessageSender | undefined): boolean {
  return sender?.id === chrome.runtime.id && (sender.url ?? '').startsWith(chrome.runtime.getURL(''))
}

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== PAIRING_CHANNEL || !fromOwnPage(port.sender)) return port.disconnect()
  const post = (progress: PairingProgress) => port.postMessage({ t: 'progress', progress } satisfies PairingUpdate)
  const unsubscribe = job.subscribe(post)
  port.onDisconnect.addListener(() => unsubscribe())
  port.onMessage.addListener((message) => {
    if (!isPairingCommand(message)) return
    if (message.t === 'pair') {
      let input
      try {
        input = readPairingInput(message.text)
      } catch (error) {
        return post({ phase: 'failed', code: 'INVALID_INPUT', message: error instanceof CompanionError ? error.message : 'This is not a Keyhold pairing code.' })
      }
      if (!job.start(input)) post(job.progress)
    } else if (message.t === 'cancel') job.cancel()
    else if (message.t === 'unlock') job.requestUnlock()
    else job.acknowledge()
  })
  post(job.progress)
})

/** Chromium: the watch lives in an offscreen document (a worker has no clipboard). Firefox: in this background page. */
const clipboard = typeof chrome.offscreen === 'undefined' ? localClipboard() : offscreenClipboard()

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!fromOwnPage(sender)) return
  if (isWatchRequest(message, 'clipboard.watch')) {
    // The popup says "cleared in …" only on WATCHING: a watch that could not be set is said too.
    clipboard.watch(message.digest, message.afterMs).then(
      () => sendResponse(WATCHING),
      () => sendResponse({ watching: false }),
    )
    return true
  }
  if ((message as { t?: unknown } | null)?.t === CLIPBOARD_IDLE) void clipboard.idle()
})

interface ClipboardHost {
  /** Resolves once the watch is set; rejects when it could not be. */
  watch(digest: string, afterMs: number): Promise<void>
  idle(): Promise<void>
}

function offscreenClipboard(): ClipboardHost {
  const url = chrome.runtime.getURL('offscreen.html')
  let creating: Promise<void> | null = null
  let lastWatch = 0
  return {
    async watch(digest, afterMs) {
      lastWatch = Date.now()
      const open = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] })
      if (open.length === 0) {
        creating ??= chrome.offscreen
          .createDocument({ url: 'offscreen.html', reasons: ['CLIPBOARD'], justification: 'Clear a copied client secret from the clipboard after the delay.' })
          .finally(() => (creating = null))
        await creating
      }
      if (!isWatching(await chrome.runtime.sendMessage({ t: 'offscreen.watch', digest, afterMs }))) throw new Error('The offscreen document did not take the watch.')
    },
    async idle() {
      // A copy made just now may not have reached the document yet: keep it open then.
      if (Date.now() - lastWatch < 2_000) return
      await chrome.offscreen.closeDocument().catch(() => {})
    },
  }
}

/** Well inside Firefox's idle time (extensions.background.idle.timeout, 30 s by default). */
const STAY_AWAKE_MS = 5_000

/**
 * Firefox: the watch runs in this background page, which has a DOM. Firefox suspends an idle
 * event page 30 s after its last event or extension API call, just when the watch is due, so
 * while a watch waits the page makes a cheap API call every few seconds to stay awake.
 */
function localClipboard(): ClipboardHost {
  let awake: ReturnType<typeof setInterval> | undefined
  const watch = new ClipboardWatch(domClipboard(document), sha256Hex, () => {
    if (watch.watching) return
    clearInterval(awake)
    awake = undefined
  })
  return {
    async watch(digest, afterMs) {
      watch.watch(digest, afterMs)
      awake ??= setInterval(() => void chrome.runtime.getPlatformInfo(), STAY_AWAKE_MS)
    },
    async idle() {},
  }
}
