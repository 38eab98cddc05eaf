import { afterEach, describe, expect, it, vi } from 'vitest'
import { ClipboardGuard } from '../../src-main/core/clipboard-guard'
import { MemoryClipboard } from '../../src-main/core/ports'

/** A clipboard whose answers wait until the test lets them through, as main's do over the worker channel. */
class SlowClipboard extends MemoryClipboard {
  private gate: Promise<void> = Promise.resolve()
  private open: () => void = () => undefined

  /** From now on, every call waits for `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve))
  }

  release(): void {
    this.open()
  }

  override async readText(): Promise<string> {
    await this.gate
    return super.readText()
  }

  override async writeText(text: string): Promise<void> {
    await this.gate
    return super.writeText(text)
  }
}

describe('ClipboardGuard: one guard over every copy', () => {
  afterEach(() => vi.useRealTimers())

  it('answers the delay the copy gets, read at each copy', async () => {
    let seconds = 30
    const guard = new ClipboardGuard(new MemoryClipboard(), () => seconds * 1000)
    expect(await guard.copy('ci_live_123')).toEqual({ clearsAfterMs: 30_000 })
    seconds = 90
    expect(await guard.copy('ci_live_123')).toEqual({ clearsAfterMs: 90_000 })
  })

  it('takes back a copy whose write was still on its way when the vault locked', async () => {
    const clipboard = new SlowClipboard()
    const guard = new ClipboardGuard(clipboard, 30_000)
    clipboard.hold()
    const copying = guard.copy('sk_live_TOPSECRET_1')
    const clearing = guard.clearIfOurs()
    clipboard.release()
    await Promise.all([copying, clearing])
    expect(await clipboard.readText()).toBe('')
  })

  // Either the older copy's delay ends first and the newer copy comes while the guard reads the
  // older one back, or the newer copy is being written when the older one's delay ends.
  it.each([
    ['comes while the guard reads an older copy back', 30_000, 0],
    ["is being written when an older copy's delay ends", 29_000, 1_000],
  ])('never clears a newer copy that %s', async (_, beforeCopy, afterCopy) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const clipboard = new SlowClipboard()
    const guard = new ClipboardGuard(clipboard, 30_000)
    await guard.copy('old copy')
    clipboard.hold()
    await vi.advanceTimersByTimeAsync(beforeCopy)
    const copying = guard.copy('new copy')
    await vi.advanceTimersByTimeAsync(afterCopy)
    clipboard.release()
    await copying
    await vi.advanceTimersByTimeAsync(0)
    expect(await clipboard.readText()).toBe('new copy')
    await vi.advanceTimersByTimeAsync(30_000)
    expect(await clipboard.readText()).toBe('')
  })

  it('leaves a clipboard that cannot be read as it is, and goes on guarding', async () => {
    const clipboard = new MemoryClipboard()
    const guard = new ClipboardGuard(clipboard, 30_000)
    await guard.copy('sk_live_TOPSECRET_1')
    const readText = clipboard.readText
    clipboard.readText = () => Promise.reject(new Error('clipboard busy'))
    await expect(guard.clearIfOurs()).resolves.toBeUndefined()
    clipboard.readText = readText
    await guard.copy('ci_live_123')
    await guard.clearIfOurs()
    expect(await clipboard.readText()).toBe('')
  })
})
