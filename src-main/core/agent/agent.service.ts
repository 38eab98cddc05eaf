import { toSerializedError } from '../../../src-shared/errors'
import { toBase64Url } from '../../../src-shared/local-access/frames'
import type { NetworkTarget } from '../../../src-shared/local-access/client'
import type { AgentPrompt, AgentStatus, NetworkSettings, NetworkStatus, PairingDecision, RevealDecision } from '../../../src-shared/types/agent'
import type { AppId } from '../../../src-shared/types/apps'
import type { Clock } from '../ports'
import { readMeta, writeMeta } from '../vault/meta'
import { LocalAgent } from './agent'
import type { AgentServices } from './agent-context'
import { isFingerprint, parseHostPort } from '../../../src-shared/apps/pairing-uri'
import { agentEndpoint, agentFolder, agentGone, readAgentInfo } from './agent-paths'
import { ApprovalQueue } from './approvals'
import type { ConnectionTimings } from './limits'
import { servableAddresses, type ServableAddress } from './network/addresses'
import { readTlsIdentity } from './network/certificate'
import { NETWORK_PORT_KEY, servePhones } from './network/serve-phones'
import type { TerminalHost } from './terminals'

const ENABLED_KEY = 'agent_enabled'
const NETWORK_KEYS = { on: 'network_on', keepOn: 'network_keep_on', whileLocked: 'network_while_locked', port: NETWORK_PORT_KEY } as const

export interface AgentServiceOptions {
  /** 'app' in the desktop app's core; the bridge in tests. */
  holder: 'app' | 'agent'
  software: string
  /** The socket folder; `agentFolder()` by default. */
  folder?: string
  /** Shorter waits (tests). */
  timings?: Partial<ConnectionTimings>
  /** The addresses phones may use; this computer's private and loopback ones by default (tests: 127.0.0.1). */
  networkAddresses?: () => ServableAddress[]
  /**
   * Serves terminals' commands (docs/terminal-sessions.md), given how to ask the person: the app
   * passes the CLI's host (the core does not know the CLI). Absent: terminals are refused.
   */
  terminals?: (allow: TerminalHost['allow']) => TerminalHost
}

/**
 * The app's local access agent (docs/pairing-protocol.md): started after each unlock when
 * Settings > Connected apps has it on (the switch lives in the encrypted vault, so before the
 * first unlock nothing listens), kept listening across locks (answering VAULT_LOCKED), stopped
 * when switched off. Its questions wait in `approvals` until the window answers them.
 */
export class AgentService {
  readonly approvals: ApprovalQueue
  private agent: LocalAgent | null = null
  private problem: string | null = null
  /** Every start and stop, one after the other: two callers never apply at once. */
  private applying: Promise<void> = Promise.resolve()
  private network: NetworkSettings & { auto: boolean } = { on: false, auto: false, keepOn: false, whileLocked: false }
  private networkAddresses: ServableAddress[] = []
  private networkProblem: string | null = null
  private lastPort: number | null = null
  /** Mobile app keys whose QR code is on screen and turned the endpoint on by itself. */
  private readonly qrHolds = new Set<string>()
  /** Live phone pairings at the last look (the endpoint turns off when this falls to 0). */
  private livePhones = 0

