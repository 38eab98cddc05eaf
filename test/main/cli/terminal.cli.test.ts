import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliTerminalHost } from '../../../src-main/cli/terminal-host'
import { REFUSAL } from '../../../src-shared/local-access/messages'
import type { ActivityEntry } from '../../../src-shared/types/activity'
import { startAgent, type TestAgent } from '../../support/agent'
import { initVault, keyhold, refusedTerminal, startKeyhold, until, type RunningKeyhold } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

const bin = join(__dirname, '../../../bin/keyhold.js')

/** Unlock once (docs/terminal-sessions.md): commands run in the agent that holds the vault unlocked. */
describe('unlock once: keyhold agent, status, --no-agent, unlock and lock (real processes, real socket)', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  let env: NodeJS.ProcessEnv
  let agent: RunningKeyhold | undefined
  /** `keyhold --vault V ARGS` with `input` on stdin (not a terminal), as a script runs it. */
  const run = (args: string[], input = '') => keyhold(['--vault', vault, ...args], input, env)
  const unlocks = () => (JSON.parse(run(['--json', 'audit', 'list', '--event', 'vault.unlocked', '--limit', '500']).stdout) as ActivityEntry[]).length

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'vault.keyhold')
    const folder = join(dir, 'run')
    mkdirSync(folder, { mode: 0o700 })
    env = { KEYHOLD_AGENT_DIR: folder }
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const added = run(['--password-stdin', 'secret', 'add', '--name', 'Stripe prod', '--url', 'https://api.stripe.com', '--client-id', 'cid', '--identifier', 'stripe', '--client-secret-stdin'], `${PASSWORD}\nsk_live_once\n`)
    expect(added.status).toBe(0)
  })
  afterAll(async () => {
    agent?.child.kill('SIGKILL')
    run(['lock'])
    cleanup()
  })

  it('without an agent, status says commands open the vault file, and a command without a password is refused as before', () => {
    expect(run(['status'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/Held by {4}nothing: no Keyhold app or keyhold agent has it open\nCommands {3}open the vault file with the master password, because neither the Keyhold app nor keyhold agent holds this vault\n$/) })
    expect(run(['secret', 'list'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no terminal to ask for secrets on/) })
  })

  it('with keyhold agent unlocked, commands need no password and unlock nothing: one vault.unlocked for many commands, each by the CLI', async () => {
    agent = startKeyhold(['--vault', vault, '--password-stdin', 'agent'], env, `${PASSWORD}\n`)
    await until(() => agent!.out().includes('Serving vault'))
    expect(JSON.parse(run(['--json', 'status']).stdout)).toMatchObject({ agent: { holder: 'agent', unlocked: true }, commands: 'agent' })
    const before = unlocks()
    expect(run(['secret', 'list'])).toMatchObject({ status: 0, stderr: '', stdout: expect.stringContaining('Stripe prod') })
    expect(run(['secret', 'get', 'stripe', '--field', 'client-secret'])).toMatchObject({ status: 0, stdout: 'sk_live_once\n' })
    // A script that still sends the password keeps working, and a wrong one fails as it would on the file.
    expect(run(['--password-stdin', 'secret', 'get', 'stripe', '--field', 'client-id'], `${PASSWORD}\n`)).toMatchObject({ status: 0, stdout: 'cid\n' })
    expect(run(['--password-stdin', 'secret', 'get', 'stripe', '--field', 'client-id'], 'not even the password\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: WRONG_PASSWORD: /) })
    // The program's options count wherever they are: --no-agent after the command, another --vault.
    expect(run(['secret', 'list', '--no-agent'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no terminal to ask for secrets on/) })
    copyFileSync(vault, join(dir, 'copy.keyhold'))
    // A copy of the vault (same id, another file) is opened as a file, not answered by the live vault's agent.
    expect(keyhold(['--vault', join(dir, 'copy.keyhold'), 'secret', 'get', 'stripe', '--field', 'client-id'], '', env)).toMatchObject({ status: 2, stderr: expect.stringMatching(/no terminal to ask for secrets on/) })
    expect(JSON.parse(keyhold(['--vault', join(dir, 'copy.keyhold'), '--json', 'status'], '', env).stdout)).toMatchObject({ commands: 'vault file', why: 'other-file' })
    expect(run(['key', '--vault', vault, 'generate', '--role', 'secrets-reader'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no terminal to ask for secrets on/) })
    // Standard input still reaches the command, a line at a time.
    expect(run(['--password-stdin', 'secret', 'edit', 'stripe', '--client-secret-stdin'], `${PASSWORD}\nsk_live_twice\n`)).toMatchObject({ status: 0 })
    expect(run(['secret', 'get', 'stripe', '--field', 'client-secret']).stdout).toBe('sk_live_twice\n')
    // A usage error and a refusal read as they do without the agent.
    expect(run(['--password-stdin', 'secret', 'edit', 'stripe', '--client-secret-stdin'], `${PASSWORD}\n`)).toMatchObject({ status: 2, stderr: 'keyhold: usage: expected the client secret on line 2 of standard input\n' })
    expect(run(['secret', 'get', 'nope'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: NOT_FOUND: There is no API secret/) })
    // run and inject resolve their references in the agent: no password either.
    expect(run(['run', '--no-masking', '--env', 'K=keyhold://stripe/client-secret', '--', 'sh', '-c', 'echo "$K"'])).toMatchObject({ status: 0, stdout: 'sk_live_twice\n' })
    expect(run(['run', '--env', 'K=keyhold://gone/client-secret', '--', 'true'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: NOT_FOUND: A reference does not resolve, so nothing was run or written\. --env K: keyhold:\/\/gone\/client-secret/) })
    writeFileSync(join(dir, 'app.tpl'), 'key: {{ keyhold://stripe/client-id }}\n')
    expect(run(['inject', '-i', join(dir, 'app.tpl')])).toMatchObject({ status: 0, stdout: 'key: cid\n' })
    // Exporting secrets or managing keys confirms the master password in the agent too, as opening the file would.
    expect(run(['secret', 'export', '--format', 'json'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no terminal to ask for secrets on/) })
    expect(run(['--password-stdin', 'secret', 'export', '--format', 'json'], 'not the password\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: WRONG_PASSWORD: /) })
    const exported = run(['--password-stdin', 'secret', 'export', '--format', 'json'], `${PASSWORD}\n`)
    expect(exported.status).toBe(0)
    expect(exported.stdout).toContain('sk_live_twice')
    expect(run(['--password-stdin', '--json', 'key', 'generate', '--role', 'secrets-reader'], `${PASSWORD}\n`)).toMatchObject({ status: 0, stdout: expect.stringContaining('"token"') })
    // No unlock happened for any of them (a KDF would have been an unlock, recorded or journaled).
    expect(unlocks()).toBe(before)
    const reveals = JSON.parse(run(['--json', 'audit', 'list', '--event', 'secret.revealed']).stdout) as ActivityEntry[]
    expect(reveals[0]).toMatchObject({ actor: { type: 'cli' }, target: { name: 'Stripe prod' } })
  })

  it('relative paths are the terminal folder\'s; output larger than the connection\'s 1 MiB bound arrives whole', () => {
    const rows = Array.from({ length: 4_000 }, (_, i) => ({ name: `Service ${i} ${'x'.repeat(80)}`, url: `https://api.example.com/${i}`, clientId: `client-${i}-${'y'.repeat(100)}` }))
    writeFileSync(join(dir, 'many.json'), JSON.stringify(rows))
    const imported = spawnSync(process.execPath, [bin, '--vault', vault, 'secret', 'import', 'many.json'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
    expect(imported).toMatchObject({ status: 0, stdout: expect.stringMatching(/Imported 4,?000 API secrets/) })
    const exported = spawnSync(process.execPath, [bin, '--vault', vault, 'audit', 'export', '--format', 'csv', '--out', 'log.csv'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
    expect(exported.status).toBe(0)
    expect(readFileSync(join(dir, 'log.csv'), 'utf8')).toMatch(/^"Seq","Time","Event"/)
    const viaAgent = run(['--json', 'secret', 'list'])
    const viaFile = run(['--no-agent', '--password-stdin', '--json', 'secret', 'list'], `${PASSWORD}\n`)
    expect(viaAgent.stdout.length).toBeGreaterThan(1024 * 1024)
    expect(viaAgent.stdout).toBe(viaFile.stdout)
  })

  it("searches in the agent find what the file finds, after changes made through the agent (the agent's search index keeps up)", () => {
    const both = (args: string[]) => {
      const viaAgent = run(args)
      expect(viaAgent).toMatchObject({ status: 0, stderr: '' })
      expect(viaAgent.stdout).toBe(run(['--no-agent', '--password-stdin', ...args], `${PASSWORD}\n`).stdout)
      return viaAgent.stdout
    }
    expect(both(['--json', 'secret', 'list', '--search', 'service 3999'])).toContain('Service 3999 ')
    expect(run(['secret', 'edit', 'Stripe prod', '--name', 'Stripe renamed', '--tag', 'payments'])).toMatchObject({ status: 0 })
    expect(JSON.parse(both(['--json', 'secret', 'list', '--search', 'stripe renamed']))).toHaveLength(1)
    expect(JSON.parse(both(['--json', 'secret', 'list', '--search', 'stripe prod']))).toHaveLength(0)
    expect(JSON.parse(both(['--json', 'secret', 'list', '--tag', 'payments']))).toMatchObject([{ name: 'Stripe renamed' }])
    expect(run(['secret', 'edit', 'Stripe renamed', '--name', 'Stripe prod', '--tag', ''])).toMatchObject({ status: 0 })
    expect(JSON.parse(both(['--json', 'secret', 'list', '--search', 'stripe prod']))).toHaveLength(1)
  })

  it('the fast path alone (out/cli/keyhold-fast.cjs and keyhold-session.cjs) relays a command the agent runs; the rest need the whole CLI', () => {
    const root = join(__dirname, '../../..')
    // They load neither the vault engine's native and WebAssembly parts nor the commands; the routing loads no schema library either.
    for (const bundle of ['keyhold-fast.cjs', 'keyhold-session.cjs']) {
      const code = readFileSync(join(root, 'out/cli', bundle), 'utf8')
      for (const heavy of ['@node-rs/argon2', 'sql-wasm', 'keytar', 'commander']) expect(code.includes(heavy), `${bundle} has ${heavy}`).toBe(false)
    }
    expect(readFileSync(join(root, 'out/cli/keyhold-fast.cjs')).length).toBeLessThan(64 * 1024)
    // The session uses Node's X25519 and ciphers: noble's modules (which build their curves on load) stay out of it.
    const session = readFileSync(join(root, 'out/cli/keyhold-session.cjs'), 'utf8')
    for (const noble of ['montgomery', 'chacha20poly1305', 'twistedEdwards']) expect(session.includes(noble), `keyhold-session.cjs has noble's ${noble}`).toBe(false)
    // A copy of bin/keyhold.js with the fast bundle and without the whole CLI.
    const copy = join(dir, 'fast-only')
    mkdirSync(join(copy, 'bin'), { recursive: true })
    mkdirSync(join(copy, 'out/cli'), { recursive: true })
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir')
    copyFileSync(bin, join(copy, 'bin/keyhold.js'))
    for (const file of ['keyhold-fast.cjs', 'keyhold-fast.cjs.cache', 'keyhold-session.cjs', 'keyhold-session.cjs.cache']) copyFileSync(join(root, 'out/cli', file), join(copy, 'out/cli', file))
    const fastOnly = (args: string[]) =>
      spawnSync(process.execPath, [join(copy, 'bin/keyhold.js'), '--vault', vault, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
    expect(fastOnly(['secret', 'get', 'stripe', '--field', 'client-id'])).toMatchObject({ status: 0, stdout: 'cid\n', stderr: '' })
    expect(fastOnly(['secret', 'get', 'nope'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: NOT_FOUND: There is no API secret/) })
    // Not served by the agent: the whole CLI runs it, and this copy has none.
    expect(fastOnly(['generate'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INTERNAL: the CLI is not built yet/) })
    expect(fastOnly(['--no-agent', 'secret', 'list'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INTERNAL: the CLI is not built yet/) })
    // Without its session bundle the fast path gives the command to the whole CLI, rather than crash.
    rmSync(join(copy, 'out/cli/keyhold-session.cjs'))
    expect(fastOnly(['secret', 'get', 'stripe', '--field', 'client-id'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INTERNAL: the CLI is not built yet/) })
  })

  it('a locked agent: VAULT_LOCKED when there is no way to give the password; --password-stdin opens the file', () => {
    expect(run(['lock'])).toMatchObject({ status: 0, stdout: 'Locked in keyhold agent.\n' })
    expect(JSON.parse(run(['--json', 'status']).stdout)).toMatchObject({ agent: { unlocked: false }, commands: 'vault file', why: 'locked' })
    expect(run(['secret', 'list'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: VAULT_LOCKED: Keyhold holds this vault but has it locked\./) })
    expect(run(['--password-stdin', 'secret', 'get', 'stripe', '--field', 'client-id'], `${PASSWORD}\n`)).toMatchObject({ status: 0, stdout: 'cid\n' })
    // unlock names what holds it locked: this foreground keyhold agent, not the app.
    expect(run(['--password-stdin', 'unlock'], `${PASSWORD}\n`)).toMatchObject({ status: 1, stderr: `keyhold: CONFLICT: keyhold agent (pid ${agent!.child.pid}) holds this vault and has it locked. Stop it (Ctrl+C where it runs), then run \`keyhold unlock\` again.\n` })
  })

  it('unlock starts keyhold agent in the background (a wrong password says so); lock stops it', async () => {
    agent!.child.kill('SIGTERM')
    await agent!.exited
    agent = undefined
    expect(run(['--password-stdin', 'unlock'], 'not the password\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: AGENT_NOT_RUNNING: The background agent did not start: WRONG_PASSWORD: /) })
    const unlocked = run(['--password-stdin', 'unlock', '--lock-after', '5'], `${PASSWORD}\n`)
    expect(unlocked).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Unlocked\. keyhold agent \(pid \d+\) holds the vault until 5 minutes without a command, or `keyhold lock`\.\n$/) })
    expect(run(['--password-stdin', 'unlock'], `${PASSWORD}\n`).stdout).toMatch(/^Already unlocked by keyhold agent/)
    expect(run(['secret', 'get', 'stripe', '--field', 'client-id'])).toMatchObject({ status: 0, stdout: 'cid\n' })
    expect(run(['lock'])).toMatchObject({ status: 0, stdout: 'Locked in keyhold agent.\n' })
    const pid = Number(/pid (\d+)/.exec(unlocked.stdout)![1])
    await until(() => {
      try {
        process.kill(pid, 0)
        return false
      } catch {
        return true
      }
    })
    expect(run(['lock'])).toMatchObject({ status: 0, stdout: 'Nothing holds this vault unlocked.\n' })
  })
})

/** The app's side: it asks the person once per terminal; the grant lasts while used, and ends at lock. */
describe('terminals of an agent that asks (as the app does)', () => {
  let t: TestAgent
  let asking: { stop(): Promise<void> }
  const asked: string[] = []
  let answer = false
  /** Spawned without waiting (the agent runs in this process): its status and output once it exits. */
  const run = async (args: string[]) => {
    const child = startKeyhold(['--vault', t.path, ...args], { KEYHOLD_AGENT_DIR: t.endpoint.folder })
    child.child.stdin.end()
    const status = await child.exited
    return { status, stdout: child.out(), stderr: child.err() }
  }

  beforeAll(async () => {
    t = await startAgent()
    await t.services.secrets.add({ name: 'GitHub', url: 'https://api.github.com', clientId: 'gh', clientSecret: 'ghp_once', identifier: 'github', tags: [] })
    // The same agent, serving terminals through the CLI's own commands, with a person who answers `answer`.
    await t.agent.stop()
    const { LocalAgent } = await import('../../../src-main/core/agent/agent')
    const agent = new LocalAgent({
      services: t.services,
      clock: t.services.clock,
      approver: t.approver,
      holder: 'app',
      software: 'keyhold/test',
      folder: t.endpoint.folder,
      terminals: cliTerminalHost(t.services, async (claim) => {
        asked.push(claim.command)
        return answer
      }),
    })
    await agent.start()
    asking = agent
  })
  afterAll(async () => {
    await asking.stop()
    await t.stop()
  })

  it('asks with the command; a denied terminal is refused with FORBIDDEN and nothing runs', async () => {
    answer = false
    expect(await run(['secret', 'get', 'github', '--field', 'client-secret'])).toEqual({ status: 1, stdout: '', stderr: refusedTerminal(REFUSAL.terminal) })
    expect(asked).toEqual([`keyhold --vault ${t.path} secret get github --field client-secret`])
    // The command travels with the claim (one round trip less); refused, the agent never reads it.
    const add = ['secret', 'add', '--name', 'Never added', '--url', 'https://api.example.com', '--client-id', 'c']
    expect(await run(add)).toEqual({ status: 1, stdout: '', stderr: refusedTerminal(REFUSAL.terminal) })
    expect(asked).toHaveLength(2)
    expect(t.services.secrets.count()).toBe(1)
  })

  it('allowed once, the same terminal is not asked again until the vault locks', async () => {
    answer = true
    asked.length = 0
    expect(await run(['secret', 'get', 'github', '--field', 'client-secret'])).toMatchObject({ status: 0, stdout: 'ghp_once\n' })
    expect(await run(['secret', 'list'])).toMatchObject({ status: 0 })
    expect(asked).toHaveLength(1)
    t.services.vault.lock()
    await t.services.vault.locked()
    await t.services.vault.unlock({ password: PASSWORD })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await run(['secret', 'list'])).toMatchObject({ status: 0 })
    expect(asked).toHaveLength(2)
  })
})

describe('keyhold agent --ask: each new terminal is asked about on the agent\'s own terminal (real processes)', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  let env: NodeJS.ProcessEnv
  let agent: RunningKeyhold

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'ask.keyhold')
    mkdirSync(join(dir, 'run'), { mode: 0o700 })
    env = { KEYHOLD_AGENT_DIR: join(dir, 'run') }
    expect(initVault(vault, PASSWORD).status).toBe(0)
    agent = startKeyhold(['--vault', vault, '--password-stdin', 'agent', '--ask'], env, `${PASSWORD}\n`)
    await until(() => agent.out().includes('Serving vault'))
  })
  afterAll(() => {
    agent.child.kill('SIGKILL')
    cleanup()
  })

  /** Runs `keyhold --vault V ARGS` and answers the agent's question about it with `answer`, after `delayMs`. */
  const runAnswering = async (args: string[], answer: string, delayMs = 0) => {
    const before = agent.err().length
    const child = startKeyhold(['--vault', vault, ...args], env)
    child.child.stdin.end()
    await until(() => agent.err().slice(before).includes('anything else refuses:'))
    await new Promise((resolve) => setTimeout(resolve, delayMs))
    agent.child.stdin.write(`${answer}\n`)
    return { status: await child.exited, stdout: child.out(), stderr: child.err(), asked: agent.err().slice(before) }
  }

  it('refuses on anything but "allow", then allows; allowed, the terminal is not asked again; both are in the log, by the agent', async () => {
    const refused = await runAnswering(['info'], 'no')
    expect(refused).toMatchObject({ status: 1, stdout: '', stderr: refusedTerminal(REFUSAL.terminal) })
    expect(refused.asked).toMatch(new RegExp(`A terminal wants to use this vault:\\n {2}Command: keyhold --vault ${vault.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} info\\n {2}Folder: {2}.+\\n {2}Terminal: none \\(a script or a pipe\\), process \\d+\\n`))
    // Answered after more than a second: the terminal said what it waits for.
    expect(await runAnswering(['info'], 'allow', 1_500)).toMatchObject({ status: 0, stdout: expect.stringContaining('API secrets'), stderr: 'Waiting for you to allow this terminal on the terminal running keyhold agent (60 s)…\n' })
    const before = agent.err().length
    const listed = keyhold(['--vault', vault, '--json', 'audit', 'list', '--limit', '10'], '', env)
    expect(listed.status).toBe(0)
    expect(agent.err().slice(before)).toBe('')
    const entries = JSON.parse(listed.stdout) as ActivityEntry[]
    expect(entries.filter((e) => e.event.startsWith('terminal.')).map((e) => [e.event, e.actor.type, e.outcome, e.detail.command])).toEqual([
      ['terminal.allowed', 'agent', 'ok', 'info'],
      ['terminal.denied', 'agent', 'denied', 'info'],
    ])
  })
})
