import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MemoryClipboard } from '../../../src-main/core/ports'
import { createServices } from '../../../src-main/core/services'
import { CORE_STOPPED, CoreHost } from '../../../src-main/worker/core-host'
import coreWorkerPath from '../../../src-main/worker/core.worker?modulePath'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { connectSocket } from '../../../src-main/core/agent/socket-transport'
import { pair, readPairingInput } from '../../../src-shared/local-access/client'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

const SECRET = { name: 'Billing API', url: 'https://billing.example.com', clientId: 'billing-client', clientSecret: 'sk_live_4f9a0c2e7b' }

/** The core in its real worker thread (built from src-main/worker/core.worker.ts), as main runs it. */
describe('CoreHost: the core in its worker thread', () => {
  let dir: ReturnType<typeof tempDir>
  let keyStore: MemoryKeyStore
  let clipboard: MemoryClipboard
  let host: CoreHost
  let locks: number
  const vaultPath = () => join(dir.dir, 'vault.keyhold')

  beforeEach(() => {
    dir = tempDir()
    keyStore = new MemoryKeyStore()
    clipboard = new MemoryClipboard()
    host = new CoreHost({ workerPath: coreWorkerPath, vaultPath: vaultPath(), keyStore, clipboard, kdf: FAST_KDF, clipboardClearMs: 60_000 })
    locks = 0
    host.onLocked(() => locks++)
  })
  afterEach(async () => {
    await host.close()
    dir.cleanup()
  })

  const create = (rememberOnDevice = false) => host.dispatch('vault:create', { password: PASSWORD, rememberOnDevice })

  it('answers the contract: validation, Results and typed errors come from the core', async () => {
    expect(await host.dispatch('vault:status', {})).toMatchObject({ ok: true, value: { state: 'absent' } })
    expect(await host.dispatch('vault:status', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(await host.dispatch('no:such-channel', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(await host.dispatch('secrets:list', {})).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
    expect(await create()).toMatchObject({ ok: true, value: { state: 'unlocked' } })
    expect(await host.dispatch('secrets:add', SECRET)).toMatchObject({ ok: true, value: { name: 'Billing API' } })
    expect(await host.dispatch('secrets:list', {})).toMatchObject({ ok: true, value: { total: 1 } })
  })

  it('serves the local access agent once unlocked: a companion pairs after the window approves, and quit removes the socket', async () => {
    let attention = 0
    await host.close()
    host = new CoreHost({ workerPath: coreWorkerPath, vaultPath: vaultPath(), keyStore, clipboard, kdf: FAST_KDF, onAttention: () => attention++ })
    await create()
    const created = (await host.dispatch('apps:create', { name: 'Phone', type: 'mobile' })) as { ok: true; value: { uri: string } }
    const status = async () => ((await host.dispatch('agent:status', {})) as { ok: true; value: { listening: boolean; endpoint: string | null } }).value
    for (let i = 0; i < 200 && !(await status()).listening; i++) await new Promise((r) => setTimeout(r, 10))
    const endpoint = (await status()).endpoint!
    expect(endpoint.startsWith(process.env.KEYHOLD_AGENT_DIR!)).toBe(true)
    const pairing = pair(await connectSocket({ folder: dirname(endpoint), socket: endpoint, info: '' }), readPairingInput(created.value.uri), {
      claim: { device: { name: 'Worker test', platform: 'linux' }, software: 'test/1', kind: 'mobile' },
    })
    let prompts: Array<{ id: string }> = []
    for (let i = 0; i < 200 && prompts.length === 0; i++) {
      prompts = ((await host.dispatch('agent:prompts', {})) as { ok: true; value: Array<{ id: string }> }).value
      if (prompts.length === 0) await new Promise((r) => setTimeout(r, 10))
    }
    expect(attention).toBeGreaterThan(0)
    await host.dispatch('agent:answer-pairing', { id: prompts[0]!.id, approved: true, scope: { secrets: 'all' }, reveal: 'ask' })
    const { session } = await pairing
    expect((await session.list()).total).toBe(0)
    await host.shutdown()
    expect(existsSync(endpoint)).toBe(false)
    await session.done
    expect(session.closed).toBe(true)
  })

  it('sets --expose-gc before it starts the core, so the worker has `gc` to free the dead cipher output of saves', async () => {
    // The flag gives `gc` to the contexts created after it is set: the worker's, and a new one
    // here. (That a worker started so can free them: crypto.test.ts.)
    await host.dispatch('vault:status', {})
    expect(runInNewContext('typeof gc')).toBe('function')
  })

  it("writes the vault file that the CLI and other processes open", async () => {
    await create()
    await host.dispatch('secrets:add', SECRET)
    await host.lock()
    const services = createServices({ vaultPath: vaultPath(), keyStore: new MemoryKeyStore() })
    await services.vault.unlock({ password: PASSWORD })
    expect((await services.secrets.list({})).items.map((s) => s.name)).toEqual(['Billing API'])
    services.vault.lock()
  })

  it("copies through main's clipboard, and takes the copy back when the vault locks", async () => {
    await create()
    const added = await host.dispatch('secrets:add', SECRET)
    const id = (added as { value: { id: string } }).value.id
    expect(await host.dispatch('secrets:copy', { id, field: 'clientSecret' })).toMatchObject({ ok: true })
    expect(await clipboard.readText()).toBe(SECRET.clientSecret)
    await host.lock()
    expect(await clipboard.readText()).toBe('')
  })

  it('leaves the clipboard alone at lock when the person copied something else since', async () => {
    await create()
    const added = await host.dispatch('secrets:add', SECRET)
    await host.dispatch('secrets:copy', { id: (added as { value: { id: string } }).value.id, field: 'clientId' })
    await clipboard.writeText('my own note')
    await host.lock()
    expect(await clipboard.readText()).toBe('my own note')
  })

  it("answers INTERNAL when main's clipboard fails, and the core goes on", async () => {
    await create()
    const added = await host.dispatch('secrets:add', SECRET)
    const id = (added as { value: { id: string } }).value.id
    clipboard.writeText = () => Promise.reject(new Error('clipboard busy'))
    expect(await host.dispatch('secrets:copy', { id, field: 'clientSecret' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    expect(await host.dispatch('secrets:list', {})).toMatchObject({ ok: true, value: { total: 1 } })
  })

  it("keeps the device key in main's keychain and unlocks with it", async () => {
    expect(await create(true)).toMatchObject({ ok: true, value: { rememberedOnDevice: true } })
    expect(keyStore.entries.size).toBe(1)
    await host.lock()
    expect(await host.dispatch('vault:unlock-with-device', {})).toMatchObject({ ok: true, value: { state: 'unlocked' } })
  })

  it('reports a failing keychain as KEYCHAIN_UNAVAILABLE, and the password still opens the vault', async () => {
    await create(true)
    await host.lock()
    keyStore.broken = true
    expect(await host.dispatch('vault:unlock-with-device', {})).toMatchObject({ ok: false, error: { code: 'KEYCHAIN_UNAVAILABLE' } })
    expect(await host.dispatch('vault:unlock', { password: PASSWORD })).toMatchObject({ ok: true, value: { state: 'unlocked' } })
  })

  it('tells main whenever the vault locks, whatever locked it', async () => {
    await create()
    expect(await host.dispatch('vault:lock', {})).toMatchObject({ ok: true, value: { state: 'locked' } })
    await vi.waitFor(() => expect(locks).toBe(1))
    await host.dispatch('vault:unlock', { password: PASSWORD })
    await host.lock()
    await vi.waitFor(() => expect(locks).toBe(2))
  })

  it('settle() waits for a save under way: the change is on disk when it resolves', async () => {
    await create()
    const before = readFileSync(vaultPath())
    const adding = host.dispatch('secrets:add', SECRET)
    await host.settle()
    expect(readFileSync(vaultPath()).equals(before)).toBe(false)
    expect(await adding).toMatchObject({ ok: true })
  })

  it('when the core thread dies: waiting requests get CORE_STOPPED, main hears the vault locked, the next request starts a fresh core', async () => {
    await create()
    // What a crash looks like from main: the thread is gone, and the keys with it. (It ends
    // itself: a terminate() landing inside an fs call aborts Node 20 itself; see CoreApi.exit.)
    const rpc = (host as unknown as { rpc: { exit(): Promise<void> } }).rpc
    const waiting = host.dispatch('secrets:add', SECRET)
    void rpc.exit().catch(() => undefined)
    expect(await waiting).toEqual(CORE_STOPPED)
    await vi.waitFor(() => expect(locks).toBe(1))
    expect(await host.dispatch('vault:status', {})).toMatchObject({ ok: true, value: { state: 'locked' } })
    expect(await host.dispatch('vault:unlock', { password: PASSWORD })).toMatchObject({ ok: true, value: { state: 'unlocked' } })
  })

  it('close() lets the core end itself (exit code 0) rather than terminating it, wherever it is in its work', async () => {
    // A fresh core reads the browsers' manifests as it starts: a terminate() landing inside one of
    // those reads aborted the whole test process once (Node 20's OpenFileHandle assertion).
    await host.close()
    host = new CoreHost({ workerPath: coreWorkerPath, vaultPath: vaultPath(), keyStore, clipboard, kdf: FAST_KDF })
    const worker = (host as unknown as { worker: { once(event: 'exit', listener: (code: number) => void): void } }).worker
    const code = new Promise<number>((resolve) => worker.once('exit', resolve))
    await host.dispatch('vault:status', {})
    // Twice (a second quit): both wait for the thread to be gone.
    let gone = false
    void code.then(() => (gone = true))
    await Promise.all([host.close(), host.close().then(() => expect(gone).toBe(true))])
    expect(await code).toBe(0)
  })

  it('answers CORE_STOPPED once closed', async () => {
    await host.close()
    expect(await host.dispatch('vault:status', {})).toEqual(CORE_STOPPED)
  })
})
