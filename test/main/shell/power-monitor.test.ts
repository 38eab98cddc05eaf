import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lockOnSystemEvents } from '../../../src-main/adapters/power-monitor'
import { unlockedServices } from '../../support/vault'

describe('lockOnSystemEvents', () => {
  let ctx: Awaited<ReturnType<typeof unlockedServices>>
  let powerMonitor: EventEmitter
  let stop: () => void

  beforeEach(async () => {
    ctx = await unlockedServices()
    powerMonitor = new EventEmitter()
    stop = lockOnSystemEvents(powerMonitor as never, ctx.services.vault)
  })
  afterEach(() => ctx.cleanup())

  it.each(['suspend', 'lock-screen'])('locks the real vault on %s', async (event) => {
    expect(ctx.services.vault.isUnlocked).toBe(true)
    powerMonitor.emit(event)
    expect(ctx.services.vault.isUnlocked).toBe(false)
    expect(() => ctx.services.vault.vault()).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }))
    expect((await ctx.services.vault.status()).state).toBe('locked')
  })

  it.each(['resume', 'unlock-screen', 'on-ac', 'on-battery'])('leaves the vault open on %s', (event) => {
    powerMonitor.emit(event)
    expect(ctx.services.vault.isUnlocked).toBe(true)
  })

  it('is harmless when the vault is already locked', () => {
    ctx.services.vault.lock()
    expect(() => powerMonitor.emit('suspend')).not.toThrow()
  })

  it('stops listening once unsubscribed', () => {
    stop()
    powerMonitor.emit('suspend')
    powerMonitor.emit('lock-screen')
    expect(ctx.services.vault.isUnlocked).toBe(true)
    expect(powerMonitor.listenerCount('suspend') + powerMonitor.listenerCount('lock-screen')).toBe(0)
  })
})
