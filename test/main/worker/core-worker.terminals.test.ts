import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryClipboard } from '../../../src-main/core/ports'
import { CoreHost } from '../../../src-main/worker/core-host'
import coreWorkerPath from '../../../src-main/worker/core.worker?modulePath'
import type { AgentPrompt } from '../../../src-shared/types/agent'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { startKeyhold } from '../../support/cli'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

/**
 * The core in its real worker thread, as Electron's main runs it: the worker gives the agent the
 * CLI's commands for terminals (core.worker.ts), and the window allows each terminal.
 */
describe('the app’s core thread serves terminals once the window allows them', () => {
  let dir: ReturnType<typeof tempDir>
  let host: CoreHost
  let attention: number
  const vaultPath = () => join(dir.dir, 'vault.keyhold')

  beforeEach(() => {
    dir = tempDir()
    attention = 0
    host = new CoreHost({ workerPath: coreWorkerPath, vaultPath: vaultPath(), keyStore: new MemoryKeyStore(), clipboard: new MemoryClipboard(), kdf: FAST_KDF, onAttention: () => attention++ })
  })
  afterEach(async () => {
    await host.close()
    dir.cleanup()
  })

  /** Polls `channel` every 10 ms (as the window polls) until `done` holds of its value. */
  async function pollFor<T>(channel: string, done: (value: T) => boolean): Promise<T> {
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
      const result = await host.dispatch(channel, {})
      if (result.ok && done(result.value as T)) return result.value as T
    }
    throw new Error(`${channel} did not get there within 10 s`)
  }

  it('a terminal is asked for in the window (bringing it forward); allowed, its command runs in the worker on the unlocked vault', async () => {
    await host.dispatch('vault:create', { password: PASSWORD, rememberOnDevice: false })
    await host.dispatch('secrets:add', { name: 'Billing API', url: 'https://billing.example.com', clientId: 'billing-client', clientSecret: 'sk_live_4f9a0c2e7b', identifier: 'billing' })
    const { endpoint } = await pollFor<{ listening: boolean; endpoint: string }>('agent:status', (status) => status.listening)

    const terminal = startKeyhold(['--vault', vaultPath(), 'secret', 'get', 'billing', '--field', 'client-secret'], { KEYHOLD_AGENT_DIR: dirname(endpoint) })
    terminal.child.stdin.end()
    const [prompt] = await pollFor<AgentPrompt[]>('agent:prompts', (prompts) => prompts.length > 0)
    expect(prompt).toMatchObject({ kind: 'terminal', claim: { command: `keyhold --vault ${vaultPath()} secret get billing --field client-secret`, pid: terminal.child.pid } })
    expect(attention).toBeGreaterThan(0)
    expect(await host.dispatch('agent:answer-terminal', { id: prompt!.id, allow: true })).toEqual({ ok: true, value: { answered: true } })
    const status = await terminal.exited
    expect({ status, stdout: terminal.out(), stderr: terminal.err() }).toEqual({ status: 0, stdout: 'sk_live_4f9a0c2e7b\n', stderr: '' })
  })
})
