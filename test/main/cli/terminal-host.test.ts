import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { cliTerminalHost } from '../../../src-main/cli/terminal-host'
import type { Services } from '../../../src-main/core/services'
import { PASSWORD, unlockedServices } from '../../support/vault'

describe("the agent's terminal host", () => {
  let services: Services
  let cleanup: () => void

  beforeAll(async () => {
    ;({ services, cleanup } = await unlockedServices())
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
})
