import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

const bin = join(__dirname, '../../../bin/keyhold.js')

/** REF through the running agent (`--app-key`): what `secret list` shows refers to the row in `secret get`. */
describe.skipIf(process.platform === 'win32')('keyhold --app-key secret get REF', () => {
  let cleanup: () => void
  let vault: string
  let env: NodeJS.ProcessEnv
  let agent: ChildProcessWithoutNullStreams
  let key: { key: string; token: string }

  beforeAll(async () => {
    let dir: string
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'vault.keyhold')
    mkdirSync(join(dir, 'run'), { mode: 0o700 })
    env = { KEYHOLD_AGENT_DIR: join(dir, 'run') }
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const run = (args: string[], lines: string[] = []) => keyhold(['--vault', vault, '--password-stdin', ...args], [PASSWORD, ...lines].join('\n') + '\n')
    expect(run(['secret', 'add', '--name', 'GitHub CI', '--url', 'https://api.github.com', '--client-id', 'gh', '--client-secret-stdin'], ['gh_AGENT_SECRET']).status).toBe(0)
    for (const url of ['https://a.example', 'https://b.example']) expect(run(['secret', 'add', '--name', 'Twin', '--url', url, '--client-id', 't']).status).toBe(0)
    key = JSON.parse(run(['--json', 'key', 'generate', '--role', 'secrets-reader']).stdout) as { key: string; token: string }
    agent = spawn(process.execPath, [bin, '--vault', vault, '--password-stdin', 'agent'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env },
    })
    let out = ''
    agent.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    agent.stdin.write(`${PASSWORD}\n`)
    for (const end = Date.now() + 20_000; !out.includes('Serving vault') && Date.now() < end; ) await sleep(50)
    expect(out).toContain('Serving vault')
  })

  afterAll(() => {
    agent?.kill('SIGKILL')
    cleanup()
  })

  const through = (args: string[]) => keyhold(['--vault', vault, '--app-key', key.key, '--token-stdin', ...args], `${key.token}\n`, env)

  it('finds a secret by its exact name and by the start of its id that the list shows', () => {
    expect(through(['secret', 'get', 'GitHub CI', '--field', 'client-secret'])).toEqual({ status: 0, stdout: 'gh_AGENT_SECRET\n', stderr: '' })
    const listed = through(['secret', 'list']).stdout
    const ref = /\nGitHub CI\s+(\S+)\s/.exec(listed)![1]!
    expect(ref).toMatch(/^[0-9a-f]{8,}/)
    expect(through(['secret', 'get', ref, '--field', 'url']).stdout).toBe('https://api.github.com\n')
  })

  it('refuses a name two secrets have with CONFLICT, and an unknown one with NOT_FOUND', () => {
    expect(through(['secret', 'get', 'Twin']).stderr).toMatch(/^keyhold: CONFLICT: 2 API secrets are named "Twin": [0-9a-f-]{36}, [0-9a-f-]{36}\. Give the id or the Identifier/)
    expect(through(['secret', 'get', 'Nobody']).stderr).toMatch(/^keyhold: NOT_FOUND: There is no API secret with that id, Identifier or name that this key may read\./)
  })
})
