import { randomBytes } from 'node:crypto'
import { KeyholdError } from '../../../src-shared/errors'
import type { KdfParams, VaultInfo, VaultStatus } from '../../../src-shared/types/vault'
import { systemClock, type Clock, type KeyStore } from '../ports'
import { calibrateKdf } from './kdf'
import type { Database } from './database'
import { readMeta, writeMeta } from './meta'
import type { CatalogSource } from './catalog-writer'
import { Vault } from './vault'
import { VaultFile } from './vault-file'

export const DEFAULT_AUTO_LOCK_MS = 5 * 60_000
/** Where the person's auto-lock delay is kept: the vault's `meta` table, inside the encrypted image (Settings). */
const AUTO_LOCK_META_KEY = 'auto_lock_minutes'
/** How long a master-password confirmation authorises sensitive actions (managing keys). */
export const REAUTH_WINDOW_MS = 5 * 60_000

export interface VaultServiceOptions {
  path: string
  keyStore: KeyStore
  clock?: Clock
  /** Fixed KDF parameters (CLI flags, tests, benchmarks); calibrated on this machine when absent. */
  kdf?: KdfParams
  /**
   * A fixed idle delay (the CLI agent's --lock-after, tests). Without it, the delay is the
   * vault's own setting (Settings > Auto-lock), or DEFAULT_AUTO_LOCK_MS until the person sets one.
   */
  autoLockMs?: number
}


const keychainUnavailable = (what: string) =>
  new KeyholdError('KEYCHAIN_UNAVAILABLE', `The system keychain is not available, so ${what}. Unlock with your master password.`)

/** How long a lock waits for accepted changes to be saved before it drops the keys anyway. */
export const LOCK_SETTLE_MS = 2000

/**
 * The vault's lifecycle for one process: create, unlock (password or device key), lock,
 * change password, and the idle auto-lock. Feature services reach the open vault through
 * `vault()`, which throws VAULT_LOCKED when there is none.
 */
export class VaultService {
  private current: Vault | null = null
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  /** The closing of the vaults locked so far (see lock); a new one opens only after it. */
  private closing: Promise<void> = Promise.resolve()
  private readonly lockListeners = new Set<() => void | Promise<void>>()
  private readonly beforeLockListeners = new Set<(vault: Vault) => void>()
  private readonly eventListeners = new Set<(event: VaultEvent) => void>()
  private commitments: ((db: Database) => Record<string, string>) | null = null
  private catalog: ((db: Database) => CatalogSource | null) | null = null
  private readonly unlockListeners = new Set<() => void>()
  private confirmedAt: number | null = null

  constructor(private readonly options: VaultServiceOptions) {}

  /** Milliseconds without a request before the open vault locks itself (see VaultServiceOptions.autoLockMs). */
  get autoLockMs(): number {
    if (this.options.autoLockMs !== undefined) return this.options.autoLockMs
    if (!this.isUnlocked) return DEFAULT_AUTO_LOCK_MS
    const minutes = Number(this.current!.read((db) => readMeta(db, AUTO_LOCK_META_KEY)))
    return Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : DEFAULT_AUTO_LOCK_MS
  }

  /** Keeps the person's auto-lock delay in the vault and restarts the idle timer with it. Input is bounded by the contract. */
  async setAutoLockMinutes(minutes: number): Promise<void> {
    await this.vault().mutate((db) => writeMeta(db, AUTO_LOCK_META_KEY, String(minutes)))
    this.activity()
  }

  get path(): string {
    return this.options.path
  }

  /** The open vault, or VAULT_LOCKED. */
  vault(): Vault {
    if (!this.current || this.current.isClosed)
      throw new KeyholdError('VAULT_LOCKED', 'The vault is locked. Unlock it with your master password to continue.')
    return this.current
  }

  get isUnlocked(): boolean {
    return !!this.current && !this.current.isClosed
  }

