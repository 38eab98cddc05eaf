import { randomUUID } from 'node:crypto'
import { appStatus } from '../../../src-shared/apps/app-status'
import { KeyholdError } from '../../../src-shared/errors'
import type { DeviceClaim, PairingScope, PairingView, RevealPolicy } from '../../../src-shared/local-access/messages'
import { keyPairFromPrivate, type KeyPair } from '../../../src-shared/local-access/noise'
import type { AppId } from '../../../src-shared/types/apps'
import { PAIRING_IDLE_DEFAULT_DAYS, type PairingEndReason, type PairingId, type PairingSummary } from '../../../src-shared/types/pairings'
import type { Clock } from '../ports'
import { readMeta, writeMeta } from '../vault/meta'
import type { VaultService } from '../vault/vault.service'
import type { ActivityService } from '../activity/activity.service'
import * as repo from './pairings.repo'
import type { PairingRecord } from './pairings.repo'

export type { PairingRecord }

/** Five wrong proofs against one application burn its key (docs/pairing-protocol.md §5.2). */
export const MAX_FAILED_PROOFS = 5
/** "Last used" is written at most once a minute per pairing, like application keys. */
export const PAIRING_TOUCH_MS = 60_000
const IDLE_DAYS_KEY = 'pairing_idle_days'
const DAY_MS = 24 * 60 * 60 * 1000

/** A redeemable key as the handshake tries it. SECURITY: the PSK never leaves main. */
export interface RedeemCandidate {
  appId: AppId
  psk: Uint8Array
}

/** What a successful claim knows about the application, for message 2 and the dialog. */
export interface ClaimedApp {
  id: AppId
  name: string
  type: 'mobile' | 'extension'
  expiresAt: string | null
}

const notFound = () => new KeyholdError('NOT_FOUND', 'There is no such connected app. It may have been removed; reload the list.')

/**
 * Pairings: companions that redeemed an authorization key, and what the agent needs to
 * check them. Every change is one `mutate`, which runs one at a time: that is what makes a
 * claim single-use when many connections race for one key.
 *
 * What must stay true:
 * - SECURITY: a PSK is erased when its key is claimed, burned or revoked; nothing returns it
 *   but `candidates`, which only the agent's handshake calls.
 * - A pairing is live while it has not ended and its application is active at the clock's now.
 */
export class PairingsService {
  private readonly touching = new Set<string>()

  constructor(
    private readonly vaults: VaultService,
    private readonly clock: Clock,
    /** The activity log: pairings approved, denied, signed out and ended. */
    private readonly activity?: ActivityService,
  ) {}

  private get vault() {
    return this.vaults.vault()
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString()
  }

  /** The vault's static X25519 key pair (migration 5). */
  desktopKey(): KeyPair {
    const stored = this.vault.read((db) => readMeta(db, 'agent_static_key'))
    if (stored === null) throw new KeyholdError('VAULT_CORRUPT', 'The vault is missing its local access key. Restore it from its .bak copy or a backup.')
    return keyPairFromPrivate(new Uint8Array(Buffer.from(stored, 'base64')))
  }

  /** The keys message 1 may prove: the named application's, or every redeemable one (typed code). */
  candidates(appId?: string): RedeemCandidate[] {
    const now = this.clock.now()
    return this.vault
      .read((db) => repo.redeemableApps(db, appId))
      .filter((app) => app.expires_at === null || now < Date.parse(app.expires_at))
      .map((app) => ({ appId: app.id, psk: new Uint8Array(app.psk) }))
  }

  /** A wrong proof against `appId`: counted, and the fifth burns the key. Unknown ids change nothing. */
  async failedProof(appId: string): Promise<void> {
    const at = this.now()
    // SECURITY: an unknown or spent key writes nothing (no save a stranger can trigger at will).
    if (!this.vault.read((db) => repo.appForPairing(db, appId)?.has_psk)) return
    await this.vault.mutate((db) => {
      const app = repo.appForPairing(db, appId)
      if (!app || !app.has_psk) return
      if (repo.countFailedProof(db, appId) >= MAX_FAILED_PROOFS) repo.burnKey(db, appId, 'failed-proofs', at)
    })
  }

  /**
   * Claims the key of `appId` for one connection: erases its PSK if it is still redeemable at
   * now. Null when another connection claimed it first, or it was revoked or expired meanwhile.
   */
  async claim(appId: AppId): Promise<ClaimedApp | null> {
    const now = this.clock.now()
    return this.vault.mutate((db) => {
      const app = repo.appForPairing(db, appId)
      if (!app || !app.has_psk) return null
      const status = appStatus({ expiresAt: app.expires_at, lastUsedAt: app.last_used_at, revokedAt: app.revoked_at }, now)
      if (status !== 'pending') return null
      repo.clearPsk(db, appId)
      return { id: app.id, name: app.name, type: app.type, expiresAt: app.expires_at }
    })
  }

