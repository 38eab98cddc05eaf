import { delayWords, sha256Hex, watchDelayMs, isWatching, type WatchRequest } from './clipboard-watch'

/**
 * Copy from the popup: the value goes on the clipboard, and the background is asked to clear
 * it after the vault's delay (Session.clipboardClearSeconds). What the popup then says depends
 * on whether that watch was really set: it never promises a clear that will not happen.
 */

/** What a copy needs of the browser, so tests can hand it fakes. */
export interface CopyAccess {
  writeText(text: string): Promise<void>
  sendMessage(message: WatchRequest): Promise<unknown>
}

/** The clear a copy got: after `afterMs`, or none (the watch could not be set). */
export interface CopyResult {
  afterMs: number
  watched: boolean
}

/** Copies `value` and asks for it to be cleared after `clearSeconds`. Rejects only when the copy itself failed. */
export async function copyWatched(value: string, clearSeconds: number, browser: CopyAccess): Promise<CopyResult> {
  await browser.writeText(value)
  const afterMs = watchDelayMs(clearSeconds)
  // SECURITY: the background is given the copy's digest only, to clear the clipboard later if it still holds it.
  const answer = await browser.sendMessage({ t: 'clipboard.watch', digest: await sha256Hex(value), afterMs }).catch(() => null)
  return { afterMs, watched: isWatching(answer) }
}

/** The popup's words after copying `what` ("the client secret of “Stripe”"). */
export function copiedWords(what: string, result: CopyResult): string {
  if (result.watched) return `Copied ${what}. It is cleared from the clipboard in ${delayWords(result.afterMs)}.`
  return `Copied ${what}, but it will NOT be cleared from the clipboard automatically: the browser did not let Keyhold watch it. Clear the clipboard yourself when you are done.`
}
