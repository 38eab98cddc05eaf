import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CompanionError, type PairedIdentity } from '../../src-shared/local-access/client'
import { REFUSAL } from '../../src-shared/local-access/messages'
import type { PairingDecision } from '../../src-shared/types/agent'
import { PairingJob } from '../../extension/src/pairing-job'
import type { PairingProgress } from '../../extension/src/pairing-progress'
import { openRelay } from '../../extension/src/relay'
import { startAgent, type TestAgent } from '../support/agent'
import { PASSWORD } from '../support/vault'
import { agentPort } from './fake-port'

const CLAIM = { device: { name: 'Chromium on Linux', platform: 'chrome' as const }, software: 'keyhold-extension/0.1.0', kind: 'extension' as const }

describe('PairingJob: one pairing from the code to the approval, in the background worker', () => {
  let t: TestAgent
  let saved: PairedIdentity[]
  let seen: PairingProgress[]
  let job: PairingJob

  beforeEach(async () => {
    t = await startAgent()
    saved = []
    seen = []
    job = new PairingJob({ openRelay: (vault) => openRelay(agentPort(t), vault), claim: CLAIM, save: async (identity) => void saved.push(identity) })
    job.subscribe((progress) => seen.push(progress))
  })
  afterEach(() => t.stop())

  const newKey = () => t.services.apps.create({ name: 'Work browser', type: 'extension', expiresAt: null })
  const phases = () => seen.map((p) => p.phase)
  const settled = () => expect.poll(() => job.progress.phase).toMatch(/approved|failed/)
  /** The person's answer, given when the test says so. */
  function heldApproval() {
    let answer: (decision: PairingDecision) => void = () => {}
    t.approver.onPairing = () => new Promise((resolve) => (answer = resolve))
    return (decision: PairingDecision) => answer(decision)
  }

  it('connecting, the check phrase Keyhold also shows, waiting, approved: the identity is saved and the popup told', async () => {
    const approve = heldApproval()
    expect(job.start({ code: (await newKey()).code })).toBe(true)
    await expect.poll(() => job.progress).toMatchObject({ phase: 'phrase', waiting: true, app: { name: 'Work browser', type: 'extension' } })
    expect(job.start({ code: (await newKey()).code })).toBe(false)
    expect(t.approver.pairings[0]!.claim).toEqual(CLAIM)
    expect((job.progress as { phrase: string }).phrase).toBe(t.approver.pairings[0]!.phrase)
    approve({ approved: true, scope: { secrets: 'all' }, reveal: 'ask' })
    await settled()
    expect(job.progress).toEqual({ phase: 'approved', app: { name: 'Work browser', type: 'extension' } })
    expect(phases()).toEqual(['connecting', 'phrase', 'phrase', 'approved'])
    expect(saved).toHaveLength(1)
    expect(saved[0]!.pairing.app.name).toBe('Work browser')
    job.acknowledge()
    expect(job.progress).toEqual({ phase: 'idle' })
  })

  it("a key the vault does not know: Keyhold's uniform refusal, nothing saved", async () => {
    job.start({ code: '0CTP-Q855-ZXR2-GSR3-3975-SKS6-5054' })
    await settled()
    expect(job.progress).toEqual({ phase: 'failed', code: 'FORBIDDEN', message: REFUSAL.pair })
    expect(saved).toEqual([])
  })

  it('denied on the computer: says the key is used up', async () => {
    t.approver.onPairing = async () => ({ approved: false })
    job.start({ code: (await newKey()).code })
    await settled()
    expect(job.progress).toMatchObject({ phase: 'failed', code: 'FORBIDDEN', message: expect.stringMatching(/^The pairing was denied on the computer\. The key is used up/) })
  })

  it("Keyhold not running: the host's AGENT_NOT_RUNNING, for the popup's own screen", async () => {
    const down = new PairingJob({ openRelay: async () => Promise.reject(new CompanionError('AGENT_NOT_RUNNING', 'Keyhold is not running.')), claim: CLAIM, save: async () => {} })
    down.start({ code: (await newKey()).code })
    await expect.poll(() => down.progress).toEqual({ phase: 'failed', code: 'AGENT_NOT_RUNNING', message: 'Keyhold is not running.' })
  })

  it('Cancel while Keyhold asks: back to idle at once, the connection closed, and Keyhold uses the key up', async () => {
    heldApproval()
    const key = await newKey()
    job.start({ code: key.code })
    await expect.poll(() => job.progress).toMatchObject({ phase: 'phrase', waiting: true })
    job.cancel()
    expect(job.progress).toEqual({ phase: 'idle' })
    await expect.poll(() => t.services.apps.list('all').find((a) => a.id === key.app.id)?.status).toBe('revoked')
    await new Promise((r) => setTimeout(r, 50))
    expect(job.progress).toEqual({ phase: 'idle' })
    expect(saved).toEqual([])
  })

  it('a locked Keyhold: the popup is told, may ask for the unlock screen, and pairing goes on after unlock', async () => {
    const key = await newKey()
    t.services.vault.lock()
    job.start({ code: key.code })
    await expect.poll(() => job.progress).toEqual({ phase: 'locked', unlockAsked: false })
    job.requestUnlock()
    expect(job.progress).toEqual({ phase: 'locked', unlockAsked: true })
    await expect.poll(() => t.approver.unlockRequests).toBe(1)
    await t.services.vault.unlock({ password: PASSWORD })
    await settled()
    expect(job.progress.phase).toBe('approved')
  })
})
