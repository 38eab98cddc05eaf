import { CompanionError, pair, type PairedIdentity, type PairingInput } from '../../src-shared/local-access/client'
import { REFUSAL, type DeviceClaim } from '../../src-shared/local-access/messages'
import { HelloWatch } from './hello-watch'
import type { PairingProgress } from './pairing-progress'
import type { Relay } from './relay'

export interface PairingJobDeps {
  /** A relay to the agent of `vaultId`, or to the only agent running when it is not known (a typed code). */
  openRelay(vaultId: string | undefined): Promise<Relay>
  claim: DeviceClaim
  /** Keeps the approved pairing; the job signs the pairing out again if this fails. */
  save(identity: PairedIdentity): Promise<void>
}

/**
 * One pairing at a time, from the code to the approval, with its progress for whoever
 * listens (the popup, each time it opens). The approved pairing is saved and its connection
 * closed: the popup opens sessions of its own. A finished pairing's outcome stays until a
 * popup has shown it (`acknowledge`).
 */
export class PairingJob {
  private current: PairingProgress = { phase: 'idle' }
  private watch: HelloWatch | null = null
  /** The current run; a cancelled or replaced run's late news is dropped. */
  private runs = 0
  private readonly listeners = new Set<(progress: PairingProgress) => void>()

  constructor(private readonly deps: PairingJobDeps) {}

  get progress(): PairingProgress {
    return this.current
  }

  subscribe(listener: (progress: PairingProgress) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Starts pairing; false while another is in progress. */
  start(input: PairingInput): boolean {
    if (this.busy) return false
    this.set({ phase: 'connecting' })
    void this.run(input, ++this.runs)
    return true
  }

  /** Closes the connection; Keyhold then uses the key up (`cancelled`) if it had reached the dialog. */
  cancel(): void {
    if (!this.busy) return
    this.runs++
    this.watch?.close()
    this.watch = null
    this.set({ phase: 'idle' })
  }

  /** While Keyhold is locked: ask its window for the unlock screen. */
  requestUnlock(): void {
    if (this.current.phase === 'locked' && this.watch?.requestUnlock()) this.set({ phase: 'locked', unlockAsked: true })
  }

  /** A popup showed the outcome: back to idle. */
  acknowledge(): void {
    if (this.current.phase === 'approved' || this.current.phase === 'failed') this.set({ phase: 'idle' })
  }

  private get busy(): boolean {
    return this.current.phase === 'connecting' || this.current.phase === 'locked' || this.current.phase === 'phrase'
  }

  private async run(input: PairingInput, run: number): Promise<void> {
    const live = () => run === this.runs
    const report = (progress: PairingProgress) => live() && this.set(progress)
    let phraseShown = false
    let watch: HelloWatch | null = null
    try {
      const relay = await this.deps.openRelay(input.vaultId)
      watch = new HelloWatch(relay.transport, (locked) => report(locked ? { phase: 'locked', unlockAsked: false } : { phase: 'connecting' }))
      if (!live()) return watch.close()
      this.watch = watch
      const { identity, session } = await pair(watch, input, {
        claim: this.deps.claim,
        onPhrase: (phrase, offer) => {
          phraseShown = true
          report({ phase: 'phrase', phrase, app: { name: offer.app.name, type: offer.app.type }, waiting: false })
        },
        onWaiting: () => {
          if (this.current.phase === 'phrase') report({ ...this.current, waiting: true })
        },
      })
      try {
        await this.deps.save(identity)
      } catch {
        await session.signOut().catch(() => {})
        throw new CompanionError('INTERNAL', 'The browser would not store the pairing, so it was signed out again. Check that the browser has space and pair again with a new key.')
      }
      session.close()
      report({ phase: 'approved', app: { name: identity.pairing.app.name, type: identity.pairing.app.type } })
    } catch (error) {
      report(failure(error, phraseShown))
    } finally {
      if (this.watch === watch) this.watch = null
    }
  }

  private set(progress: PairingProgress): void {
    this.current = progress
    for (const listener of this.listeners) listener(progress)
  }
}

/** The outcome of a failed pairing, in the words the person needs. */
function failure(error: unknown, phraseShown: boolean): PairingProgress {
  if (!(error instanceof CompanionError)) return { phase: 'failed', code: 'INTERNAL', message: 'The pairing failed unexpectedly. Try again with a new key.' }
  // As `keyhold connect` does: a refusal after the phrase means another device may be waiting for approval (protocol §5.2).
  if (phraseShown && (error.message === REFUSAL.pair || error.code === 'CLOSED'))
    return { phase: 'failed', code: error.code, message: 'Pairing failed. If Keyhold on your computer is asking you to approve a device now, deny it.' }
  return { phase: 'failed', code: error.code, message: error.message }
}
