import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setClient } from '../../src-renderer/api/client'
import { PROMPT_POLL_MS, useAgentStore } from '../../src-renderer/stores/agent.store'
import { useVaultStore } from '../../src-renderer/stores/vault.store'
import type { KeyholdApi } from '../../src-shared/ipc/contract'
import { FakeAgent, FakeVault, pairingPrompt, pairingSummary } from './fake-api'

const PASSWORD = 'correct horse battery staple'
const NOW = Date.parse('2026-05-01T10:00:00Z')

describe('useAgentStore', () => {
  let fake: FakeVault
  let agent: FakeAgent

  async function start(overrides: Partial<KeyholdApi> = {}): Promise<void> {
    setClient(fake.api({ ...agent.api(), ...overrides }))
    setActivePinia(createPinia())
    await useVaultStore().unlock({ password: PASSWORD })
  }
  const polls = () => agent.inputs('agentPrompts').length

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    fake = new FakeVault().existing(PASSWORD)
    agent = new FakeAgent()
  })
  afterEach(() => vi.useRealTimers())

  it('asks for the questions at once and then every second while watched, and stops when unwatched', async () => {
    await start()
    const store = useAgentStore()
    const stop = store.watchPrompts()
    await vi.advanceTimersByTimeAsync(0)
    expect(polls()).toBe(1)
    await vi.advanceTimersByTimeAsync(3 * PROMPT_POLL_MS)
    expect(polls()).toBe(4)
    agent.prompts = [pairingPrompt()]
    await vi.advanceTimersByTimeAsync(PROMPT_POLL_MS)
    expect(store.pairingPrompt?.phrase).toBe('acorn bagel cider drum')
    stop()
    await vi.advanceTimersByTimeAsync(10 * PROMPT_POLL_MS)
    expect(polls()).toBe(5)
  })

  it('forgets the questions and stops asking when the vault locks, and asks again after the unlock', async () => {
    await start()
    const store = useAgentStore()
    agent.prompts = [pairingPrompt()]
    store.watchPrompts()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.pairingPrompt).not.toBeNull()
    await useVaultStore().lock()
    expect(store.pairingPrompt).toBeNull()
    const before = polls()
    await vi.advanceTimersByTimeAsync(5 * PROMPT_POLL_MS)
    expect(polls()).toBe(before)
    await useVaultStore().unlock({ password: PASSWORD })
    await vi.advanceTimersByTimeAsync(PROMPT_POLL_MS)
    expect(polls()).toBe(before + 1)
    expect(store.pairingPrompt).not.toBeNull()
  })

  it('does not hold back the person’s activity or the idle check: main does not count its polls as activity', async () => {
    await start()
    const vault = useVaultStore()
    useAgentStore().watchPrompts()
    // A minute of polls, then the person types: main hears of it.
    await vi.advanceTimersByTimeAsync(60_000)
    vault.activity()
    expect(fake.count('vaultActivity')).toBe(1)
    // And the renderer still asks main whether it locked itself once the idle time is over.
    const checks = fake.count('vaultStatus')
    await vi.advanceTimersByTimeAsync(fake.autoLockMs + 2_000)
    expect(fake.count('vaultStatus')).toBe(checks + 1)
  })

  it('hides a question as soon as main has the answer, and sends the scope and reveal policy chosen', async () => {
    // Main's list still has the question until its next poll: the dialog must not wait for it.
    await start({ agentAnswerPairing: async () => ({ ok: true, value: { answered: true } }) })
    const store = useAgentStore()
    agent.prompts = [pairingPrompt()]
    await store.pollPrompts()
    const id = store.pairingPrompt!.id
    const result = await store.answerPairing(id, { approved: true, scope: { secrets: 'tagged', tags: ['prod'] }, reveal: 'allow' })
    expect(result.ok).toBe(true)
    expect(store.pairingPrompt).toBeNull()
    expect(store.prompts).toHaveLength(1)
  })

  it('keeps a question whose answer failed, so the dialog stays and says why', async () => {
    await start({ agentAnswerPairing: async () => ({ ok: false, error: { code: 'INTERNAL', message: 'no' } }) })
    const store = useAgentStore()
    agent.prompts = [pairingPrompt()]
    await store.pollPrompts()
    await store.answerPairing(store.pairingPrompt!.id, { approved: false })
    expect(store.pairingPrompt).not.toBeNull()
  })

  it('shows a device to approve before a reveal question', async () => {
    await start()
    const store = useAgentStore()
    agent.prompts = [
      { id: 'r', kind: 'reveal', pairing: { id: 'p', appName: 'Work phone', deviceName: 'Pixel 8' }, secret: { id: 's', name: 'Stripe prod' }, deadline: new Date(NOW + 60_000).toISOString() },
      pairingPrompt(),
    ]
    await store.pollPrompts()
    expect(store.pairingPrompt?.kind).toBe('pairing')
    expect(store.revealPrompt?.id).toBe('r')
  })

  it('reloads the list shown in Settings when a question about a device goes away', async () => {
    await start()
    const store = useAgentStore()
    await store.loadPairings()
    expect(store.pairings).toEqual([])
    agent.prompts = [pairingPrompt()]
    await store.pollPrompts()
    agent.prompts = []
    agent.pairings = [pairingSummary()]
    await store.pollPrompts()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.pairings.map((p) => p.app.name)).toEqual(['Work phone'])
  })

  it('revokes one pairing in place, and reloads the list and the status after Revoke all', async () => {
    agent.pairings = [pairingSummary(), pairingSummary({ id: '44444444-4444-4444-8444-444444444444' as never, app: { ...pairingSummary().app, name: 'Browser' } })]
    await start()
    const store = useAgentStore()
    await store.load()
    expect(store.liveCount).toBe(2)
    await store.revoke(store.pairings[0]!.id)
    expect(store.pairings.map((p) => p.status)).toEqual(['ended', 'live'])
    const statuses = agent.inputs('agentStatus').length
    const result = await store.revokeAll()
    expect(result).toEqual({ ok: true, value: { ended: 1 } })
    expect(store.liveCount).toBe(0)
    expect(agent.inputs('agentStatus').length).toBeGreaterThan(statuses)
  })
})
