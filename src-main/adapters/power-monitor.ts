import type { PowerMonitor } from 'electron'

/**
 * Locks the vault when the machine suspends or the screen locks. Returns the unsubscribe.
 * SECURITY: an unattended machine must not keep the database or any key in memory.
 */
export function lockOnSystemEvents(powerMonitor: Pick<PowerMonitor, 'on' | 'off'>, vault: { lock(): unknown }): () => void {
  const lock = () => {
    vault.lock()
  }
  powerMonitor.on('suspend', lock)
  powerMonitor.on('lock-screen', lock)
  return () => {
    powerMonitor.off('suspend', lock)
    powerMonitor.off('lock-screen', lock)
  }
}
