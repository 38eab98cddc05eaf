import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initVault, keyhold } from '../../support/cli'
import { tempDir } from '../../support/vault'

const bin = join(__dirname, '../../../bin/keyhold.js')
const PASSWORD = 'agent test password'

/** A running `keyhold agent`, its output gathered as it comes. */
interface Running {
  child: ChildProcessWithoutNullStreams
  out: () => string
  err: () => string
  exited: Promise<number | null>
}

function start(args: string[], env: NodeJS.ProcessEnv, input?: string): Running {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  if (input !== undefined) child.stdin.write(input)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, out: () => out, err: () => err, exited }
}

async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('keyhold agent, connect and --app-key (real processes, real socket)', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  let env: NodeJS.ProcessEnv
  let agent: Running
  let app: { code: string; uri: string }
  let appKey: { key: string; token: string }

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'vault.keyhold')
    const run = join(dir, 'run')
    mkdirSync(run, { mode: 0o700 })
    env = { KEYHOLD_AGENT_DIR: run }
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const add = (args: string[]) => keyhold(['--vault', vault, '--password-stdin', ...args], `${PASSWORD}\n`)
    expect(keyhold(['--vault', vault, '--password-stdin', 'secret', 'add', '--name', 'Stripe prod', '--url', 'https://api.stripe.com', '--client-id', 'stripe-id', '--identifier', 'stripe', '--tag', 'prod', '--client-secret-stdin'], `${PASSWORD}\nsk_live_stripe\n`).status).toBe(0)
    expect(add(['secret', 'add', '--name', 'GitHub CI', '--url', 'https://api.github.com', '--client-id', 'gh', '--tag', 'ci']).status).toBe(0)
    app = JSON.parse(add(['--json', 'app', 'new', '--name', 'Terminal', '--type', 'extension']).stdout) as { code: string; uri: string }
    const generated = JSON.parse(add(['--json', 'key', 'generate', '--role', 'secrets-reader']).stdout) as { key: string; token: string }
    appKey = generated
    agent = start(['--vault', vault, '--password-stdin', 'agent'], env, `${PASSWORD}\n`)
    await until(() => agent.out().includes('Serving vault'))
  })

  afterAll(async () => {
    agent?.child.kill('SIGKILL')
    cleanup()
  })

  it('a second agent for the same vault is refused, naming the one that holds it', () => {
    const second = keyhold(['--vault', vault, '--password-stdin', 'agent'], `${PASSWORD}\n`, env)
    expect(second.status).toBe(1)
    expect(second.stderr).toMatch(new RegExp(`^keyhold: CONFLICT: .*\`keyhold agent\` \\(process ${agent.child.pid}`))
  })

  it('keyhold connect pairs after approval on the agent\'s terminal; both print the same check phrase', async () => {
    const connecting = start(['--vault', vault, 'connect', '--code', app.uri, '--name', 'build box', '--save', pairingFile()], env)
    await until(() => /Check phrase: /.test(agent.err()) && /Check phrase: /.test(connecting.err()))
    const phrase = (text: string) => /Check phrase: ([a-z-]+ [a-z-]+ [a-z-]+ [a-z-]+)/.exec(text)![1]
    expect(phrase(agent.err())).toBe(phrase(connecting.err()))
    expect(agent.err()).toMatch(
      /Pairing request for "Terminal" \(Extension\)\n {2}The device says: build box \(linux\), keyhold-cli\/1, cli\n {2}Note: this key is for a browser extension, but the device says it is a terminal\./,
    )
    agent.child.stdin.write('tags prod\n')
    expect(await connecting.exited).toBe(0)
    expect(connecting.out()).toMatch(/^Paired: "Terminal" may read API secrets tagged prod\./)
    expect(statSync(pairingFile()).mode & 0o777).toBe(0o600)
    const listed = JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'app', 'list'], `${PASSWORD}\n`).stdout) as Array<{ status: string; lastUsedAt: string | null }>
    // The agent saved the pairing; this process read the file the agent wrote.
    expect(listed[0]).toMatchObject({ status: 'active', lastUsedAt: expect.any(String) })
  })

  it('--pairing reads through the saved pairing: only its tags, a reveal asked on the agent\'s terminal; disconnect ends it', async () => {
    const saved = readFileSync(pairingFile(), 'utf8')
    const list = keyhold(['--pairing', pairingFile(), '--json', 'secret', 'list'], '', env)
    expect(list).toMatchObject({ status: 0, stderr: '' })
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['Stripe prod'])
    const reveal = start(['--pairing', pairingFile(), 'secret', 'get', 'stripe', '--field', 'client-secret'], env)
    await until(() => /wants the client secret of "Stripe prod"/.test(agent.err()))
    expect(agent.err()).toMatch(/build box \(Terminal\) wants the client secret of "Stripe prod"/)
    agent.child.stdin.write('once\n')
    expect(await reveal.exited).toBe(0)
    expect(reveal.out()).toBe('sk_live_stripe\n')
    const out = keyhold(['--pairing', pairingFile(), 'disconnect'], '', env)
    expect(out).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Signed out: "Terminal" can no longer connect/) })
    expect(existsSync(pairingFile())).toBe(false)
    // A pairing file whose pairing ended in Keyhold is deleted with words saying so.
    writeFileSync(pairingFile(), saved, { mode: 0o600 })
    expect(keyhold(['--pairing', pairingFile(), 'disconnect'], '', env)).toMatchObject({ status: 0, stdout: expect.stringMatching(/had already ended in Keyhold/) })
    expect(existsSync(pairingFile())).toBe(false)
    expect(keyhold(['--pairing', pairingFile(), 'secret', 'list'], '', env)).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: NOT_FOUND: There is no pairing file/) })
  })

  it('connect refuses a --name that is not one plain line, and leaves no pairing file', () => {
    const bad = keyhold(['--vault', vault, 'connect', '--code', app.uri, '--name', 'tab\there', '--save', join(dir, 'bad.json')], '', env)
    expect(bad).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INVALID_INPUT: The --name must be one line/) })
    expect(existsSync(join(dir, 'bad.json'))).toBe(false)
  })

  it('--app-key with --token-stdin lists and gets through the agent, without the master password', () => {
    const list = keyhold(['--vault', vault, '--app-key', appKey.key, '--token-stdin', '--json', 'secret', 'list'], `${appKey.token}\n`, env)
    expect(list).toMatchObject({ status: 0, stderr: '' })
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['GitHub CI', 'Stripe prod'])
    expect(list.stdout).not.toContain('sk_live_stripe')
    const secret = keyhold(['--vault', vault, '--app-key', appKey.key, '--token-stdin', 'secret', 'get', 'stripe', '--field', 'client-secret'], `${appKey.token}\n`, env)
    expect(secret).toEqual({ status: 0, stdout: 'sk_live_stripe\n', stderr: '' })
    const wrong = keyhold(['--vault', vault, '--app-key', appKey.key, '--token-stdin', 'secret', 'list'], `${appKey.token.slice(0, -1)}x\n`, env)
    expect(wrong).toEqual({ status: 1, stdout: '', stderr: 'keyhold: FORBIDDEN: forbidden\n' })
  })

  it('$KEYHOLD_APP_KEY and $KEYHOLD_APP_TOKEN do the same, as a CI job sets them (nothing on the command line or stdin)', () => {
    const ci = { ...env, KEYHOLD_VAULT: vault, KEYHOLD_APP_KEY: appKey.key, KEYHOLD_APP_TOKEN: appKey.token }
    expect(keyhold(['secret', 'get', 'stripe', '--field', 'client-secret'], '', ci)).toEqual({ status: 0, stdout: 'sk_live_stripe\n', stderr: '' })
    // --token-stdin wins over the variable; a key without any token is told both ways to give it.
    expect(keyhold(['--token-stdin', 'secret', 'list'], 'not-the-token\n', ci)).toEqual({ status: 1, stdout: '', stderr: 'keyhold: FORBIDDEN: forbidden\n' })
    expect(keyhold(['secret', 'list'], '', { ...ci, KEYHOLD_APP_TOKEN: '' })).toEqual({
      status: 1,
      stdout: '',
      stderr: 'keyhold: INVALID_INPUT: Give the token on standard input with --token-stdin (one line), or in $KEYHOLD_APP_TOKEN, so it stays out of the process list.\n',
    })
    // Its status says so: the command reads as that key, not through a terminal session.
    expect(JSON.parse(keyhold(['--json', 'status'], '', ci).stdout)).toMatchObject({ commands: 'vault file', why: 'companion' })
  })

  it('2,000 malformed frames get typed errors; the agent stays up and the vault file is byte-identical', async () => {
    // The agent writes the activity log of the tests before within a second: wait until the file is still.
    let before = sha(vault)
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 1_300))
      const now = sha(vault)
      if (now === before) break
      before = now
    }
    const socket = JSON.parse(readFileSync(join(env.KEYHOLD_AGENT_DIR!, `${readVaultId()}.json`), 'utf8')) as { pid: number }
    expect(socket.pid).toBe(agent.child.pid)
    const path = join(env.KEYHOLD_AGENT_DIR!, `${readVaultId()}.sock`)
    let answered = 0
    for (let batch = 0; batch < 40; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const n = batch * 50 + i
          return new Promise<void>((resolve) => {
            const s = connect(path)
            const chunks: Buffer[] = []
            s.on('data', (c: Buffer) => chunks.push(c))
            s.on('error', () => resolve())
            s.on('close', () => {
              if (Buffer.concat(chunks).length > 4) answered++
              resolve()
            })
            s.on('connect', () => s.end(malformed(n)))
          })
        }),
      )
    }
    expect(answered).toBeGreaterThan(1_900)
    const list = keyhold(['--vault', vault, '--app-key', appKey.key, '--token-stdin', 'secret', 'list'], `${appKey.token}\n`, env)
    expect(list.status).toBe(0)
    expect(sha(vault)).toBe(before)
  })

  it('SIGTERM stops it cleanly: exit 0, socket and facts file removed', async () => {
    const path = join(env.KEYHOLD_AGENT_DIR!, `${readVaultId()}.sock`)
    expect(existsSync(path)).toBe(true)
    agent.child.kill('SIGTERM')
    expect(await agent.exited).toBe(0)
    expect(existsSync(path)).toBe(false)
    expect(existsSync(path.replace(/\.sock$/, '.json'))).toBe(false)
    const after = keyhold(['--vault', vault, '--app-key', appKey.key, '--token-stdin', 'secret', 'list'], `${appKey.token}\n`, env)
    expect(after).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: AGENT_NOT_RUNNING: /) })
  })

  function pairingFile(): string {
    return join(dir, 'terminal-pairing.json')
  }

  function readVaultId(): string {
    return (JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'info'], `${PASSWORD}\n`).stdout) as { vaultId: string }).vaultId
  }
})