  /** The application's public facts, for message 2 (before any claim). */
  app(appId: AppId): ClaimedApp | null {
    const app = this.vault.read((db) => repo.appForPairing(db, appId))
    return app ? { id: app.id, name: app.name, type: app.type, expiresAt: app.expires_at } : null
  }

  /** A claimed key that was not approved: revoked for good, with the reason. */
  async burn(appId: AppId, reason: 'denied' | 'timeout' | 'cancelled'): Promise<void> {
    const at = this.now()
    const name = await this.vault.mutate((db) => {
      repo.burnKey(db, appId, reason, at)
      return repo.appForPairing(db, appId)?.name ?? null
    })
    this.activity?.record({
      event: reason === 'denied' ? 'app.pairing-denied' : 'app.revoked',
      target: { type: 'app', id: appId, ...(name !== null && { name }) },
      outcome: reason === 'denied' ? 'denied' : 'failed',
      detail: { reason },
    })
  }

  /** Approval: stores the pairing; the application becomes active. */
  async approve(
    appId: AppId,
    companion: { publicKey: Uint8Array; claim: DeviceClaim },
    choice: { scope: PairingScope; reveal: RevealPolicy },
  ): Promise<PairingView> {
    const at = this.now()
    const id = randomUUID() as PairingId
    const tags = choice.scope.secrets === 'tagged' ? uniqueTags(choice.scope.tags) : []
    return this.vault.mutate((db) => {
      repo.insertPairing(db, {
        id,
        appId,
        companionPk: companion.publicKey,
        deviceName: companion.claim.device.name,
        platform: companion.claim.device.platform,
        software: companion.claim.software,
        kind: companion.claim.kind,
        scopeAll: tags.length === 0,
        tags,
        reveal: choice.reveal,
        createdAt: at,
      })
      repo.touchPairing(db, id, appId, at)
      return viewOf(repo.getPairing(db, id)!)
    }).then((view) => {
      this.activity?.record({
        event: 'app.paired',
        target: { type: 'app', id: appId, name: view.app.name },
        detail: { pairing: id, device: companion.claim.device.name, kind: companion.claim.kind, scope: tags.length === 0 ? 'all' : tags, reveal: choice.reveal },
      })
      return view
    })
  }

  /** The live pairing of a companion's static key, or undefined (ended, expired, revoked, unknown). */
  liveByCompanionKey(pk: Uint8Array): PairingRecord | undefined {
    const record = this.vault.read((db) => repo.pairingByCompanionKey(db, pk))
    return record && this.isLive(record) ? record : undefined
  }

  /** The pairing if it is still live now, else undefined. Read on every request. */
  live(id: PairingId): PairingRecord | undefined {
    const record = this.vault.read((db) => repo.getPairing(db, id))
    return record && this.isLive(record) ? record : undefined
  }

  /** A pairing whether or not it is still live (the activity log names a pairing that just ended), or undefined. */
  record(id: PairingId): PairingRecord | undefined {
    return this.vault.read((db) => repo.getPairing(db, id))
  }

  /** Why a pairing is no longer live, as the `pairing.ended` event says it. */
  endReason(id: PairingId): string {
    const record = this.vault.read((db) => repo.getPairing(db, id))
    if (!record) return 'revoked'
    const status = statusOf(record, this.clock.now())
    if (status === 'expired') return 'expired'
    if (status === 'app-revoked') return 'revoked'
    return record.endReason ?? 'revoked'
  }

  isLive(record: PairingRecord): boolean {
    return statusOf(record, this.clock.now()) === 'live'
  }

  /** Records a use (the pairing's and its application's "Last used"), at most once a minute. */
  async touch(record: PairingRecord): Promise<void> {
    const nowMs = this.clock.now()
    // Requests in flight together read the same old time: one of them writes it.
    if (this.touching.has(record.id)) return
    if (record.lastUsedAt !== null && nowMs - Date.parse(record.lastUsedAt) < PAIRING_TOUCH_MS) return
    const at = new Date(nowMs).toISOString()
    this.touching.add(record.id)
    try {
      await this.vault.mutate((db) => repo.touchPairing(db, record.id, record.appId, at))
    } finally {
      this.touching.delete(record.id)
    }
  }

  view(record: PairingRecord): PairingView {
    return viewOf(record)
  }

  /** Settings > Connected apps: every pairing, newest first. */
  list(): PairingSummary[] {
    const now = this.clock.now()
    return this.vault.read((db) => repo.listPairings(db)).map((r) => summaryOf(r, now))
  }

  /** Ends one pairing (Revoke, or the companion's sign out). Ending an ended one changes nothing. */
  async end(id: PairingId, reason: PairingEndReason): Promise<PairingSummary> {
    const at = this.now()
    const now = this.clock.now()
    return this.vault.mutate((db) => {
      if (!repo.getPairing(db, id)) throw notFound()
      const changed = repo.endPairing(db, id, reason, at) > 0
      return { summary: summaryOf(repo.getPairing(db, id)!, now), changed }
    }).then(({ summary, changed }) => {
      if (changed) this.logEnd(summary, reason)
      return summary
    })
  }

