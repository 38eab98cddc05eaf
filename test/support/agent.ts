import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../../src-main/core/ports'
import { LocalAgent } from '../../src-main/core/agent/agent'
import type { Approver, PairingRequest, RevealRequest } from '../../src-main/core/agent/approvals'
import type { ConnectionTimings } from '../../src-main/core/agent/limits'
import { connectSocket } from '../../src-main/core/agent/socket-transport'
import type { Services } from '../../src-main/core/services'
import { pair, readPairingInput, type PairedIdentity, type Session } from '../../src-shared/local-access/client'
import type { DeviceClaim } from '../../src-shared/local-access/messages'
import type { PairingDecision, RevealDecision } from '../../src-shared/types/agent'
import { unlockedServices } from './vault'

/**
 * A scripted approver: each question is answered by the function set for it (approve all by
 * default), and every question is kept for assertions.
 */
export class ScriptedApprover implements Approver {
  readonly pairings: PairingRequest[] = []
  readonly reveals: RevealRequest[] = []
  unlockRequests = 0
  readonly contested: string[] = []
  onPairing: (request: PairingRequest, signal: AbortSignal) => Promise<PairingDecision> = async () => ({
    approved: true,
    scope: { secrets: 'all' },
    reveal: 'allow',
  })
  onReveal: (request: RevealRequest, signal: AbortSignal) => Promise<RevealDecision> = async () => 'once'

  approvePairing(request: PairingRequest, signal: AbortSignal): Promise<PairingDecision> {
    this.pairings.push(request)
    return this.onPairing(request, signal)
  }

  confirmReveal(request: RevealRequest, signal: AbortSignal): Promise<RevealDecision> {
    this.reveals.push(request)
    return this.onReveal(request, signal)
  }

  requestUnlock(): void {
    this.unlockRequests++
  }

  contest(appId: string): void {
    this.contested.push(appId)
  }
}

export const CLAIM: DeviceClaim = { device: { name: 'Test phone', platform: 'android' }, software: 'keyhold-test/1', kind: 'mobile' }

/** Real services, a real vault and a LocalAgent on a real Unix socket in a temp folder (mode 0700). */
export async function startAgent(options: { clock?: Clock; timings?: Partial<ConnectionTimings>; requestLimits?: boolean } = {}) {
  const base = await unlockedServices({ clock: options.clock })
  const folder = join(base.dir, 'run')
  mkdirSync(folder, { mode: 0o700 })
  chmodSync(folder, 0o700)
  const approver = new ScriptedApprover()
  const agent = new LocalAgent({
    services: base.services,
    clock: base.services.clock,
    approver,
    holder: 'app',
    software: 'keyhold/test',
    folder,
    timings: options.timings,
    requestLimits: options.requestLimits,
  })
  const endpoint = await agent.start()
  return {
    ...base,
    agent,
    approver,
    endpoint,
    connect: () => connectSocket(endpoint),
    /** Creates an application in My apps and returns its one-time create result. */
    newApp: (name = 'Phone', expiresAt: string | null = null) => base.services.apps.create({ name, type: 'mobile', expiresAt }),
    /** Pairs with the reference client, from the pairing URI. */
    pairWith: async (uri: string, claim: DeviceClaim = CLAIM): Promise<{ identity: PairedIdentity; session: Session; phrase: string }> => {
      let phrase = ''
      const { identity, session } = await pair(await connectSocket(endpoint), readPairingInput(uri), { claim, onPhrase: (p) => (phrase = p) })
      return { identity, session, phrase }
    },
    stop: async () => {
      await agent.stop()
      // Saves the agent started (a touch, an idle revoke) finish before the folder goes.
      await base.services.vault.settle()
      base.cleanup()
    },
  }
}

export type TestAgent = Awaited<ReturnType<typeof startAgent>>

export async function addSecrets(services: Services): Promise<void> {
  await services.secrets.addMany([
    { name: 'Stripe prod', url: 'https://api.stripe.com', clientId: 'stripe-id', clientSecret: 'sk_live_stripe', identifier: 'stripe', tags: ['prod', 'payments'] },
    { name: 'GitHub CI', url: 'https://api.github.com', clientId: 'gh-id', clientSecret: 'ghp_secret', identifier: 'github', tags: ['ci'] },
    { name: 'No secret', url: 'https://example.com', clientId: 'plain', tags: [] },
  ])
}

/** Resolves when `predicate` holds, polling every 10 ms, or rejects after `ms`. */
export async function eventually(predicate: () => boolean, ms = 2_000): Promise<number> {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
  return Date.now() - start
}
