import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { Result } from '../../src-shared/errors'
import type { AgentPrompt, AgentStatus, NetworkSettings, NetworkStatus, PairingDecision, RevealDecision } from '../../src-shared/types/agent'
import type { AppId } from '../../src-shared/types/apps'
import type { PairingId, PairingSummary } from '../../src-shared/types/pairings'
import { client } from '../api/client'
import { errorText } from '../api/errors'
import { useVaultStore } from './vault.store'

/** How often the window asks main for the agent's questions while the vault is unlocked. */
export const PROMPT_POLL_MS = 1_000

export type PairingPrompt = Extract<AgentPrompt, { kind: 'pairing' }>
export type RevealPrompt = Extract<AgentPrompt, { kind: 'reveal' }>
export type TerminalPrompt = Extract<AgentPrompt, { kind: 'terminal' }>

/**
 * Local access as the window sees it: the agent's switch and status, the questions it waits
 * on (a device to approve, a client secret to reveal, a terminal to allow), polled while the
 * vault is unlocked and something shows them, and Settings > Connected apps (the pairings,
 * revoke, Phones on this network). Polling `agent:prompts` is not activity for the idle
 * lock, in main or here (POLLED_METHODS).
 */
export const useAgentStore = defineStore('agent', () => {
  const vault = useVaultStore()

  const status = ref<AgentStatus | null>(null)
  const statusError = ref<string | null>(null)
  const prompts = ref<AgentPrompt[]>([])
  /** Questions answered here: hidden at once, before main's list catches up. */
  const answered = ref<ReadonlySet<string>>(new Set())
  const pairings = ref<PairingSummary[]>([])
  const loaded = ref(false)
  const loadError = ref<string | null>(null)
  /** Phones on this network (docs/pairing-protocol.md §2.4.4): its settings and where it listens. */
  const network = ref<NetworkStatus | null>(null)
  const networkError = ref<string | null>(null)

  const open = computed(() => prompts.value.filter((prompt) => !answered.value.has(prompt.id)))
  /** One question at a time: a device to approve first, then a reveal, then a terminal. */
  const pairingPrompt = computed(() => open.value.find((prompt): prompt is PairingPrompt => prompt.kind === 'pairing') ?? null)
  const revealPrompt = computed(() => open.value.find((prompt): prompt is RevealPrompt => prompt.kind === 'reveal') ?? null)
  const terminalPrompt = computed(() => open.value.find((prompt): prompt is TerminalPrompt => prompt.kind === 'terminal') ?? null)
  const liveCount = computed(() => pairings.value.filter((pairing) => pairing.status === 'live').length)

  let watchers = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  /** Takes main's list. A pairing question that went (answered, timed out, cancelled) may have added a pairing to the list. */
  function receive(next: AgentPrompt[]): void {
    const ids = new Set(next.map((prompt) => prompt.id))
    const settled = prompts.value.some((prompt) => prompt.kind === 'pairing' && !ids.has(prompt.id))
    prompts.value = next
    answered.value = new Set([...answered.value].filter((id) => ids.has(id)))
    if (settled && loaded.value) void loadPairings()
  }

  async function pollPrompts(): Promise<void> {
    if (vault.state !== 'unlocked') return
    const result = await client.agentPrompts({})
    // A lock while asking: what came back is already stale.
    if (result.ok && vault.state === 'unlocked') receive(result.value)
  }

  function schedule(): void {
    clearTimeout(timer)
    if (watchers === 0 || vault.state !== 'unlocked') return
    timer = setTimeout(() => void pollPrompts().finally(schedule), PROMPT_POLL_MS)
  }

  /**
   * Asks for the questions now, then every PROMPT_POLL_MS while the vault is unlocked, until
   * the returned stop is called (the component showing the dialogs unmounts).
   */
  function watchPrompts(): () => void {
    watchers++
    void pollPrompts()
    schedule()
    let stopped = false
    return () => {
      if (stopped) return
      stopped = true
      watchers--
      if (watchers === 0) clearTimeout(timer)
    }
  }
  watch(
    () => vault.state,
    (state) => {
      if (state === 'unlocked') schedule()
    },
  )

  async function loadStatus(): Promise<void> {
    const result = await client.agentStatus({})
    statusError.value = result.ok ? null : errorText(result.error)
    if (result.ok) status.value = result.value
  }

  async function loadPairings(): Promise<void> {
    const result = await client.pairingsList({})
    loadError.value = result.ok ? null : errorText(result.error)
    if (result.ok) pairings.value = result.value
    loaded.value = result.ok
  }

  /** Settings > Connected apps on opening: the switch's state and the list. */
  async function load(): Promise<void> {
    await Promise.all([loadStatus(), loadPairings()])
  }

  async function setEnabled(enabled: boolean): Promise<Result<AgentStatus>> {
    const result = await client.agentSetEnabled({ enabled })
    if (result.ok) status.value = result.value
    return result
  }

  /** The idle auto-revoke; main ends the pairings already idle that long at once. */
  async function setIdleDays(days: number): Promise<Result<AgentStatus>> {
    const result = await client.agentSetIdleDays({ days })
    if (result.ok) {
      status.value = result.value
      await loadPairings()
    }
    return result
  }

  async function loadNetwork(): Promise<void> {
    const result = await client.agentNetworkStatus({})
    networkError.value = result.ok ? null : errorText(result.error)
    if (result.ok) network.value = result.value
  }

  /** Phones on this network on or off, Keep on, Also while locked: each kept in the vault by main. */
  async function setNetwork(change: Partial<NetworkSettings>): Promise<Result<NetworkStatus>> {
    const result = await client.agentSetNetwork(change)
    if (result.ok) network.value = result.value
    return result
  }

  /** A Mobile app key's QR screen closed: main turns off the endpoint that key turned on, unless a phone paired. */
  async function qrClosed(id: AppId): Promise<Result<NetworkStatus>> {
    const result = await client.agentQrClosed({ id })
    if (result.ok) network.value = result.value
    return result
  }

  function hide(id: string): void {
    answered.value = new Set([...answered.value, id])
  }

  /** Approve (with the scope and reveal policy chosen) or deny. The dialog goes once main has the answer, or the question is gone. */
  async function answerPairing(id: string, decision: PairingDecision): Promise<Result<{ answered: boolean }>> {
    const result = await client.agentAnswerPairing(decision.approved ? { id, ...decision } : { id, approved: false })
    if (result.ok) hide(id)
    return result
  }

  async function answerReveal(id: string, decision: RevealDecision): Promise<Result<{ answered: boolean }>> {
    const result = await client.agentAnswerReveal({ id, decision })
    if (result.ok) hide(id)
    return result
  }

  /** Allow or deny a terminal's commands; the dialog goes once main has the answer, or the question is gone. */
  async function answerTerminal(id: string, allow: boolean): Promise<Result<{ answered: boolean }>> {
    const result = await client.agentAnswerTerminal({ id, allow })
    if (result.ok) hide(id)
    return result
  }

  /** Ends one pairing; its device is disconnected at once. */
  async function revoke(id: PairingId): Promise<Result<PairingSummary>> {
    const result = await client.pairingsRevoke({ id })
    if (result.ok) {
      pairings.value = pairings.value.map((pairing) => (pairing.id === id ? result.value : pairing))
      void loadStatus()
    }
    return result
  }

  async function revokeAll(): Promise<Result<{ ended: number }>> {
    const result = await client.pairingsRevokeAll({})
    if (result.ok) await Promise.all([loadPairings(), loadStatus()])
    return result
  }

  // SECURITY: a lock drops every question (main denies them) and what the list showed.
  function reset(): void {
    clearTimeout(timer)
    status.value = null
    statusError.value = null
    prompts.value = []
    answered.value = new Set()
    pairings.value = []
    loaded.value = false
    loadError.value = null
    network.value = null
    networkError.value = null
  }
  vault.onLocked(reset)

  return {
    status,
    statusError,
    prompts,
    pairings,
    loaded,
    loadError,
    network,
    networkError,
    pairingPrompt,
    revealPrompt,
    terminalPrompt,
    liveCount,
    watchPrompts,
    pollPrompts,
    loadStatus,
    loadPairings,
    load,
    setEnabled,
    setIdleDays,
    loadNetwork,
    setNetwork,
    qrClosed,
    answerPairing,
    answerReveal,
    answerTerminal,
    revoke,
    revokeAll,
  }
})
