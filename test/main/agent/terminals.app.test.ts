import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { cliTerminalHost, listingsOf } from '../../../src-main/cli/terminal-host'
import { agentEndpoint } from '../../../src-main/core/agent/agent-paths'
import { connectSocket } from '../../../src-main/core/agent/socket-transport'
import { ApprovalQueue, TERMINAL_ANSWER_MS } from '../../../src-main/core/agent/approvals'
import { createServices, type Services } from '../../../src-main/core/services'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import { encodeBody } from '../../../src-shared/local-access/frames'
import { openTerminalSession } from '../../../src-shared/local-access/client'
import { REFUSAL, type TerminalClaim } from '../../../src-shared/local-access/messages'
import type { AgentPrompt } from '../../../src-shared/types/agent'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { eventually } from '../../support/agent'
import { refusedTerminal, startKeyhold, type RunningKeyhold } from '../../support/cli'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

type TerminalPrompt = Extract<AgentPrompt, { kind: 'terminal' }>

const bin = join(__dirname, '../../../bin/keyhold.js')

/**
 * The app's agent as the core's worker composes it (core.worker.ts): createServices with the
 * CLI's TerminalHost, asking the person through the ApprovalQueue, on a real socket; the
 * window's side is the IPC dispatch (agent:prompts, agent:answer-terminal). A spawned
 * `keyhold` is the terminal, started without waiting: the agent answers in this process.
 */
