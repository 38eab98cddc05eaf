import { describe, expect, it, vi } from 'vitest'
import { bufferDied, COLLECT_EVERY_BYTES, useCollector } from '../../../src-main/core/vault/cipher-garbage'

describe('cipher garbage where gc is not exposed (the CLI)', () => {
  it('makes a collector on first need, once, and collects the young generation every 4 MiB of dead output', () => {
    const exposed = (globalThis as { gc?: unknown }).gc
    delete (globalThis as { gc?: unknown }).gc
    try {
      const gc = vi.fn()
      const make = vi.fn(() => gc)
      useCollector(make)
      expect(make).not.toHaveBeenCalled()
      for (let i = 0; i < 8; i++) bufferDied(COLLECT_EVERY_BYTES / 2)
      expect(make).toHaveBeenCalledTimes(1)
      expect(gc).toHaveBeenCalledTimes(4)
      expect(gc).toHaveBeenCalledWith({ type: 'minor' })
    } finally {
      if (exposed !== undefined) (globalThis as { gc?: unknown }).gc = exposed
    }
  })
})
