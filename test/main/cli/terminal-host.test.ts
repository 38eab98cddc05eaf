import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { listing } from '../../../src-main/cli/listings'
import { cliTerminalHost, listingsOf } from '../../../src-main/cli/terminal-host'
import type { TerminalHost } from '../../../src-main/core/agent/terminals'
import { createServices, type Services } from '../../../src-main/core/services'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { eventually } from '../../support/agent'
import { FAST_KDF, PASSWORD, unlockedServices } from '../../support/vault'

/** `keyhold ARGV` run by `host` as for a terminal `columns` wide (none: a pipe); its status and standard output. */
async function ran(host: TerminalHost, argv: string[], columns?: number): Promise<{ status: number; stdout: string }> {
  const out: Buffer[] = []
  const status = await host.run({
    argv,
    cwd: '/',
    columns,
    signal: new AbortController().signal,
    write: async (fd, data) => void (fd === 1 && out.push(Buffer.from(data))),
    prompt: () => Promise.reject(new Error('nothing is asked here')),
    readLine: () => Promise.reject(new Error('nothing is read here')),
  })
  return { status, stdout: Buffer.concat(out).toString() }
}

describe("the agent's terminal host", () => {
  let services: Services
  let path: string
  let cleanup: () => void

  beforeAll(async () => {
    ;({ services, path, cleanup } = await unlockedServices())
  })
  afterAll(() => cleanup())

  it('warms the search index once per unlock however many times the agent started (one host each time)', async () => {
    const list = vi.spyOn(services.secrets, 'list')
    for (let i = 0; i < 5; i++) cliTerminalHost(services, async () => true)
    // The first host warms the open vault's index once; the others find it warmed.
    expect(list).toHaveBeenCalledTimes(1)
    services.vault.lock()
    await services.vault.locked()
    list.mockClear()
    await services.vault.unlock({ password: PASSWORD })
    expect(list).toHaveBeenCalledTimes(1)
    list.mockRestore()
  })

  it('prints the whole list from what it printed last while no secret changed; any change, a reload or a lock makes it read again; a lock wipes it', async () => {
    const host = cliTerminalHost(services, async () => true)
    await services.secrets.add({ name: 'Stripe prod', url: 'https://api.stripe.com', clientId: 'cid', identifier: 'stripe' })
    const fresh = (json = false, width?: number) => listing(services, {}, json, width)
    const reads = vi.spyOn(services.secrets, 'listOnce')
    /** The command's output, and how many times it read the list. */
    const list = async (argv: string[], columns?: number) => {
      const before = reads.mock.calls.length
      const { status, stdout } = await ran(host, argv, columns)
      expect(status).toBe(0)
      return { stdout, reads: reads.mock.calls.length - before }
    }
    try {
      const first = await list(['secret', 'list'])
      expect(first).toEqual({ stdout: await fresh(), reads: 1 })
      expect(await list(['secret', 'list'])).toEqual({ stdout: first.stdout, reads: 0 })
      // A search is never served from it.
      expect(await list(['secret', 'list', '--search', 'stripe'])).toEqual({ stdout: expect.stringContaining('Stripe prod'), reads: 1 })

      // Two forms are kept (a pipe's table, JSON, a terminal's width), the one used last longest.
      expect(await list(['--json', 'secret', 'list'])).toEqual({ stdout: await fresh(true), reads: 1 })
      expect(await list(['secret', 'list'])).toEqual({ stdout: first.stdout, reads: 0 })
      expect(await list(['secret', 'list'], 60)).toEqual({ stdout: await fresh(false, 60), reads: 1 })
      expect(await list(['secret', 'list'])).toEqual({ stdout: first.stdout, reads: 0 })
      expect(await list(['--json', 'secret', 'list'])).toMatchObject({ reads: 1 })

      // A change made elsewhere (the window): the next list reads it.
      const [stripe] = (await services.secrets.listOnce({ search: 'stripe' })).items
      await services.secrets.edit({ id: stripe!.id, name: 'Stripe renamed' })
      const renamed = await list(['secret', 'list'])
      expect(renamed).toEqual({ stdout: await fresh(), reads: 1 })
      expect(renamed.stdout).toContain('Stripe renamed')
      expect(renamed.stdout).not.toContain('Stripe prod')

      // A change made by a terminal's command: once terminals were quiet for a while, the kept
      // forms (this table, and JSON, stale since the edit) are made again, the one used last last.
      const listings = listingsOf(services)
      const before = reads.mock.calls.length
      expect((await ran(host, ['secret', 'add', '--name', 'GitHub', '--url', 'https://api.github.com', '--client-id', 'gh'])).status).toBe(0)
      expect(listings.busy).toBe(true)
      expect(reads.mock.calls.length).toBe(before)
      await eventually(() => !listings.busy, 5_000)
      expect(reads.mock.calls.length).toBe(before + 2)
      const added = await list(['secret', 'list'])
      expect(added).toEqual({ stdout: expect.stringContaining('GitHub'), reads: 0 })
      expect(added.stdout).toBe(await fresh())
      expect(await list(['--json', 'secret', 'list'])).toEqual({ stdout: await fresh(true), reads: 0 })

      // Another process saved the file, and the agent took it in: read again.
      const other = createServices({ vaultPath: path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
      await other.vault.unlock({ password: PASSWORD })
      await other.secrets.add({ name: 'Twilio', url: 'https://api.twilio.com', clientId: 'tw' })
      await other.vault.settle()
      other.vault.lock()
      expect(await services.vault.vault().refresh()).toBe(true)
      const reloaded = await list(['secret', 'list'])
      expect(reloaded).toEqual({ stdout: expect.stringContaining('Twilio'), reads: 1 })

      // Locking wipes and drops them.
      expect(listings.keptBytes).toBeGreaterThan(0)
      services.vault.lock()
      expect(listings.keptBytes).toBe(0)
      await services.vault.locked()
      await services.vault.unlock({ password: PASSWORD })
      expect(await list(['secret', 'list'])).toEqual({ stdout: reloaded.stdout, reads: 1 })
    } finally {
      reads.mockRestore()
    }
  })
})