  async status(): Promise<VaultStatus> {
    if (this.isUnlocked) return { state: 'unlocked', rememberedOnDevice: this.current!.hasDeviceSlot, autoLockMs: this.autoLockMs }
    const header = await Vault.peek(this.path).catch(() => undefined)
    if (header === null) return { state: 'absent', rememberedOnDevice: false, autoLockMs: this.autoLockMs }
    return { state: 'locked', rememberedOnDevice: !!header?.slots.some((s) => s.type === 'device'), autoLockMs: this.autoLockMs }
  }

  async create(input: { password: string; rememberOnDevice: boolean }): Promise<VaultStatus> {
    // Checked before locking or calibrating: a refused create leaves an open vault open.
    if (await new VaultFile(this.path).exists())
      throw new KeyholdError('VAULT_EXISTS', `A vault already exists at ${this.path}. Unlock it, or choose another path.`)
    this.lock()
    await this.closing
    const kdf = this.options.kdf ?? (await calibrateKdf())
    this.opened(await Vault.create(this.path, input.password, kdf))
    this.confirmedAt = this.clock.now()
    return this.withRemember(input.rememberOnDevice)
  }

  async unlock(input: { password: string; rememberOnDevice?: boolean }): Promise<VaultStatus> {
    // A vault locked a moment ago may still be saving what it accepted: open what it saves.
    await this.closing
    let vault: Vault
    try {
      vault = await Vault.open(this.path, { password: input.password })
    } catch (error) {
      if (error instanceof KeyholdError && error.code === 'WRONG_PASSWORD') this.emit({ type: 'unlock-failed', vaultId: (await Vault.peek(this.path).catch(() => null))?.vaultId })
      throw error
    }
    this.lock()
    this.opened(vault)
    this.emit({ type: 'unlocked', with: 'password' })
    this.confirmedAt = this.clock.now()
    if (input.rememberOnDevice === undefined) return this.status()
    return this.withRemember(input.rememberOnDevice)
  }

  /** Unlocks with the device key. Any keychain failure is KEYCHAIN_UNAVAILABLE, never a crash. */
  async unlockWithDevice(): Promise<VaultStatus> {
    await this.closing
    const header = await Vault.peek(this.path)
    if (!header) throw new KeyholdError('VAULT_NOT_FOUND', 'There is no vault yet. Create one first.')
    if (!header.slots.some((s) => s.type === 'device'))
      throw new KeyholdError('KEYCHAIN_UNAVAILABLE', 'This device is not remembered for this vault. Unlock with your master password.')
    let stored: string | null
    try {
      stored = await this.options.keyStore.get(header.vaultId)
    } catch {
      throw keychainUnavailable('the device key could not be read')
    }
    if (!stored) throw keychainUnavailable('the device key is missing from it')
    const deviceKey = Buffer.from(stored, 'base64')
    const vault = await Vault.open(this.path, { deviceKey }).finally(() => deviceKey.fill(0))
    this.lock()
    this.opened(vault)
    this.emit({ type: 'unlocked', with: 'device' })
    return this.status()
  }

  /**
   * Resolves once every change asked for so far is durable (or has failed). The shell awaits
   * it before quitting, so a save in progress (or a burst being coalesced) is never cut off.
   */
  async settle(): Promise<void> {
    await this.current?.settled()
  }

  /** Resolves once every vault locked so far has dropped its database and keys, and its lock listeners are done. */
  locked(): Promise<void> {
    return this.closing
  }