  constructor(
    private readonly services: AgentServices,
    private readonly clock: Clock,
    /** Absent (the CLI, unit tests): the service keeps the setting and the questions, but never listens. */
    private readonly options?: AgentServiceOptions,
  ) {
    this.approvals = new ApprovalQueue(clock)
    if (options) {
      services.vault.onUnlock(() => void this.sync())
      services.vault.onLock(() => {
        // A QR code on screen at lock is gone (its key screen cannot be answered any more): it holds nothing.
        this.qrHolds.clear()
        void this.sync()
      })
    }
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

  networkStatus(): NetworkStatus {
    const listening = this.agent?.network ?? null
    const unlocked = this.services.vault.isUnlocked
    if (unlocked) this.lastPort = Number(this.services.vault.vault().read((db) => readMeta(db, NETWORK_KEYS.port))) || null
    const port = listening?.port ?? this.lastPort
    return {
      on: this.network.on,
      keepOn: this.network.keepOn,
      whileLocked: this.network.whileLocked,
      listening: listening !== null,
      port,
      addresses: listening ? this.networkAddresses.filter((a) => listening.addresses.includes(a.address)).map((a) => ({ address: a.address, interface: a.interface })) : [],
      hosts: listening?.hosts ?? [],
      fingerprint: listening?.fingerprint ?? (unlocked ? (readTlsIdentity(this.services.vault.vault())?.fingerprint ?? null) : null),
      connections: this.agent?.networkConnections ?? 0,
      problem: this.networkProblem,
    }
  }

  /** Settings > Connected apps > Phones on this network. Turning it on by hand drops the QR codes' claims on it. */
  async setNetwork(change: Partial<NetworkSettings>): Promise<NetworkStatus> {
    if (change.on !== undefined) this.qrHolds.clear()
    if (change.on === true) this.livePhones = this.countLivePhones()
    await this.saveNetwork(change)
    await this.sync()
    return this.networkStatus()
  }

  /** The create of `appId` failed after phoneTarget: its QR code is never shown, so it holds nothing. */
  async phoneTargetUnused(appId: AppId): Promise<void> {
    await this.qrClosed(appId)
  }

  /**
   * Where a new Mobile app key's QR code sends the phone (§2.4.2). In the app it turns the
   * endpoint on by itself until the QR code closes (qrClosed); elsewhere (the CLI) it is where
   * another process serves phones, if one does. Null when nothing can serve them.
   */
  async phoneTarget(appId: AppId): Promise<NetworkTarget | null> {
    if (!this.options) return runningPhoneTarget(this.services.vault.vault().id)
    // Every open QR code holds the endpoint on, whoever turned it on (a phone may scan it later).
    this.qrHolds.add(appId)
    if (!this.network.on) {
      await this.saveNetwork({ on: 'auto' })
      await this.sync()
    }
    const network = this.agent?.network
    return network && network.hosts.length > 0 ? { hosts: network.hosts, fingerprint: network.fingerprint } : null
  }

  /** The QR code of `appId` closed: an endpoint a QR code turned on turns off again unless a phone paired. */
  async qrClosed(appId: AppId): Promise<NetworkStatus> {
    if (this.qrHolds.delete(appId) && this.qrHolds.size === 0 && this.network.auto && !this.network.keepOn && this.countLivePhones() === 0) {
      await this.saveNetwork({ on: false })
      await this.sync()
    }
    return this.networkStatus()
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

  answerTerminal(id: string, allow: boolean): { answered: boolean } {
    return { answered: this.approvals.answerTerminal(id, allow) }
  }

  /** Stops listening (quit). */
  async stop(): Promise<void> {
    await this.queue(async () => {
      const agent = this.agent
      this.agent = null
      await agent?.stop()
    })
  }

  private enabled(): boolean {
    return this.services.vault.vault().read((db) => readMeta(db, ENABLED_KEY)) !== '0'
  }

  /** `network_on` is '1' when the person turned it on, 'auto' when a Mobile app key's QR code did. */
  private readNetwork(): NetworkSettings & { auto: boolean } {
    const [on, keepOn, whileLocked] = this.services.vault.vault().read((db) => [readMeta(db, NETWORK_KEYS.on), readMeta(db, NETWORK_KEYS.keepOn), readMeta(db, NETWORK_KEYS.whileLocked)])
    return { on: on === '1' || on === 'auto', auto: on === 'auto', keepOn: keepOn === '1', whileLocked: whileLocked === '1' }
  }

  private async saveNetwork(change: Partial<Omit<NetworkSettings, 'on'>> & { on?: boolean | 'auto' }): Promise<void> {
    await this.services.vault.vault().mutate((db) => {
      if (change.on !== undefined) writeMeta(db, NETWORK_KEYS.on, change.on === 'auto' ? 'auto' : change.on ? '1' : '0')
      for (const key of ['keepOn', 'whileLocked'] as const) if (change[key] !== undefined) writeMeta(db, NETWORK_KEYS[key], change[key] ? '1' : '0')
    })
    this.network = this.readNetwork()
  }

  private countLivePhones(): number {
    return this.services.pairings.list().filter((p) => p.app.type === 'mobile' && p.status === 'live').length
  }

  /**
   * After each agent tick: when the last phone pairing ends, the endpoint turns off, unless kept
   * on or a QR code is on screen. Turned on by a QR code, it also turns off with no phone paired.
   */
  private watchPhones(): void {
    if (!this.network.on || this.network.keepOn || this.qrHolds.size > 0 || !this.services.vault.isUnlocked) return
    let live: number
    try {
      live = this.countLivePhones()
    } catch {
      return
    }
    const before = this.livePhones
    this.livePhones = live
    if (live === 0 && (before > 0 || this.network.auto)) void this.saveNetwork({ on: false }).then(() => this.sync()).catch(() => undefined)
  }

  /** Starts or stops the phones' endpoint to match the settings and the lock (§2.4.4). */
  private async applyNetwork(): Promise<void> {
    const agent = this.agent
    if (!agent) return
    const unlocked = this.services.vault.isUnlocked
    if (unlocked) this.network = this.readNetwork()
    const want = this.network.on && (unlocked || this.network.whileLocked)
    if (!want) {
      await agent.stopNetwork()
      this.networkProblem = null
      return
    }
    if (agent.network || !unlocked) return
    try {
      this.networkAddresses = (this.options?.networkAddresses ?? servableAddresses)()
      if (this.networkAddresses.length === 0) {
        this.networkProblem = 'This computer is on no private network, so no phone can reach it. Connect to your Wi-Fi or local network, then turn it on again.'
        return
      }
      const listening = await servePhones(agent, this.services.vault.vault(), this.networkAddresses.map((a) => a.address))
      this.livePhones = this.countLivePhones()
      this.networkProblem =
        listening.movedFrom !== null ? `Port ${listening.movedFrom} was taken, so Keyhold now listens on port ${listening.port}. Phones paired before must be paired again.` : null
    } catch (error) {
      this.networkProblem = `Keyhold could not listen for phones: ${toSerializedError(error).message}`
    }
  }

  /** Starts or stops the agent to match the setting (while unlocked). */
  private sync(): Promise<void> {
    return this.queue(() => this.apply())
  }

  private queue(step: () => Promise<void>): Promise<void> {
    const run = this.applying.then(step)
    this.applying = run.catch(() => undefined)
    return run
  }

  private async apply(): Promise<void> {
    if (!this.options) return
    if (!this.services.vault.isUnlocked) return this.applyNetwork()
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
        // SECURITY: the person allows each terminal in the window (60 s to answer; no answer is Deny).
        terminals: this.options.terminals?.((claim, signal) => this.approvals.approveTerminal(claim, signal)),
        // The person's commands in a terminal keep the app unlocked, as their clicks in the window do.
        terminalCommand: () => this.services.vault.activity(),
      })
      try {
        await agent.start()
        agent.onTick = () => this.watchPhones()
        this.agent = agent
        this.problem = null
      } catch (error) {
        this.problem = toSerializedError(error).message
      }
    }
    if (!want) this.problem = null
    await this.applyNetwork()
  }
}

/**
 * Where another process (the app, `keyhold agent --phones`) serves phones for this vault, from
 * its facts file: only a live agent's, and only well-formed hosts and fingerprint.
 */
async function runningPhoneTarget(vaultId: string): Promise<NetworkTarget | null> {
  const endpoint = agentEndpoint(vaultId, agentFolder())
  const info = readAgentInfo(endpoint)
  const network = info?.network
  if (!info || !network || (await agentGone(info, endpoint))) return null
  const hosts = Array.isArray(network.hosts) ? network.hosts.filter((h): h is string => typeof h === 'string' && parseHostPort(h) !== null).slice(0, 4) : []
  if (hosts.length === 0 || !isFingerprint(network.fp)) return null
  return { hosts, fingerprint: network.fp }
}
