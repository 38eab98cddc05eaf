import { randomUUID } from 'node:crypto'
import type { DeviceClaim, PairingScope, RevealPolicy, TerminalClaim } from '../../../src-shared/local-access/messages'
import type { AgentPrompt, PairingDecision, RevealDecision } from '../../../src-shared/types/agent'
import { systemClock, type Clock } from '../ports'
import { GRANT_IDLE_MS, GRANT_LIFETIME_MS } from './terminals'

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

/** How long the window has to answer a terminal (docs/terminal-sessions.md §3); no answer is Deny. */
export const TERMINAL_ANSWER_MS = 60_000

/** What Allow gives, as the dialog says it. */
const TERMINAL_GRANT = { idleMs: GRANT_IDLE_MS, lifetimeMs: GRANT_LIFETIME_MS }

type Pending =
  | { prompt: AgentPrompt; resolve: (d: PairingDecision) => void; kind: 'pairing' }
  | { prompt: AgentPrompt; resolve: (d: RevealDecision) => void; kind: 'reveal' }
  | { prompt: AgentPrompt; resolve: (allow: boolean) => void; kind: 'terminal' }

/**
 * The app's approver: the agent's questions wait here until the window answers them
 * (`agent:prompts`, `agent:answer-*`). `onChange` tells main to bring the window forward.
 */
export class ApprovalQueue implements Approver {
  private readonly pending = new Map<string, Pending>()
  private readonly listeners = new Set<() => void>()
  private unlockListeners = new Set<() => void>()

  constructor(private readonly clock: Clock = systemClock) {}

  approvePairing(request: PairingRequest, signal: AbortSignal): Promise<PairingDecision> {
    return this.ask(signal, (id) => ({ id, kind: 'pairing', ...request }), 'pairing')
  }

  confirmReveal(request: RevealRequest, signal: AbortSignal): Promise<RevealDecision> {
    return this.ask(signal, (id) => ({ id, kind: 'reveal', ...request }), 'reveal')
  }

  /**
   * Whether the person lets a terminal run its commands in the unlocked app (the TerminalHost's
   * `allow`). False when denied or unanswered within TERMINAL_ANSWER_MS; rejects when the
   * agent withdraws it (its own bound, a lock, the terminal left).
   */
  async approveTerminal(claim: TerminalClaim, signal: AbortSignal): Promise<boolean> {
    const expired = new AbortController()
    const timer = setTimeout(() => expired.abort(), TERMINAL_ANSWER_MS)
    timer.unref?.()
    const deadline = new Date(this.clock.now() + TERMINAL_ANSWER_MS).toISOString()
    // The window shows what it needs to recognise the terminal; the session id and shell only key the grant.
    const { command, cwd, tty, pid } = claim
    try {
      return await this.ask<boolean>(AbortSignal.any([signal, expired.signal]), (id) => ({ id, kind: 'terminal', claim: { command, cwd, tty, pid }, grant: TERMINAL_GRANT, deadline }), 'terminal')
    } catch (error) {
      if (expired.signal.aborted && !signal.aborted) return false
      throw error
    } finally {
      clearTimeout(timer)
    }
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
    return this.answer(id, 'pairing', decision)
  }

  answerReveal(id: string, decision: RevealDecision): boolean {
    return this.answer(id, 'reveal', decision)
  }

  answerTerminal(id: string, allow: boolean): boolean {
    return this.answer(id, 'terminal', allow)
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

  private answer<K extends Pending['kind']>(id: string, kind: K, value: Parameters<Extract<Pending, { kind: K }>['resolve']>[0]): boolean {
    const entry = this.pending.get(id)
    if (!entry || entry.kind !== kind) return false
    this.settle(id)
    ;(entry.resolve as (value: unknown) => void)(value)
    return true
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