  /**
   * Locks at once: nothing new gets in (vault() is VAULT_LOCKED now). Changes already accepted
   * (a save under way, a burst being coalesced) still reach the disk, which takes well under
   * LOCK_SETTLE_MS even at 100,000 secrets; then, or at that bound, the database and every key
   * leave memory (`locked()` resolves). Safe to call when already locked.
   */
  lock(): VaultStatus {
    clearTimeout(this.idleTimer)
    const had = this.current
    this.current = null
    this.confirmedAt = null
    if (had) {
      // Last changes for the vault being locked (the activity log's pending entries): queued
      // before it settles, so they are saved with what was already accepted.
      for (const listener of this.beforeLockListeners) attemptSync(() => listener(had))
      // The session's last save writes the catalog of the API secrets if they changed (Vault.finish).
      const closing = within(
        had
          .finish()
          .catch(() => undefined)
          .then(() => had.settled()),
        LOCK_SETTLE_MS,
      ).then(() => had.close())
      // A listener's work (taking a copy back from main's clipboard) is waited for, with the same
      // bound: an unlock waits for `closing`, and must not wait forever on a call main never answers.
      const listening = [...this.lockListeners].map((listener) => within(attempt(listener), LOCK_SETTLE_MS))
      this.closing = Promise.all([this.closing, closing, ...listening]).then(() => undefined)
    }
    return { state: 'locked', rememberedOnDevice: had?.hasDeviceSlot ?? false, autoLockMs: this.autoLockMs }
  }

  /** Changes the master password; the vault is re-keyed (see rekey). Needs the current password. */
  async changePassword(input: { current: string; next: string }): Promise<VaultStatus> {
    const vault = this.vault()
    await vault.verifyPassword(input.current)
    const status = await this.rekey(vault, input.next)
    this.emit({ type: 'password-changed' })
    return status
  }

  /** "Rotate encryption key": a new data key, the master password unchanged. Needs the master password. */
  async rotateKey(input: { password: string }): Promise<VaultStatus> {
    const vault = this.vault()
    await vault.verifyPassword(input.password)
    const status = await this.rekey(vault, input.password)
    this.emit({ type: 'rekeyed' })
    return status
  }

  /**
   * Re-keys the open vault for `password`. SECURITY: a remembered device gets a new device key
   * too (the old one, still in any copy of the keychain, opens nothing later). Where the
   * keychain cannot take it (the CLI has none), the device slot is dropped and the result says
   * so: the vault is never left with a slot for the old data key.
   */
  private async rekey(vault: Vault, password: string): Promise<VaultStatus> {
    let deviceKey: Buffer | null = null
    let previous: string | null = null
    let warning: VaultStatus['warning']
    if (vault.hasDeviceSlot) {
      deviceKey = randomBytes(32)
      previous = await this.options.keyStore.get(vault.id).catch(() => null)
      try {
        await this.options.keyStore.set(vault.id, deviceKey.toString('base64'))
      } catch {
        deviceKey.fill(0)
        deviceKey = null
        // The old device key would still open every earlier copy: out of the keychain too, if it lets us.
        await this.options.keyStore.delete(vault.id).catch(() => false)
        warning = {
          code: 'KEYCHAIN_UNAVAILABLE',
          message: 'The system keychain could not take the new device key, so this computer is no longer remembered for this vault: the next unlock needs the master password.',
        }
      }
    }
    try {
      await vault.rekey(password, deviceKey)
    } catch (error) {
      // The vault still has its old device slot: the keychain gets its old key back.
      if (deviceKey && previous) await this.options.keyStore.set(vault.id, previous).catch(() => undefined)
      throw error
    } finally {
      deviceKey?.fill(0)
    }
    return { ...(await this.status()), ...(warning && { warning }) }
  }

  info(counts: Record<string, number>): VaultInfo {
    return this.vault().info(counts)
  }

