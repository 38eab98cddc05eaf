import type { PairingId } from '../../../src-shared/types/pairings'
import type { ActivityService } from '../activity/activity.service'
import type { AppKeysService } from '../app-keys/app-keys.service'
import type { AppsService } from '../apps/apps.service'
import type { PairingsService } from '../pairings/pairings.service'
import type { Clock } from '../ports'
import type { SecretsService } from '../secrets/secrets.service'
import type { SettingsService } from '../settings/settings.service'
import type { VaultService } from '../vault/vault.service'
import type { Approver } from './approvals'
import type { Connection } from './connection'
import type { AgentLimits, ConnectionTimings } from './limits'
import type { TerminalGrants, TerminalHost } from './terminals'

/**
 * Where a connection came from: this computer (the socket, or the browser's relay to it), or
 * an address on the local network (§2.4), which may pair only from a QR code and open sessions.
 */
export type ConnectionOrigin = { kind: 'local' } | { kind: 'network'; address: string }

export const LOCAL: ConnectionOrigin = { kind: 'local' }

/** Who an authenticated connection speaks for. */
export type Caller = { type: 'pairing'; pairingId: PairingId } | { type: 'appkey'; key: string; token?: string } | { type: 'terminal'; grant: string; lockOnly?: true }

/** The services the agent serves from. */
export interface AgentServices {
  vault: VaultService
  pairings: PairingsService
  secrets: SecretsService
  apps: AppsService
  appKeys: AppKeysService
  settings: SettingsService
  activity: ActivityService
}

/** What every connection of one agent shares. */
export interface AgentContext {
  vaultId: string
  software: string
  clock: Clock
  services: AgentServices
  approver: Approver
  limits: AgentLimits
  timings: ConnectionTimings
  registry: { authenticated(connection: Connection): void; closed(connection: Connection): void }
  /** Subscribes to the vault's unlock / lock; each returns its unsubscribe. */
  onUnlocked(listener: () => void): () => void
  onLocked(listener: () => void): () => void
  requestUnlock(): void
  /** Who holds the vault: the app (the person answers in its window) or `keyhold agent`. */
  holder: 'app' | 'agent'
  /** A request arrived (the headless agent's idle lock counts it). */
  activity(): void
  /** A terminal's command started (the app's idle lock counts it: the person is at this computer). */
  terminalCommand(): void
  /** Who runs terminals' commands here, and which terminals are allowed (docs/terminal-sessions.md); absent: terminals are refused. */
  terminals?: { host: TerminalHost; grants: TerminalGrants }
}