  private logEnd(pairing: { id: string; app: { id: string; name: string }; device: { name: string } }, reason: PairingEndReason): void {
    this.activity?.record({
      event: reason === 'signed-out' ? 'app.signed-out' : 'app.revoked',
      actor: reason === 'signed-out' ? { type: 'pairing', id: pairing.app.id, name: pairing.app.name } : reason === 'idle' ? { type: 'system' } : undefined,
      target: { type: 'app', id: pairing.app.id, name: pairing.app.name },
      detail: { pairing: pairing.id, device: pairing.device.name, reason },
    })
  }

  /** Revoke all: ends every live pairing. Returns how many ended. */
  async endAll(): Promise<number> {
    const at = this.now()
    const now = this.clock.now()
    const ended = await this.vault.mutate((db) => repo.listPairings(db).filter((record) => statusOf(record, now) === 'live' && repo.endPairing(db, record.id, 'revoked-all', at) > 0))
    for (const record of ended) this.logEnd(summaryOf(record, now), 'revoked-all')
    return ended.length
  }

  /** Idle auto-revoke: ends live pairings unused for the configured days (0: never). */
  async endIdle(): Promise<number> {
    const days = this.idleDays()
    if (days === 0) return 0
    const now = this.clock.now()
    const at = new Date(now).toISOString()
    const idle = this.vault
      .read((db) => repo.listPairings(db))
      .filter((r) => statusOf(r, now) === 'live' && now - Date.parse(r.lastUsedAt ?? r.createdAt) >= days * DAY_MS)
    if (idle.length === 0) return 0
    const ended = await this.vault.mutate((db) => idle.filter((r) => repo.endPairing(db, r.id, 'idle', at) > 0))
    for (const record of ended) this.logEnd(summaryOf(record, now), 'idle')
    return ended.length
  }

  /** Records one revealed client secret: who, which, when, how it was allowed (for the activity log). */
  async recordReveal(r: { pairingId: string | null; appKey: string | null; secretId: string; allowedBy: 'asked' | 'grant' | 'policy' | 'role' }): Promise<void> {
    const at = this.now()
    await this.vault.mutate((db) => repo.insertReveal(db, { ...r, at }))
  }

  /** Every recorded reveal, oldest first (the activity log's source). SECURITY: ids and times only. */
  reveals(): repo.RevealRecord[] {
    return this.vault.read((db) => repo.listReveals(db))
  }

  idleDays(): number {
    const stored = this.vault.read((db) => readMeta(db, IDLE_DAYS_KEY))
    const days = Number(stored)
    return stored !== null && Number.isInteger(days) && days >= 0 ? days : PAIRING_IDLE_DEFAULT_DAYS
  }

  async setIdleDays(days: number): Promise<number> {
    await this.vault.mutate((db) => writeMeta(db, IDLE_DAYS_KEY, String(days)))
    return this.idleDays()
  }
}

export function statusOf(record: PairingRecord, now: number): PairingSummary['status'] {
  // Ending a pairing revokes its application too: the pairing's own reason is the one to show.
  if (record.endedAt !== null) return 'ended'
  if (record.appRevokedAt !== null) return 'app-revoked'
  if (record.appExpiresAt !== null && now >= Date.parse(record.appExpiresAt)) return 'expired'
  return 'live'
}

function viewOf(r: PairingRecord): PairingView {
  return {
    id: r.id,
    app: { id: r.appId, name: r.appName, type: r.appType },
    scope: r.scopeAll ? { secrets: 'all' } : { secrets: 'tagged', tags: r.tags },
    reveal: r.reveal,
    createdAt: r.createdAt,
    expiresAt: r.appExpiresAt,
  }
}

function summaryOf(r: PairingRecord, now: number): PairingSummary {
  const status = statusOf(r, now)
  // Revoked in My apps: the pairing ended then, for that reason.
  const appRevoked = status === 'app-revoked'
  return {
    id: r.id,
    app: { id: r.appId, name: r.appName, type: r.appType },
    device: { name: r.deviceName, platform: r.platform },
    software: r.software,
    kind: r.kind,
    scope: r.scopeAll ? { secrets: 'all' } : { secrets: 'tagged', tags: r.tags },
    reveal: r.reveal,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    expiresAt: r.appExpiresAt,
    endedAt: appRevoked ? r.appRevokedAt : r.endedAt,
    endReason: appRevoked ? 'revoked' : r.endReason,
    status,
  }
}

/** Tags as scopes compare them (NFC, trimmed, case-insensitive), first spelling kept. */
function uniqueTags(tags: readonly string[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const tag of tags) {
    const trimmed = tag.normalize('NFC').trim()
    const key = trimmed.toLowerCase()
    if (trimmed === '' || seen.has(key)) continue
    seen.add(key)
    out.push(trimmed)
  }
  return out
}