  /** Restarts the idle timer; called on every request from the person. */
  activity(): void {
    if (!this.isUnlocked) return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => this.lock(), this.autoLockMs)
    this.idleTimer.unref?.()
  }

  /** Called after every lock (idle, suspend, screen lock, on demand); `locked()` waits for a promise it returns. Returns an unsubscribe. */
  onLock(listener: () => void | Promise<void>): () => void {
    this.lockListeners.add(listener)
    return () => this.lockListeners.delete(listener)
  }

  /** What every vault opened here commits in its header at each save (the activity log's head; format 1.2). */
  useCommitments(commit: (db: Database) => Record<string, string>): void {
    this.commitments = commit
    this.current?.useCommitments(commit)
  }

  /** What every vault opened here writes as its catalog after the image at each save (the API secrets; format 1.3, catalog.ts). */
  useCatalog(catalog: (db: Database) => CatalogSource | null): void {
    this.catalog = catalog
    this.current?.useCatalog(catalog)
  }

  /** What happened to the vault, for the activity log (the vault layer knows no feature). Returns an unsubscribe. */
  onEvent(listener: (event: VaultEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  private emit(event: VaultEvent): void {
    for (const listener of this.eventListeners) attemptSync(() => listener(event))
  }

  /** Called at lock with the vault being locked, before it settles: a listener may queue a last mutate. Returns an unsubscribe. */
  onBeforeLock(listener: (vault: Vault) => void): () => void {
    this.beforeLockListeners.add(listener)
    return () => this.beforeLockListeners.delete(listener)
  }

  /** Called after every unlock (and create). Returns an unsubscribe. */
  onUnlock(listener: () => void): () => void {
    this.unlockListeners.add(listener)
    return () => this.unlockListeners.delete(listener)
  }

  private opened(vault: Vault): void {
    vault.useCommitments(this.commitments)
    vault.useCatalog(this.catalog)
    this.current = vault
    this.activity()
    for (const listener of this.unlockListeners) listener()
  }

  private get clock(): Clock {
    return this.options.clock ?? systemClock
  }

  /**
   * Re-confirms the master password (the individual's "Save User" permission): sensitive
   * actions are allowed for REAUTH_WINDOW_MS afterwards. Unlocking with the password counts.
   */
  async confirmPassword(password: string): Promise<void> {
    await this.vault().verifyPassword(password)
    this.confirmedAt = this.clock.now()
  }

  /** Throws REAUTH_REQUIRED unless the master password was confirmed within the window. */
  requireRecentConfirmation(): void {
    this.vault()
    if (this.confirmedAt === null || this.clock.now() - this.confirmedAt > REAUTH_WINDOW_MS)
      throw new KeyholdError('REAUTH_REQUIRED', 'Confirm your master password to manage keys (it is asked again after 5 minutes).')
  }

  /**
   * "Remember on this device": a random 256-bit device key goes to the OS keychain and a
   * slot wrapped by it to the header. SECURITY: if the keychain fails, nothing is written
   * anywhere else; the vault stays password-only and the caller is told why. Create, unlock
   * and Settings' "Unlock with this device" switch all come here.
   */
  async withRemember(remember: boolean): Promise<VaultStatus> {
    const vault = this.vault()
    if (remember === vault.hasDeviceSlot) return this.status()
    if (!remember) {
      await vault.setDeviceKey(null)
      await this.options.keyStore.delete(vault.id).catch(() => false)
      return this.status()
    }
    const deviceKey = randomBytes(32)
    try {
      await this.options.keyStore.set(vault.id, deviceKey.toString('base64'))
    } catch {
      deviceKey.fill(0)
      const warning = { code: 'KEYCHAIN_UNAVAILABLE' as const, message: keychainUnavailable('Keyhold cannot remember this device').message }
      return { ...(await this.status()), warning }
    }
    await vault.setDeviceKey(deviceKey)
    deviceKey.fill(0)
    return this.status()
  }
}

/** Resolves once `work` has settled (either way) or `ms` have passed, whichever comes first. */
function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))
  return Promise.race([work.then(() => undefined, () => undefined), bound]).then(() => clearTimeout(timer))
}

/** Calls `listener` now; what it returns or throws, as a promise. */
function attempt(listener: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(listener())
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Events the vault reports (unlocks, a wrong password, password changes, re-keys). */
export type VaultEvent = { type: 'unlocked'; with: 'password' | 'device' } | { type: 'unlock-failed'; vaultId?: string } | { type: 'password-changed' } | { type: 'rekeyed' }

/** Runs a listener; a throw is its own problem and never stops the lock. */
function attemptSync(run: () => void): void {
  try {
    run()
  } catch {
    // The lock goes on: a listener that fails loses only its own last change.
  }
}
