import { randomUUID } from 'node:crypto'
import type { DeviceClaim, PairingScope, RevealPolicy } from '../../../src-shared/local-access/messages'
import type { AgentPrompt, PairingDecision, RevealDecision } from '../../../src-shared/types/agent'

/** What the desktop is asked when a companion has proved its key (docs/pairing-protocol.md §5.3). */
export interface PairingRequest {
  app: { id: string; name: string; type: 'mobile' | 'extension'; expiresAt: string | null }
  claim: DeviceClaim
  phrase: string
  /** Another device also proved this key while the dialog was open. */
  contested: boolean
  /** When the agent stops waiting (ISO time). */
  deadline: string
}

/** A paired companion wants one client secret, and its policy says ask. */
export interface RevealRequest {
  pairing: { id: string; appName: string; deviceName: string }
  secret: { id: string; name: string }
  deadline: string
}

/**
 * Who answers the agent's questions: the app's window (ApprovalQueue, through IPC) or the
 * headless agent's terminal. Each call resolves with the person's answer; the agent aborts
 * `signal` on its timeout, a lock or a disconnect, and then ignores the answer.
 */
export interface Approver {
  approvePairing(request: PairingRequest, signal: AbortSignal): Promise<PairingDecision>
  confirmReveal(request: RevealRequest, signal: AbortSignal): Promise<RevealDecision>
  /** A companion asked for the unlock screen (at most once per 30 s). */
  requestUnlock(): void
  /** Another device proved the key of an application whose approval is open. */
  contest?(appId: string): void
}

/** An approver that refuses everything (no window, no terminal). */
export const refuseAll: Approver = {
  approvePairing: async () => ({ approved: false }),
  confirmReveal: async () => 'deny',
  requestUnlock: () => undefined,
}

type Pending =
  | { prompt: AgentPrompt; resolve: (d: PairingDecision) => void; kind: 'pairing' }
  | { prompt: AgentPrompt; resolve: (d: RevealDecision) => void; kind: 'reveal' }

/**
 * The app's approver: the agent's questions wait here until the window answers them
 * (`agent:prompts`, `agent:answer`). `onChange` tells main to bring the window forward.
 */
export class ApprovalQueue implements Approver {
  private readonly pending = new Map<string, Pending>()
  private readonly listeners = new Set<() => void>()
  private unlockListeners = new Set<() => void>()

  approvePairing(request: PairingRequest, signal: AbortSignal): Promise<PairingDecision> {
    return this.ask(signal, (id) => ({ id, kind: 'pairing', ...request }), 'pairing')
  }

  confirmReveal(request: RevealRequest, signal: AbortSignal): Promise<RevealDecision> {
    return this.ask(signal, (id) => ({ id, kind: 'reveal', ...request }), 'reveal')
  }

  requestUnlock(): void {
    for (const listener of this.unlockListeners) listener()
  }

  /** The questions waiting for the person, oldest first. */
  prompts(): AgentPrompt[] {
    return [...this.pending.values()].map((p) => p.prompt)
  }

  /** The person's answer. False when the question is gone (answered, timed out, cancelled). */
  answerPairing(id: string, decision: PairingDecision): boolean {
    const entry = this.pending.get(id)
    if (!entry || entry.kind !== 'pairing') return false
    this.settle(id)
    entry.resolve(decision)
    return true
  }

  answerReveal(id: string, decision: RevealDecision): boolean {
    const entry = this.pending.get(id)
    if (!entry || entry.kind !== 'reveal') return false
    this.settle(id)
    entry.resolve(decision)
    return true
  }

  /** Marks a pairing question contested (another device proved the same key). */
  contest(appId: string): void {
    for (const entry of this.pending.values())
      if (entry.prompt.kind === 'pairing' && entry.prompt.app.id === appId) {
        entry.prompt.contested = true
        this.changed()
      }
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  onUnlockRequest(listener: () => void): () => void {
    this.unlockListeners.add(listener)
    return () => this.unlockListeners.delete(listener)
  }

  private ask<D>(signal: AbortSignal, make: (id: string) => AgentPrompt, kind: Pending['kind']): Promise<D> {
    return new Promise<D>((resolve, reject) => {
      if (signal.aborted) return reject(new Error('aborted'))
      const id = randomUUID()
      this.pending.set(id, { prompt: make(id), resolve: resolve as never, kind } as Pending)
      signal.addEventListener('abort', () => {
        if (this.settle(id)) reject(new Error('aborted'))
      })
      this.changed()
    })
  }

  private settle(id: string): boolean {
    const had = this.pending.delete(id)
    if (had) this.changed()
    return had
  }

  private changed(): void {
    for (const listener of this.listeners) listener()
  }
}

export type { PairingScope, RevealPolicy }
