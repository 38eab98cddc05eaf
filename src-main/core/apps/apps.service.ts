import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { appStatus } from '../../../src-shared/apps/app-status'
import { CODE_DATA_LENGTH, codeFromRandomBytes, parseCode } from '../../../src-shared/apps/authorization-code'
import { buildPairingUri } from '../../../src-shared/apps/pairing-uri'
import { KeyholdError } from '../../../src-shared/errors'
import type { AppCreated, AppId, AppListFilter, AppSummary, AppType } from '../../../src-shared/types/apps'
import type { Clock } from '../ports'
import type { Database } from '../vault/database'
import type { VaultService } from '../vault/vault.service'
import { countApps, expiredUnrecorded, getApp, getKeyHash, hashKey, insertApp, listApps, nextExpiry, setLastUsed, setRevoked, updateApp, type AppRecord } from './apps.repo'
import { qrDataUrl } from './pairing-qr'
import { toBase64Url } from '../../../src-shared/local-access/frames'
import { keyPairFromPrivate } from '../../../src-shared/local-access/noise'
import { pairingPsk } from '../../../src-shared/local-access/psk'
import { readMeta } from '../vault/meta'
import type { NetworkTarget } from '../../../src-shared/local-access/client'
import type { ActivityService } from '../activity/activity.service'
import type { ClipboardGuard } from '../clipboard-guard'
import { TokenCopies } from '../copy-handles'
import type { ClipboardCopy } from '../../../src-shared/types/settings'

/** What "+ New key" takes, already shape-checked by the contract (`apps:create`). */
export interface AppCreateInput {
  name: string
  type: AppType
  /** ISO-8601 UTC, or null/absent for no expiration. Must be in the future. */
  expiresAt?: string | null
}

/** What Edit takes: the name and the expiration only. */
export interface AppEditInput {
  id: AppId
  name?: string
  expiresAt?: string | null
}

/**
 * SECURITY: the stored form of a key. Keyed (the hash key lives only inside the encrypted
 * image) and domain-separated from the other features' hashes of one-time tokens.
 */
function keyHash(db: Database, key: string): Buffer {
  return createHmac('sha256', hashKey(db)).update(`keyhold:my-apps:v1:${key}`, 'utf8').digest()
}

const notFound = () =>
  new KeyholdError('NOT_FOUND', 'There is no application with that id in My apps. It may have been removed; reload the list (`keyhold app list`).')

/** One sentence for every failed key check, so a caller learns nothing about which part was wrong. */
const keyRefused = () =>
  new KeyholdError('FORBIDDEN', 'This authorization key is not valid for that application. Generate a new key in My apps and pair again.')

/**
 * My apps: authorization keys that let the person's mobile app or browser extension in.
 * The key is generated here (main), shown once in the create result as a code, a pairing
 * URI and its QR code, and stored only as a keyed hash, so nothing can show it again.
 * Status follows the injected clock.
 */
export class AppsService {
  /** Where a Mobile app key's phone will connect (the agent's network endpoint); set by createServices. */
  private phoneTarget: (appId: AppId) => Promise<NetworkTarget | null> = async () => null
  private phoneTargetUnused: (appId: AppId) => Promise<void> = async () => undefined

  /** Wakes at the next expiry while unlocked, to record it (app.expired). */
  private expiryTimer: ReturnType<typeof setTimeout> | undefined
  /** Expiries recorded since this unlock (the entry may still be pending, not yet in the log). */
  private expiriesNoted = new Set<string>()

  /** The codes key screens may copy (by handle), in memory only; dropped at lock. */
  private readonly codes: TokenCopies

  constructor(
    private readonly vaults: VaultService,
    private readonly clock: Clock,
    /** The activity log: keys created, edited, expired and revoked. */
    private readonly activity?: ActivityService,
    /** The process's one guard over copies: a copied code is taken back after the person's delay. */
    private readonly clipboardGuard?: ClipboardGuard,
  ) {
    this.codes = new TokenCopies(clock, 'This code can no longer be copied: Keyhold shows it only once and does not keep it. If you did not note it, revoke the application and create a new key.')
    vaults.onLock(() => this.codes.clear())
    if (!activity) return
    vaults.onEvent((event) => {
      if (event.type === 'unlocked') this.noteExpiries()
    })
    vaults.onBeforeLock(() => {
      clearTimeout(this.expiryTimer)
      this.expiryTimer = undefined
      this.expiriesNoted = new Set()
    })
  }

