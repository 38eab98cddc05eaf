import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ClipboardWatch, delayWords, isWatching, isWatchRequest, sha256Hex, watchDelayMs, WATCHING, type WatchOutcome } from '../../extension/src/clipboard-watch'

/** A clipboard in memory; `readable: false` is a browser that refuses to read it. */
function fakeClipboard(text: string, readable = true) {
  const clipboard = {
    text,
    readText: async () => (readable ? clipboard.text : null),
    clear: async () => {
      clipboard.text = ''
      return true
    },
  }
  return clipboard
}

describe('ClipboardWatch: the copy is cleared after the delay if the clipboard still holds it', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  async function watchOf(clipboard: ReturnType<typeof fakeClipboard>) {
    const outcomes: WatchOutcome[] = []
    const watch = new ClipboardWatch(clipboard, sha256Hex, (outcome) => outcomes.push(outcome))
    return { watch, outcomes }
  }

  it('clears it at the delay, not before', async () => {
    const clipboard = fakeClipboard('sk_live_stripe')
    const { watch, outcomes } = await watchOf(clipboard)
    watch.watch(await sha256Hex('sk_live_stripe'), 30_000)
    await vi.advanceTimersByTimeAsync(29_999)
    expect(clipboard.text).toBe('sk_live_stripe')
    expect(watch.watching).toBe(true)
    await vi.advanceTimersByTimeAsync(1)
    await vi.waitFor(() => expect(outcomes).toEqual(['cleared']))
    expect(clipboard.text).toBe('')
    expect(watch.watching).toBe(false)
  })

  it('leaves the clipboard alone when the person copied something else meanwhile', async () => {
    const clipboard = fakeClipboard('sk_live_stripe')
    const { watch, outcomes } = await watchOf(clipboard)
    watch.watch(await sha256Hex('sk_live_stripe'), 30_000)
    clipboard.text = 'my own notes'
    await vi.advanceTimersByTimeAsync(30_000)
    await vi.waitFor(() => expect(outcomes).toEqual(['changed']))
    expect(clipboard.text).toBe('my own notes')
  })

  it('a newer copy replaces the watch, with its own delay', async () => {
    const clipboard = fakeClipboard('first')
    const { watch, outcomes } = await watchOf(clipboard)
    watch.watch(await sha256Hex('first'), 30_000)
    await vi.advanceTimersByTimeAsync(20_000)
    clipboard.text = 'second'
    watch.watch(await sha256Hex('second'), 30_000)
    await vi.advanceTimersByTimeAsync(15_000)
    expect(clipboard.text).toBe('second')
    await vi.advanceTimersByTimeAsync(15_000)
    await vi.waitFor(() => expect(outcomes).toEqual(['cleared']))
    expect(clipboard.text).toBe('')
  })

  it('a clipboard that cannot be read is cleared anyway: the copy may still be on it', async () => {
    const clipboard = fakeClipboard('sk_live_stripe', false)
    const { watch, outcomes } = await watchOf(clipboard)
    watch.watch(await sha256Hex('sk_live_stripe'), 5_000)
    await vi.advanceTimersByTimeAsync(5_000)
    await vi.waitFor(() => expect(outcomes).toEqual(['cleared']))
  })

  it('isWatchRequest takes a SHA-256 and a delay of 1 s to 10 min, nothing else', async () => {
    const digest = await sha256Hex('x')
    expect(digest).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881')
    expect(isWatchRequest({ t: 'clipboard.watch', digest, afterMs: 30_000 }, 'clipboard.watch')).toBe(true)
    expect(isWatchRequest({ t: 'clipboard.watch', digest, afterMs: 30_000 }, 'offscreen.watch')).toBe(false)
    expect(isWatchRequest({ t: 'clipboard.watch', digest: 'sk_live_stripe', afterMs: 30_000 }, 'clipboard.watch')).toBe(false)
    expect(isWatchRequest({ t: 'clipboard.watch', digest, afterMs: 0 }, 'clipboard.watch')).toBe(false)
    expect(isWatchRequest({ t: 'clipboard.watch', digest, afterMs: 600_000 }, 'clipboard.watch')).toBe(true)
    expect(isWatchRequest({ t: 'clipboard.watch', digest, afterMs: 600_001 }, 'clipboard.watch')).toBe(false)
    expect(isWatchRequest(null, 'clipboard.watch')).toBe(false)
  })
})

describe("the watch's delay: the vault's own setting (Session.clipboardClearSeconds)", () => {
  it('watchDelayMs: the seconds as milliseconds, kept within what the background takes (1 s to 10 min)', () => {
    expect(watchDelayMs(30)).toBe(30_000)
    expect(watchDelayMs(5)).toBe(5_000)
    expect(watchDelayMs(120)).toBe(120_000)
    expect(watchDelayMs(600)).toBe(600_000)
    // SECURITY: never longer than Keyhold's longest delay, whatever the agent says.
    expect(watchDelayMs(86_400)).toBe(600_000)
    expect(watchDelayMs(0)).toBe(1_000)
    for (const seconds of [1, 5, 30, 600, 86_400]) expect(isWatchRequest({ t: 'clipboard.watch', digest: 'a'.repeat(64), afterMs: watchDelayMs(seconds) }, 'clipboard.watch')).toBe(true)
  })

  it('delayWords: seconds, or whole minutes as minutes', () => {
    expect(delayWords(30_000)).toBe('30 seconds')
    expect(delayWords(1_000)).toBe('1 second')
    expect(delayWords(60_000)).toBe('1 minute')
    expect(delayWords(120_000)).toBe('2 minutes')
    expect(delayWords(90_000)).toBe('90 seconds')
  })

  it('isWatching: only the WATCHING answer says the watch is set', () => {
    expect(isWatching(WATCHING)).toBe(true)
    for (const answer of [undefined, null, {}, { watching: false }, { watching: 'true' }, 'watching']) expect(isWatching(answer)).toBe(false)
  })
})