/** One of many kinds of bad input, by number: framing, kinds, JSON, hellos, handshakes out of order. */
function malformed(n: number): Buffer {
  const frame = (body: Buffer) => Buffer.concat([u32(body.length), body])
  const clear = (text: string) => frame(Buffer.concat([Buffer.from([1]), Buffer.from(text)]))
  const cases = [
    () => Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    () => u32(0xffffffff),
    () => u32(1),
    () => frame(Buffer.from([0x00, 1, 2])),
    () => frame(Buffer.from([0x04, 1, 2])),
    () => clear('{'),
    () => clear('[1,2]'),
    () => clear('"hello"'),
    () => frame(Buffer.concat([Buffer.from([1, 0xef, 0xbb, 0xbf]), Buffer.from('{"t":"hello"}')])),
    () => frame(Buffer.concat([Buffer.from([1]), Buffer.from([0x7b, 0xc3, 0x28, 0x7d])])),
    () => clear(JSON.stringify({ t: 'hello', v: [1], mode: 'pair', x: 'y'.repeat(1100) })),
    () => clear(JSON.stringify({ t: 'hello', v: [], mode: 'pair' })),
    () => clear(JSON.stringify({ t: 'hello', v: [1], mode: 'other' })),
    () => clear(JSON.stringify({ t: 'hello', v: [1], mode: 'session' })),
    () => clear(JSON.stringify({ t: 'hello', v: [1], mode: 'pair', app: '../../etc' })),
    () => clear(JSON.stringify({ t: 'hello', v: [2, 3], mode: 'pair' })),
    () => frame(Buffer.concat([Buffer.from([2]), randomBytes(48)])),
    () => frame(Buffer.concat([Buffer.from([3]), randomBytes(64)])),
    () => Buffer.concat([clear(JSON.stringify({ t: 'hello', v: [1], mode: 'pair' })), frame(Buffer.concat([Buffer.from([2]), randomBytes(48)]))]),
    () => Buffer.concat([clear(JSON.stringify({ t: 'hello', v: [1], mode: 'appkey', vault: 'nope' }))]),
    () => randomBytes(1 + (n % 300)),
  ]
  return cases[n % cases.length]!()
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

describe('keyhold agent without a terminal to answer on', () => {
  it('refuses pairing questions at once when standard input has ended, and says why once', async () => {
    const { dir, cleanup } = tempDir()
    try {
      const vault = join(dir, 'v.keyhold')
      const run = join(dir, 'run')
      mkdirSync(run, { mode: 0o700 })
      const env = { KEYHOLD_AGENT_DIR: run }
      expect(initVault(vault, PASSWORD).status).toBe(0)
      const created = JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'app', 'new', '--name', 'Phone', '--type', 'mobile'], `${PASSWORD}\n`).stdout) as { uri: string }
      const agent = start(['--vault', vault, '--password-stdin', 'agent'], env, `${PASSWORD}\n`)
      agent.child.stdin.end()
      await until(() => agent.out().includes('Serving vault'))
      const connecting = keyhold(['--vault', vault, 'connect', '--code', created.uri, '--save', join(dir, 'p.json')], '', env)
      expect(connecting).toMatchObject({ status: 1, stderr: expect.stringMatching(/keyhold: FORBIDDEN: The pairing was denied on the computer\. The key is used up/) })
      await until(() => /Standard input has ended/.test(agent.err()))
      expect(agent.err()).toMatch(/Pairing request for "Phone"[^]*Standard input has ended, so pairing and reveal questions are refused from now on\./)
      agent.child.kill('SIGTERM')
      expect(await agent.exited).toBe(0)
    } finally {
      cleanup()
    }
  })
})
