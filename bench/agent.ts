/**
 * The local access agent under `npm run bench` (measure.ts `agent N`): the agent on a real
 * Unix socket over the benchmark vault, and the reference client in the same process (so
 * every number includes both sides' crypto, on one thread). Request rates are measured with
 * the agent's request limits lifted: they say what the agent can serve, not what it allows
 * (20 requests/s per connection).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalAgent } from '../src-main/core/agent/agent'
import { ensureTlsIdentity } from '../src-main/core/agent/network/certificate'
import { connectNetwork } from '../src-main/core/agent/network/network-transport'
import { connectSocket } from '../src-main/core/agent/socket-transport'
import type { Services } from '../src-main/core/services'
import { openSession, pair, readPairingInput, type Session } from '../src-shared/local-access/client'
import { median } from './stats'

const CLAIM = { device: { name: 'bench', platform: 'linux' as const }, software: 'keyhold-bench/1', kind: 'cli' as const }

/** Requests per second over `ms`, with `inFlight` requests outstanding at a time on one session. */
async function rate(session: Session, ms: number, inFlight: number, request: () => Promise<unknown>): Promise<number> {
  let done = 0
  const end = performance.now() + ms
  const start = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await request()
        done++
      }
    }),
  )
  return done / ((performance.now() - start) / 1000)
}

export async function agentBench(services: Services, runs: number) {
  const folder = mkdtempSync(join(tmpdir(), 'keyhold-bench-agent-'))
  chmodSync(folder, 0o700)
  const agent = new LocalAgent({
    services,
    clock: services.clock,
    approver: { approvePairing: async () => ({ approved: true, scope: { secrets: 'all' }, reveal: 'allow' }), confirmReveal: async () => 'once', requestUnlock: () => undefined },
    holder: 'agent',
    software: 'keyhold/bench',
    folder,
    requestLimits: false,
  })
  const endpoint = await agent.start()
  try {
    const handshake: number[] = []
    const paired: number[] = []
    let identity
    for (let r = 0; r < runs; r++) {
      const created = await services.apps.create({ name: `bench ${r}`, type: 'mobile' })
      const start = performance.now()
      const result = await pair(await connectSocket(endpoint), readPairingInput(created.uri), {
        claim: CLAIM,
        onPhrase: () => handshake.push(performance.now() - start),
      })
      paired.push(performance.now() - start)
      identity = result.identity
      result.session.close()
    }
    const ik: number[] = []
    for (let r = 0; r < runs * 4; r++) {
      const start = performance.now()
      const session = await openSession(await connectSocket(endpoint), identity!)
      await session.ping()
      ik.push(performance.now() - start)
      session.close()
    }
    const session = await openSession(await connectSocket(endpoint), identity!)
    const first = await session.list({ limit: 50 })
    const id = first.items[0]!.id
    const result = {
      pairHandshakeMs: median(handshake),
      pairUntilApprovedMs: median(paired),
      sessionHandshakeMs: median(ik),
      listPerSecond: await rate(session, 2_000, 1, () => session.list({ limit: 50 })),
      getPerSecond: await rate(session, 2_000, 1, () => session.get(id)),
      getPerSecond8: await rate(session, 2_000, 8, () => session.get(id)),
    }
    // The same with the activity log's recording switched off (this process only): its cost.
    const record = services.activity.record.bind(services.activity)
    services.activity.record = () => undefined
    const unlogged = {
      getPerSecondUnlogged: await rate(session, 2_000, 1, () => session.get(id)),
      getPerSecond8Unlogged: await rate(session, 2_000, 8, () => session.get(id)),
    }
    services.activity.record = record
    Object.assign(result, unlogged)
    session.close()

    // The same over the phones' endpoint: WebSocket on TLS 1.3 on 127.0.0.1, the pin checked each time.
    const tls = await ensureTlsIdentity(services.vault.vault())
    const { port } = await agent.startNetwork({ identity: tls, addresses: ['127.0.0.1'], port: null })
    const network = { hosts: [`127.0.0.1:${port}`], fingerprint: tls.fingerprint }
    const tlsPaired: number[] = []
    let phone
    for (let r = 0; r < runs; r++) {
      const created = await services.apps.create({ name: `bench phone ${r}`, type: 'mobile' })
      const start = performance.now()
      const result = await pair(await connectNetwork(network), { ...readPairingInput(created.uri), network }, { claim: { ...CLAIM, kind: 'mobile' } })
      tlsPaired.push(performance.now() - start)
      phone = result.identity
      result.session.close()
    }
    const tlsSession: number[] = []
    for (let r = 0; r < runs * 4; r++) {
      const start = performance.now()
      const opened = await openSession(await connectNetwork(network), phone!)
      await opened.ping()
      tlsSession.push(performance.now() - start)
      opened.close()
    }
    const overTls = await openSession(await connectNetwork(network), phone!)
    const tlsResult = {
      tlsPairUntilApprovedMs: median(tlsPaired),
      tlsSessionHandshakeMs: median(tlsSession),
      tlsListPerSecond: await rate(overTls, 2_000, 1, () => overTls.list({ limit: 50 })),
      tlsGetPerSecond: await rate(overTls, 2_000, 1, () => overTls.get(id)),
      tlsGetPerSecond8: await rate(overTls, 2_000, 8, () => overTls.get(id)),
    }
    overTls.close()
    return { ...(result as typeof result & typeof unlogged), ...tlsResult }
  } finally {
    await agent.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}