describe('the app serves terminals, asking the person first (docs/terminal-sessions.md §3)', () => {
  let dir: ReturnType<typeof tempDir>
  let services: Services
  let dispatch: Dispatch
  let vaultPath: string
  let folder: string
  /** Every terminal question the window was asked, by id. */
  const asked = new Map<string, TerminalPrompt>()

  /** `keyhold --vault V ARGS` in the background, as a terminal runs it (standard input closed). */
  const start = (args: string[]): RunningKeyhold => {
    const child = startKeyhold(['--vault', vaultPath, ...args], { KEYHOLD_AGENT_DIR: folder })
    child.child.stdin.end()
    return child
  }
  const result = async (child: RunningKeyhold) => ({ status: await child.exited, stdout: child.out(), stderr: child.err() })
  const terminalPrompts = async (): Promise<TerminalPrompt[]> => {
    const prompts = await dispatch('agent:prompts', {})
    if (!prompts.ok) throw new Error(prompts.error.message)
    return (prompts.value as AgentPrompt[]).filter((prompt): prompt is TerminalPrompt => prompt.kind === 'terminal')
  }
  /** The terminal questions the window is shown, polled as the window does, once `done` holds. */
  const promptsWhen = async (done: (prompts: TerminalPrompt[]) => boolean): Promise<TerminalPrompt[]> => {
    for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
      const prompts = await terminalPrompts()
      if (done(prompts)) return prompts
    }
    throw new Error('the window was not shown that within 10 s')
  }
  /** The question the window shows next, once the agent asks it. */
  const question = async (): Promise<TerminalPrompt> => (await promptsWhen((p) => p.length > 0))[0]!
  const answer = (id: string, allow: unknown) => dispatch('agent:answer-terminal', { id, allow })

  beforeAll(async () => {
    dir = tempDir()
    vaultPath = join(dir.dir, 'vault.keyhold')
    folder = join(dir.dir, 'agent')
    mkdirSync(folder, { mode: 0o700 })
    chmodSync(folder, 0o700)
    services = createServices({
      vaultPath,
      keyStore: new MemoryKeyStore(),
      kdf: FAST_KDF,
      agent: { holder: 'app', software: 'keyhold/test', folder, terminals: (allow) => cliTerminalHost(services, allow) },
    })
    dispatch = createAppDispatch(services)
    services.agent.approvals.onChange(() => {
      for (const prompt of services.agent.prompts()) if (prompt.kind === 'terminal') asked.set(prompt.id, prompt)
    })
    await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    await services.secrets.add({ name: 'GitHub', url: 'https://api.github.com', clientId: 'gh', clientSecret: 'ghp_once', identifier: 'github', tags: [] })
    await eventually(() => services.agent.status().listening, 5_000)
  })
  afterAll(async () => {
    await services.agent.stop()
    await services.vault.settle()
    services.vault.lock()
    dir.cleanup()
  })

  it('asks in the window with what the terminal says (command, folder, tty, pid), what Allow gives and a 60 s deadline; Deny refuses it with FORBIDDEN', async () => {
    const child = start(['secret', 'get', 'github', '--field', 'client-secret'])
    const prompt = await question()
    expect(prompt).toEqual({
      id: expect.any(String),
      kind: 'terminal',
      // A pipe, not a terminal: no tty. The session id and the shell key the grant and are not shown.
      claim: { command: `keyhold --vault ${vaultPath} secret get github --field client-secret`, cwd: process.cwd(), tty: null, pid: child.child.pid },
      grant: { idleMs: 10 * 60_000, lifetimeMs: 12 * 3_600_000 },
      deadline: expect.any(String),
    })
    expect(Date.parse(prompt.deadline) - Date.now()).toBeGreaterThan(TERMINAL_ANSWER_MS - 10_000)
    expect(Date.parse(prompt.deadline) - Date.now()).toBeLessThanOrEqual(TERMINAL_ANSWER_MS)
    // Another kind's answer does not answer it.
    expect(await dispatch('agent:answer-reveal', { id: prompt.id, decision: 'once' })).toEqual({ ok: true, value: { answered: false } })

    expect(await answer(prompt.id, false)).toEqual({ ok: true, value: { answered: true } })
    expect(await result(child)).toEqual({ status: 1, stdout: '', stderr: refusedTerminal(REFUSAL.terminal) })
    // Recorded, by the person in the app, with the command's words only (not its arguments or folder).
    const denied = (await services.activity.list({ event: 'terminal.denied' })).items
    expect(denied).toEqual([expect.objectContaining({ actor: { type: 'app' }, target: { type: 'vault', id: expect.any(String) }, outcome: 'denied', detail: { command: 'secret get', terminal: null, pid: child.child.pid } })])
    expect(JSON.stringify(denied)).not.toMatch(/github|client-secret|vault\.keyhold/)
    expect(await terminalPrompts()).toEqual([])
    expect(await answer(prompt.id, true)).toEqual({ ok: true, value: { answered: false } })
  })

  it('Allow runs the command on the unlocked vault, and the same terminal is not asked again', async () => {
    asked.clear()
    const child = start(['secret', 'get', 'github', '--field', 'client-secret'])
    expect(await answer((await question()).id, true)).toEqual({ ok: true, value: { answered: true } })
    expect(await result(child)).toEqual({ status: 0, stdout: 'ghp_once\n', stderr: '' })
    expect(await result(start(['secret', 'list']))).toMatchObject({ status: 0, stdout: expect.stringContaining('GitHub') })
    expect(asked.size).toBe(1)
    // Allowed once, recorded once: the next command used the grant.
    expect((await services.activity.list({ event: 'terminal.allowed' })).items).toEqual([expect.objectContaining({ actor: { type: 'app' }, outcome: 'ok', detail: expect.objectContaining({ command: 'secret get' }) })])
  })

  it("a terminal's command counts as the person's activity for the app's idle lock", async () => {
    const activity = vi.spyOn(services.vault, 'activity')
    try {
      expect(await result(start(['secret', 'list']))).toMatchObject({ status: 0 })
      expect(activity).toHaveBeenCalled()
    } finally {
      activity.mockRestore()
    }
  })

  it('a lock ends the grant; a terminal that leaves while asked withdraws its question', async () => {
    services.vault.lock()
    await services.vault.locked()
    await services.vault.unlock({ password: PASSWORD })
    await eventually(() => services.agent.status().listening, 5_000)
    asked.clear()
    const child = start(['secret', 'list'])
    await question()
    child.child.kill('SIGKILL')
    await child.exited
    await promptsWhen((p) => p.length === 0)
    expect(asked.size).toBe(1)
  })

  it('help is printed by the terminal itself: nobody is asked to allow it', async () => {
    asked.clear()
    for (const help of [['secret', 'list', '--help'], ['key', '-h']]) {
      expect(await result(start(help))).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: keyhold /), stderr: '' })
    }
    expect(asked.size).toBe(0)
  })

  it('asks once for commands of one terminal started together, and about at most 3 terminals at a time', async () => {
    services.vault.lock()
    await services.vault.locked()
    await services.vault.unlock({ password: PASSWORD })
    await eventually(() => services.agent.status().listening, 5_000)
    asked.clear()
    // One terminal (one shell: the same parent process), three commands at once: one question, one answer for all.
    const same = [start(['secret', 'list']), start(['info']), start(['secret', 'get', 'github', '--field', 'client-id'])]
    const prompt = await question()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await terminalPrompts()).toHaveLength(1)
    await answer(prompt.id, true)
    for (const child of same) expect(await result(child)).toMatchObject({ status: 0 })
    expect(asked.size).toBe(1)
    expect((await services.activity.list({ event: 'terminal.allowed' })).items.length).toBe(2)

    // Four other terminals (each its own shell): three questions, and the fourth is refused at once.
    const shells = [0, 1, 2, 3].map(() => {
      const child = spawn('sh', ['-c', `"${process.execPath}" "${bin}" --vault "${vaultPath}" info; exit $?`], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, KEYHOLD_AGENT_DIR: folder } })
      let err = ''
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
      return { exited: new Promise<number | null>((resolve) => child.once('exit', resolve)), err: () => err }
    })
    const limited = await Promise.race(shells.map((shell, i) => shell.exited.then(() => i)))
    expect(shells[limited]!.err()).toBe('keyhold: RATE_LIMITED: Keyhold is already asking about other terminals. Answer there, then run the command again.\n')
    const three = await promptsWhen((p) => p.length === 3)
    for (const p of three) await answer(p.id, false)
    for (const [i, shell] of shells.entries()) if (i !== limited) expect(await shell.exited).toBe(1)
  })

  it('status and lock never ask: status says this terminal is not allowed yet, lock locks, and a session not asked for may do nothing else', async () => {
    services.vault.lock()
    await services.vault.locked()
    await services.vault.unlock({ password: PASSWORD })
    await eventually(() => services.agent.status().listening, 5_000)
    asked.clear()
    const status = await result(start(['status']))
    expect(status).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/\nTerminal {3}not allowed yet: its first command asks you in the Keyhold app\n$/) })
    expect(JSON.parse((await result(start(['--json', 'status']))).stdout)).toMatchObject({ commands: 'agent', terminal: { allowed: false, until: null } })

    // The protocol itself: a terminal that is not to be asked, without a grant, may only lock.
    const { endpoint: socket, desktopKey } = services.agent.status()
    const vaultId = basename(socket!, '.sock')
    const claim: TerminalClaim = { command: 'keyhold status', cwd: '/', tty: null, sid: 1, pid: process.pid, ppid: 1 }
    const { session, grant } = await openTerminalSession(await connectSocket(agentEndpoint(vaultId, folder)), { vaultId, desktopKey: desktopKey! }, claim, undefined, false)
    expect(grant).toBeNull()
    const refused = { code: 'FORBIDDEN', message: 'This terminal is not allowed to use Keyhold yet. Run the command again to be asked.' }
    await expect(session.request('cli.run', { argv: ['secret', 'list'], cwd: '/' })).rejects.toMatchObject(refused)
    await expect(session.request('cli.run', { argv: ['lock-vault', 'x'], cwd: '/' })).rejects.toMatchObject(refused)
    await expect(session.request('cli.input', { text: 'y' })).rejects.toMatchObject(refused)
    // Not even a ping, which would count as activity and keep the vault from locking.
    const activity = vi.spyOn(services.vault, 'activity')
    try {
      await expect(session.ping()).rejects.toMatchObject(refused)
      expect(activity).not.toHaveBeenCalled()
    } finally {
      activity.mockRestore()
    }
    session.close()
    expect(asked.size).toBe(0)
    expect(services.vault.isUnlocked).toBe(true)

    expect(await result(start(['lock']))).toEqual({ status: 0, stdout: 'Locked in the Keyhold app.\n', stderr: '' })
    expect(services.vault.isUnlocked).toBe(false)
    expect(asked.size).toBe(0)
    await services.vault.unlock({ password: PASSWORD })
    await eventually(() => services.agent.status().listening, 5_000)
  })

  it('status of an allowed terminal says until when, without asking; a session not asked for is lock-only even then', async () => {
    asked.clear()
    const first = start(['secret', 'list'])
    await answer((await question()).id, true)
    expect(await result(first)).toMatchObject({ status: 0 })
    const json = JSON.parse((await result(start(['--json', 'status']))).stdout) as { terminal: { allowed: boolean; until: string } }
    expect(json.terminal.allowed).toBe(true)
    expect(Date.parse(json.terminal.until) - Date.now()).toBeGreaterThan(11 * 3_600_000)
    expect((await result(start(['status']))).stdout).toMatch(/\nTerminal {3}allowed until [\d: -]+, or 10 minutes without a command, or until the vault locks\n$/)
    expect(asked.size).toBe(1)

    // The protocol: told its grant, but given nothing more than lock (a guessed claim learns no more).
    const { endpoint: socket, desktopKey } = services.agent.status()
    const vaultId = basename(socket!, '.sock')
    const child = start(['secret', 'list'])
    expect(await result(child)).toMatchObject({ status: 0 })
    const claim: TerminalClaim = { command: 'keyhold status', cwd: '/', tty: null, sid: null, pid: process.pid, ppid: process.pid }
    const { session, grant } = await openTerminalSession(await connectSocket(agentEndpoint(vaultId, folder)), { vaultId, desktopKey: desktopKey! }, claim, undefined, false)
    expect(grant).toEqual({ until: json.terminal.until, idleMs: 10 * 60_000 })
    await expect(session.request('cli.run', { argv: ['secret', 'list'], cwd: '/' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    session.close()
  })

  it('closes at once a terminal that sends more frames ahead of their answers than a connection queues (a claim waits up to a minute), and no question is left', async () => {
    await eventually(() => services.agent.status().listening, 5_000)
    const { endpoint: socket, desktopKey } = services.agent.status()
    const vaultId = basename(socket!, '.sock')
    const inner = await connectSocket(agentEndpoint(vaultId, folder))
    let sent = 0
    // The claim is the third frame (hello, handshake, claim): 40 more follow it at once.
    const flooding = {
      send: (body: Uint8Array) => {
        inner.send(body)
        if (++sent === 3) for (let i = 0; i < 40; i++) inner.send(encodeBody('transport', new Uint8Array(1_000)))
      },
      next: () => inner.next(),
      close: () => inner.close(),
    }
    const claim: TerminalClaim = { command: 'keyhold secret list', cwd: '/', tty: null, sid: 424242, pid: 424242, ppid: 1 }
    const started = Date.now()
    await expect(openTerminalSession(flooding, { vaultId, desktopKey: desktopKey! }, claim)).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' })
    // Not after the minute the person has to answer: at once.
    expect(Date.now() - started).toBeLessThan(TERMINAL_ANSWER_MS / 2)
    expect(await promptsWhen((prompts) => prompts.length === 0)).toEqual([])
  })

  it("status reports an agent's refusal instead of failing: a facts file whose key is not the agent's", async () => {
    const { endpoint: socket } = services.agent.status()
    const facts = agentEndpoint(basename(socket!, '.sock'), folder).info
    const real = readFileSync(facts, 'utf8')
    try {
      const info = JSON.parse(real) as { dpk: string }
      writeFileSync(facts, JSON.stringify({ ...info, dpk: 'A'.repeat(43) }))
      const status = await result(start(['status']))
      expect(status).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/\nTerminal {3}the agent did not say whether this terminal is allowed: FORBIDDEN: .+\n$/) })
    } finally {
      writeFileSync(facts, real)
    }
  })

  it("a command's output comes as output frames to a terminal that asks for them, byte for byte what an older terminal gets in events", async () => {
    await services.secrets.addMany(Array.from({ length: 500 }, (_, i) => ({ name: `Output ${i} ${'n'.repeat(60)}`, url: `https://api.example.com/${i}`, clientId: `client-${i}-${'c'.repeat(60)}` })))
    await eventually(() => services.agent.status().listening, 5_000)
    const { endpoint: socket, desktopKey } = services.agent.status()
    const vaultId = basename(socket!, '.sock')
    asked.clear()
    const claim: TerminalClaim = { command: 'keyhold secret list', cwd: '/', tty: null, sid: 515151, pid: process.pid, ppid: 1 }
    const opening = openTerminalSession(await connectSocket(agentEndpoint(vaultId, folder)), { vaultId, desktopKey: desktopKey! }, claim)
    await answer((await question()).id, true)
    const { session } = await opening
    const events: Buffer[] = []
    session.onEvent((event) => (event.event === 'cli.output' ? events.push(Buffer.from(event.data as string, 'base64')) : undefined))
    const frames: Array<{ fd: 1 | 2; bytes: Buffer }> = []
    session.onOutput((fd, bytes) => frames.push({ fd, bytes: Buffer.from(bytes) }))
    const run = (raw: boolean) => session.request('cli.run', { argv: ['--json', 'secret', 'list'], cwd: '/', ...(raw && { raw }) })

    expect(await run(false)).toEqual({ status: 0 })
    expect(frames).toEqual([])
    const inEvents = Buffer.concat(events)
    expect(JSON.parse(inEvents.toString())).toHaveLength(501)
    events.length = 0
    expect(await run(true)).toEqual({ status: 0 })
    expect(events).toEqual([])
    // Each frame as full as the Noise limit allows, but the last.
    const full = Math.floor(inEvents.length / 65_518)
    expect(full).toBeGreaterThan(1)
    expect(frames.map((frame) => frame.bytes.length)).toEqual([...Array.from({ length: full }, () => 65_518), ...(inEvents.length % 65_518 ? [inEvents.length % 65_518] : [])])
    expect(frames.every((frame) => frame.fd === 1)).toBe(true)
    expect(Buffer.concat(frames.map((frame) => frame.bytes)).equals(inEvents)).toBe(true)
    // Standard error too, in order with the answer.
    frames.length = 0
    await expect(session.request('cli.run', { argv: ['secret', 'get', 'no-such-secret'], cwd: '/', raw: true })).resolves.toEqual({ status: 1 })
    expect(frames.map((frame) => frame.fd)).toEqual([2])
    expect(frames.map((frame) => frame.bytes.toString()).join('')).toMatch(/^keyhold: NOT_FOUND: /)
    session.close()

    // A lock while a list is being sent (the agent's kept list, which the lock wipes): the terminal
    // gets part of the list, never a wiped byte, and is told the vault locked.
    await services.secrets.addMany(Array.from({ length: 2_000 }, (_, i) => ({ name: `Bulk ${i} ${'b'.repeat(60)}`, url: `https://api.example.com/b/${i}`, clientId: `bulk-${i}-${'d'.repeat(60)}` })))
    const { session: listing } = await openTerminalSession(await connectSocket(agentEndpoint(vaultId, folder)), { vaultId, desktopKey: desktopKey! }, claim)
    const whole: Buffer[] = []
    listing.onOutput((_fd, bytes) => whole.push(Buffer.from(bytes)))
    expect(await listing.request('cli.run', { argv: ['--json', 'secret', 'list'], cwd: '/', raw: true })).toEqual({ status: 0 })
    const expected = Buffer.concat(whole)
    expect(expected.length).toBeGreaterThan(1024 * 1024)
    const part: Buffer[] = []
    listing.onOutput((_fd, bytes) => {
      part.push(Buffer.from(bytes))
      if (part.length === 1) services.vault.lock()
    })
    await expect(listing.request('cli.run', { argv: ['--json', 'secret', 'list'], cwd: '/', raw: true })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/vault locked/) })
    const got = Buffer.concat(part)
    expect(got.length).toBeLessThan(expected.length)
    expect(got.equals(expected.subarray(0, got.length))).toBe(true)
    expect(listingsOf(services).keptBytes).toBe(0)
    await services.vault.locked()
    await services.vault.unlock({ password: PASSWORD })
    await eventually(() => services.agent.status().listening, 5_000)
    asked.clear()
    const reopening = openTerminalSession(await connectSocket(agentEndpoint(vaultId, folder)), { vaultId, desktopKey: desktopKey! }, claim)
    await answer((await question()).id, true)
    ;(await reopening).session.close()

    // A terminal that takes no output frames refuses them: PROTOCOL_ERROR, and the connection closes.
    const unready = await openTerminalSession(await connectSocket(agentEndpoint(vaultId, folder)), { vaultId, desktopKey: desktopKey! }, claim, undefined, true, {
      op: 'cli.run',
      args: { argv: ['secret', 'list'], cwd: '/', raw: true },
      onEvent: () => undefined,
    })
    await expect(unready.answer).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', message: 'The agent sent command output that was not asked for.' })
    expect(unready.session.closed).toBe(true)
    expect(asked.size).toBe(1)
    // The session API does not send such a command without somewhere for its output to go.
    const { session: plain } = await openTerminalSession(await connectSocket(agentEndpoint(vaultId, folder)), { vaultId, desktopKey: desktopKey! }, claim)
    await expect(plain.request('cli.run', { argv: ['secret', 'list'], cwd: '/', raw: true })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    plain.close()
  })

  it('agent:answer-terminal takes a question id and a yes or no, nothing else', async () => {
    const id = randomUUID()
    for (const input of [{ id: 'not-an-id', allow: true }, { id, allow: 'yes' }, { id }, { id, allow: true, scope: 'all' }, { allow: true }]) {
      expect(await dispatch('agent:answer-terminal', input)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    }
    expect(await answer(id, true)).toEqual({ ok: true, value: { answered: false } })
  })
})

