import { toSerializedError } from '../../../src-shared/errors'
import { toBase64Url } from '../../../src-shared/local-access/frames'
import type { AgentPrompt, AgentStatus, PairingDecision, RevealDecision } from '../../../src-shared/types/agent'
import type { Clock } from '../ports'
import { readMeta, writeMeta } from '../vault/meta'
import { LocalAgent } from './agent'
import type { AgentServices } from './agent-context'
import { ApprovalQueue } from './approvals'
import type { ConnectionTimings } from './limits'

const ENABLED_KEY = 'agent_enabled'

export interface AgentServiceOptions {
  /** 'app' in the desktop app's core; the bridge in tests. */
  holder: 'app' | 'agent'
  software: string
  /** The socket folder; `agentFolder()` by default. */
  folder?: string
  /** Shorter waits (tests). */
  timings?: Partial<ConnectionTimings>
}

/**
 * The app's local access agent (docs/pairing-protocol.md): started after each unlock when
 * Settings > Connected apps has it on (the switch lives in the encrypted vault, so before the
 * first unlock nothing listens), kept listening across locks (answering VAULT_LOCKED), stopped
 * when switched off. Its questions wait in `approvals` until the window answers them.
 */
export class AgentService {
  readonly approvals = new ApprovalQueue()
  private agent: LocalAgent | null = null
  private problem: string | null = null
  private starting: Promise<void> | null = null

  constructor(
    private readonly services: AgentServices,
    private readonly clock: Clock,
    /** Absent (the CLI, unit tests): the service keeps the setting and the questions, but never listens. */
    private readonly options?: AgentServiceOptions,
  ) {
    if (options) services.vault.onUnlock(() => void this.sync())
  }

  status(): AgentStatus {
    const unlocked = this.services.vault.isUnlocked
    return {
      enabled: unlocked ? this.enabled() : this.agent !== null,
      listening: this.agent !== null,
      endpoint: this.agent?.endpoint?.socket ?? null,
      desktopKey: unlocked ? toBase64Url(this.services.pairings.desktopKey().publicKey) : null,
      connections: this.agent?.connectionCount ?? 0,
      idleRevokeDays: unlocked ? this.services.pairings.idleDays() : 0,
      problem: this.problem,
    }
  }

  async setEnabled(enabled: boolean): Promise<AgentStatus> {
    await this.services.vault.vault().mutate((db) => writeMeta(db, ENABLED_KEY, enabled ? '1' : '0'))
    await this.sync()
    return this.status()
  }

  async setIdleDays(days: number): Promise<AgentStatus> {
    await this.services.pairings.setIdleDays(days)
    await this.services.pairings.endIdle()
    return this.status()
  }

  prompts(): AgentPrompt[] {
    return this.approvals.prompts()
  }

  answerPairing(id: string, decision: PairingDecision): { answered: boolean } {
    return { answered: this.approvals.answerPairing(id, decision) }
  }

  answerReveal(id: string, decision: RevealDecision): { answered: boolean } {
    return { answered: this.approvals.answerReveal(id, decision) }
  }

  /** Stops listening (quit). */
  async stop(): Promise<void> {
    await this.starting
    const agent = this.agent
    this.agent = null
    await agent?.stop()
  }

  private enabled(): boolean {
    return this.services.vault.vault().read((db) => readMeta(db, ENABLED_KEY)) !== '0'
  }

  /** Starts or stops the agent to match the setting (while unlocked). */
  private async sync(): Promise<void> {
    await this.starting
    this.starting = this.apply().finally(() => (this.starting = null))
    await this.starting
  }

  private async apply(): Promise<void> {
    if (!this.services.vault.isUnlocked || !this.options) return
    const want = this.enabled()
    if (!want && this.agent) {
      const agent = this.agent
      this.agent = null
      await agent.stop()
    }
    if (want && !this.agent) {
      const agent = new LocalAgent({
        services: this.services,
        clock: this.clock,
        approver: this.approvals,
        holder: this.options.holder,
        software: this.options.software,
        folder: this.options.folder,
        timings: this.options.timings,
      })
      try {
        await agent.start()
        this.agent = agent
        this.problem = null
      } catch (error) {
        this.problem = toSerializedError(error).message
      }
    }
    if (!want) this.problem = null
  }
}