  /**
   * Records `app.expired` once for each key whose expiration has passed (at unlock, and when the
   * next one falls due while unlocked), then sets the timer for the next. A key revoked before
   * it expired, or that expired before the oldest entry the log keeps, is left alone. Reads
   * only: the entries are written with the log's next batch.
   */
  noteExpiries(): void {
    if (!this.activity || !this.vaults.isUnlocked) return
    const now = iso(this.clock.now())
    const { due, next } = this.vaults.vault().read((db) => ({ due: expiredUnrecorded(db, now), next: nextExpiry(db, now) }))
    for (const row of due) {
      if (this.expiriesNoted.has(row.id)) continue
      this.expiriesNoted.add(row.id)
      this.activity.record({ event: 'app.expired', actor: { type: 'system' }, target: appTarget(row), detail: { expiresAt: row.expires_at } })
    }
    clearTimeout(this.expiryTimer)
    this.expiryTimer = undefined
    if (next === null) return
    // setTimeout holds at most 2^31-1 ms (about 24.8 days); a later expiry is looked at again then.
    const wait = Math.min(Math.max(Date.parse(next) - this.clock.now(), 0) + 50, 2 ** 31 - 1)
    this.expiryTimer = setTimeout(() => this.noteExpiries(), wait)
    this.expiryTimer.unref?.()
  }

  /** `unused`: the key asked for a target but was not created, so its QR code never shows. */
  usePhoneTarget(target: (appId: AppId) => Promise<NetworkTarget | null>, unused: (appId: AppId) => Promise<void>): void {
    this.phoneTarget = target
    this.phoneTargetUnused = unused
  }

  /** The report, newest first. `current`: pending and active; `inactive`: expired and revoked. */
  list(filter: AppListFilter = 'current'): AppSummary[] {
    const now = this.clock.now()
    const apps = this.vaults.vault().read((db) => listApps(db)).map((row) => summary(row, now))
    if (filter === 'all') return apps
    const inactive = (app: AppSummary) => app.status === 'expired' || app.status === 'revoked'
    return apps.filter((app) => (filter === 'inactive' ? inactive(app) : !inactive(app)))
  }

  /** One application by id, or NOT_FOUND. */
  get(id: AppId): AppSummary {
    const row = this.vaults.vault().read((db) => getApp(db, id))
    if (!row) throw notFound()
    return summary(row, this.clock.now())
  }

  /**
   * Registers an application and generates its authorization key. SECURITY: the key comes
   * from the CSPRNG (135 bits) before the mutation, which stores only its keyed hash; the
   * returned code, URI and QR are the only copies and are never kept.
   */
  async create(input: AppCreateInput): Promise<AppCreated> {
    const vault = this.vaults.vault()
    const now = this.clock.now()
    const expiresAt = this.futureExpiry(input.expiresAt ?? null, now)
    const id = randomUUID() as AppId
    const code = codeFromRandomBytes(randomBytes(CODE_DATA_LENGTH))
    const parsed = parseCode(code)
    if (!parsed.ok) throw new Error('generated code does not parse')
    const desktopKey = toBase64Url(keyPairFromPrivate(new Uint8Array(Buffer.from(vault.read((db) => readMeta(db, 'agent_static_key')) ?? '', 'base64'))).publicKey)
    // A phone needs the network endpoint: asking for it turns it on (docs/pairing-protocol.md §2.4.4).
    const network = input.type === 'mobile' ? await this.phoneTarget(id) : undefined
    try {
      const created = await this.register(input, { id, code, key: parsed.key, desktopKey, expiresAt, now, network })
      this.activity?.record({ event: 'app.created', target: appTarget(created.app), detail: { type: created.app.type, expiresAt: created.app.expiresAt } })
      if (created.app.expiresAt !== null) this.noteExpiries()
      return this.clipboardGuard ? { ...created, copyHandle: this.codes.hold(created.code) } : created
    } catch (error) {
      if (network !== undefined) await this.phoneTargetUnused(id).catch(() => undefined)
      throw error
    }
  }

  /** create's second half: the URI, the QR code and the record (the key's hash and PSK). */
  private async register(
    input: AppCreateInput,
    made: { id: AppId; code: string; key: string; desktopKey: string; expiresAt: string | null; now: number; network: NetworkTarget | null | undefined },
  ): Promise<AppCreated> {
    const vault = this.vaults.vault()
    const { id, code, desktopKey, expiresAt, now, network } = made
    const uri = buildPairingUri({ vaultId: vault.id, appId: id, code, expiresAt, desktopKey, ...(network && { hosts: network.hosts, fingerprint: network.fingerprint }) })
    const qr = await qrDataUrl(uri)
    const at = iso(now)
    const record: AppRecord = {
      id,
      name: input.name,
      type: input.type,
      created_at: at,
      updated_at: at,
      expires_at: expiresAt,
      last_used_at: null,
      revoked_at: null,
    }
    const psk = pairingPsk(made.key)
    await vault.mutate((db) => insertApp(db, { ...record, key_hash: keyHash(db, made.key), pair_psk: psk }))
    return { app: summary(record, now), code, uri, qr, ...(network !== undefined && { network }) }
  }

  /** The key screen's "Copy code": main copies, and clears the clipboard after the person's delay (as a token's copy). */
  async copyCode(handle: string): Promise<ClipboardCopy> {
    this.vaults.vault()
    if (!this.clipboardGuard) throw new KeyholdError('INTERNAL', 'Copying is not available here.')
    return this.clipboardGuard.copy(this.codes.token(handle))
  }