describe('ApprovalQueue: a terminal question', () => {
  const claim: TerminalClaim = { command: 'keyhold secret list', cwd: '/home/ada', tty: '/dev/pts/3', sid: 4000, pid: 4242, ppid: 4100 }
  afterEach(() => {
    vi.useRealTimers()
  })

  it('unanswered for 60 s is Deny, and the question goes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const queue = new ApprovalQueue()
    const allowed = queue.approveTerminal(claim, new AbortController().signal)
    expect(queue.prompts()).toEqual([expect.objectContaining({ kind: 'terminal', claim: { command: 'keyhold secret list', cwd: '/home/ada', tty: '/dev/pts/3', pid: 4242 } })])
    await vi.advanceTimersByTimeAsync(TERMINAL_ANSWER_MS - 1)
    expect(queue.prompts()).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(await allowed).toBe(false)
    expect(queue.prompts()).toEqual([])
  })

  it('withdrawn by the agent (its bound, a lock, the terminal left), the question goes and nothing is allowed', async () => {
    const queue = new ApprovalQueue()
    const abort = new AbortController()
    const allowed = queue.approveTerminal(claim, abort.signal)
    const id = queue.prompts()[0]!.id
    abort.abort()
    await expect(allowed).rejects.toThrow('aborted')
    expect(queue.prompts()).toEqual([])
    expect(queue.answerTerminal(id, true)).toBe(false)
  })

  it('answers only the question asked: a second terminal waits with its own', async () => {
    const queue = new ApprovalQueue()
    const first = queue.approveTerminal(claim, new AbortController().signal)
    const second = queue.approveTerminal({ ...claim, pid: 5000 }, new AbortController().signal)
    const [a, b] = queue.prompts()
    expect(queue.answerPairing(a!.id, { approved: false })).toBe(false)
    expect(queue.answerTerminal(a!.id, true)).toBe(true)
    expect(await first).toBe(true)
    expect(queue.prompts()).toEqual([b])
    expect(queue.answerTerminal(b!.id, false)).toBe(true)
    expect(await second).toBe(false)
  })
})
