import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectNetwork } from '../../../src-main/core/agent/network/network-transport'
import { pair, readPairingInput } from '../../../src-shared/local-access/client'
import { CLAIM } from '../../support/agent'
import { initVault, keyhold } from '../../support/cli'
import { tempDir } from '../../support/vault'

const bin = join(__dirname, '../../../bin/keyhold.js')
const PASSWORD = 'phones test password'

describe('keyhold agent --phones: a phone pairs over the network with a key made by `keyhold app new` in another process', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  let env: NodeJS.ProcessEnv
  let agent: ReturnType<typeof spawn>
  let out = ''
  let err = ''

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'vault.keyhold')
    mkdirSync(join(dir, 'run'), { mode: 0o700 })
    env = { KEYHOLD_AGENT_DIR: join(dir, 'run') }
    expect(initVault(vault, PASSWORD).status).toBe(0)
    expect(keyhold(['--vault', vault, '--password-stdin', 'secret', 'add', '--name', 'Stripe prod', '--url', 'https://api.stripe.com', '--client-id', 'stripe-id'], `${PASSWORD}\n`).status).toBe(0)
    agent = spawn(process.execPath, [bin, '--vault', vault, '--password-stdin', '--json', 'agent', '--phones-address', '127.0.0.1'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
    agent.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
    agent.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
    agent.stdin!.write(`${PASSWORD}\n`)
    for (let i = 0; i < 500 && !out.includes('"phones"'); i++) await new Promise((r) => setTimeout(r, 20))
  })
  afterAll(() => {
    agent?.kill('SIGKILL')
    cleanup()
  })

  it('the agent prints where phones reach it; the QR code of a new Mobile app key carries that address and fingerprint; the phone pairs, approved on the terminal', async () => {
    const started = JSON.parse(out) as { phones: { hosts: string[]; fp: string } }
    expect(started.phones).toEqual({ hosts: [expect.stringMatching(/^127\.0\.0\.1:\d+$/)], fp: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    const created = JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'app', 'new', '--name', 'Phone', '--type', 'mobile'], `${PASSWORD}\n`, env).stdout) as {
      uri: string
      network: { hosts: string[]; fingerprint: string }
    }
    expect(created.network).toEqual({ hosts: started.phones.hosts, fingerprint: started.phones.fp })
    const input = readPairingInput(created.uri)
    expect(input.network).toEqual(created.network)
    // The agent reads what another process saved within its 250 ms re-check.
    await new Promise((r) => setTimeout(r, 600))
    const pairing = pair(await connectNetwork(input.network!), input, { claim: CLAIM })
    for (let i = 0; i < 250 && !/Check phrase/.test(err); i++) await new Promise((r) => setTimeout(r, 20))
    expect(err).toMatch(/Pairing request for "Phone" \(Mobile app\)/)
    agent.stdin!.write('all\n')
    const { session } = await pairing
    expect((await session.list()).items.map((s) => s.name)).toEqual(['Stripe prod'])
    session.close()
  })

  it('refuses a --phones-address that is not private or loopback, or not this computer\'s', () => {
    const publicAddress = keyhold(['--vault', vault, '--password-stdin', 'agent', '--phones-address', '8.8.8.8'], `${PASSWORD}\n`, { KEYHOLD_AGENT_DIR: join(dir, 'other') })
    expect(publicAddress).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INVALID_INPUT: --phones-address 8\.8\.8\.8 is not a private or loopback IP address\./) })
    const scoped = keyhold(['--vault', vault, '--password-stdin', 'agent', '--phones-address', 'fc00::1%eth0'], `${PASSWORD}\n`, { KEYHOLD_AGENT_DIR: join(dir, 'other') })
    expect(scoped).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INVALID_INPUT: --phones-address fc00::1%eth0 is not a private/) })
  })
})