  /** The key screen closed: its code cannot be copied any more. */
  forgetCode(handle: string): void {
    this.codes.forget(handle)
  }

  /**
   * Changes the name and/or the expiration. A revoked application stays as it is, and an
   * expired one keeps its expiration (CONFLICT): neither becomes valid again.
   */
  async edit(input: AppEditInput): Promise<AppSummary> {
    const vault = this.vaults.vault()
    const now = this.clock.now()
    const at = iso(now)
    return vault.mutate((db) => {
      const row = getApp(db, input.id)
      if (!row) throw notFound()
      if (row.revoked_at !== null)
        throw new KeyholdError('CONFLICT', `"${row.name}" was revoked, which is final, so it cannot be edited. Generate a new key instead.`)
      const changedExpiry = input.expiresAt !== undefined && input.expiresAt !== row.expires_at
      // An expired key stays expired: a key that was out of use must not come back by a new date.
      if (changedExpiry && appStatus(toSummaryTimes(row), now) === 'expired')
        throw new KeyholdError(
          'CONFLICT',
          `"${row.name}" has expired, which is final, so its expiration cannot be changed. Create a new key with + New key instead.`,
          undefined,
          { id: 'app.expired', subject: row.name },
        )
      const next: AppRecord = {
        ...row,
        name: input.name ?? row.name,
        expires_at: changedExpiry ? this.futureExpiry(input.expiresAt ?? null, now) : row.expires_at,
        updated_at: at,
      }
      updateApp(db, row.id, next)
      return summary(next, now)
    }).then((edited) => {
      this.activity?.record({ event: 'app.edited', target: appTarget(edited), detail: { expiresAt: edited.expiresAt } })
      this.noteExpiries()
      return edited
    })
  }

  /** Revokes for good and records when. Revoking twice is a CONFLICT that changes nothing. */
  async revoke(id: AppId): Promise<AppSummary> {
    const vault = this.vaults.vault()
    const now = this.clock.now()
    const at = iso(now)
    return vault.mutate((db) => {
      const row = getApp(db, id)
      if (!row) throw notFound()
      if (row.revoked_at !== null)
        throw new KeyholdError('CONFLICT', `"${row.name}" was already revoked on ${row.revoked_at}. Nothing changed.`)
      setRevoked(db, id, at)
      return summary({ ...row, revoked_at: at, updated_at: at }, now)
    }).then((revoked) => {
      this.activity?.record({ event: 'app.revoked', target: appTarget(revoked) })
      return revoked
    })
  }

  /**
   * Checks a presented key for an application and records the use (the application becomes
   * active). For the device pairing protocol; not an IPC channel. SECURITY: the hashes are
   * compared in constant time; a wrong key, an unknown id, a malformed code all get the
   * same FORBIDDEN; only the holder of the right key learns that it was revoked or expired.
   */
  async recordUse(id: string, presentedKey: string): Promise<AppSummary> {
    const parsed = parseCode(presentedKey)
    if (!parsed.ok) throw keyRefused()
    const vault = this.vaults.vault()
    const now = this.clock.now()
    const at = iso(now)
    return vault.mutate((db) => {
      const stored = getKeyHash(db, id)
      const presented = keyHash(db, parsed.key)
      if (!stored || stored.length !== presented.length || !timingSafeEqual(stored, presented)) throw keyRefused()
      const row = getApp(db, id)!
      const status = appStatus(toSummaryTimes(row), now)
      if (status === 'revoked')
        throw new KeyholdError('FORBIDDEN', 'This authorization key was revoked. Generate a new key in My apps and pair again.')
      if (status === 'expired')
        throw new KeyholdError('FORBIDDEN', 'This authorization key has expired. Generate a new key in My apps and pair again.')
      setLastUsed(db, id, at)
      return summary({ ...row, last_used_at: at }, now)
    })
  }

  /** For `keyhold info`. */
  count(): number {
    return this.vaults.vault().read(countApps)
  }

  /** Null stays null; anything else must lie after `now`, else INVALID_INPUT. */
  private futureExpiry(expiresAt: string | null, now: number): string | null {
    if (expiresAt === null) return null
    if (Date.parse(expiresAt) <= now)
      throw new KeyholdError(
        'INVALID_INPUT',
        'The expiration date is in the past. Choose a later date and time, or leave it empty so the key lasts until you revoke it.',
      )
    return expiresAt
  }
}

const iso = (ms: number) => new Date(ms).toISOString()

function toSummaryTimes(row: AppRecord) {
  return { expiresAt: row.expires_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at }
}

/** A report row. SECURITY: built from the public columns only. */
function summary(row: AppRecord, now: number): AppSummary {
  const times = toSummaryTimes(row)
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...times,
    status: appStatus(times, now),
  }
}

/** An application in My apps as the activity log names it. */
function appTarget(app: { id: string; name: string }) {
  return { type: 'app' as const, id: app.id, name: app.name }
}
