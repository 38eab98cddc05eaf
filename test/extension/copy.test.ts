import { describe, expect, it } from 'vitest'
import { sha256Hex, WATCHING, type WatchRequest } from '../../extension/src/clipboard-watch'
import { copiedWords, copyWatched } from '../../extension/src/copy'

/** The browser as the popup reaches it: the clipboard, and the background's answer to a watch request. */
function fakeBrowser(answer: () => Promise<unknown>) {
  const browser = {
    clipboard: '',
    sent: [] as WatchRequest[],
    writeText: async (text: string) => void (browser.clipboard = text),
    sendMessage: (message: WatchRequest) => (browser.sent.push(message), answer()),
  }
  return browser
}

describe("copyWatched: a copy from the popup, cleared after the vault's delay", () => {
  it("asks the background to clear it after the vault's delay, with the copy's digest only", async () => {
    const browser = fakeBrowser(async () => WATCHING)
    const copied = await copyWatched('sk_live_stripe', 120, browser)
    expect(browser.clipboard).toBe('sk_live_stripe')
    expect(browser.sent).toEqual([{ t: 'clipboard.watch', digest: await sha256Hex('sk_live_stripe'), afterMs: 120_000 }])
    expect(copied).toEqual({ afterMs: 120_000, watched: true })
    expect(copiedWords('the client secret of “Stripe”', copied)).toBe('Copied the client secret of “Stripe”. It is cleared from the clipboard in 2 minutes.')
    expect(copiedWords('the Client ID of “Stripe”', await copyWatched('id', 45, browser))).toBe('Copied the Client ID of “Stripe”. It is cleared from the clipboard in 45 seconds.')
  })

  it('says the copy will NOT be cleared when the watch could not be set: refused, not answered, or answered otherwise', async () => {
    const failures = [async () => Promise.reject(new Error('Could not establish connection. Receiving end does not exist.')), async () => undefined, async () => ({ watching: false })]
    for (const answer of failures) {
      const browser = fakeBrowser(answer)
      const copied = await copyWatched('sk_live_stripe', 30, browser)
      expect(browser.clipboard).toBe('sk_live_stripe')
      expect(copied.watched).toBe(false)
      const words = copiedWords('the client secret of “Stripe”', copied)
      expect(words).toMatch(/will NOT be cleared from the clipboard automatically/)
      expect(words).not.toMatch(/cleared from the clipboard in/)
    }
  })

  it('rejects when the copy itself failed, and then asks for no watch', async () => {
    const browser = fakeBrowser(async () => WATCHING)
    browser.writeText = () => Promise.reject(new DOMException('Document is not focused.', 'NotAllowedError'))
    await expect(copyWatched('sk_live_stripe', 30, browser)).rejects.toThrow('Document is not focused.')
    expect(browser.sent).toEqual([])
  })
})
