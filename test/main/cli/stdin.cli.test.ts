import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SECRET_LIMITS } from '../../../src-shared/ipc/secrets.contract'
import { MASTER_PASSWORD_MAX } from '../../../src-shared/ipc/vault.contract'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
/** Standard input made of these lines, each ended by "\n". */
const lines = (...texts: Array<string | Buffer>) => Buffer.concat(texts.flatMap((text) => [Buffer.from(text), Buffer.from('\n')]))
/** 0xFF never occurs in UTF-8 text. */
const NOT_UTF8 = Buffer.from([0xff])
const BOM = Buffer.from([0xef, 0xbb, 0xbf])
/** A V8 heap too small to hold 64 MB of standard input as a string: reading it whole aborts. */
const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=32' }
const HUGE_BYTES = 64 * 1024 * 1024
const tooLong = (line: number, what: string, max: number) =>
  new RegExp(`^keyhold: INVALID_INPUT: Line ${line} of standard input \\(${what}\\) is too long: it can have at most ${max} characters\\.`)
const notUtf8 = (line: number, what: string) =>
  new RegExp(`^keyhold: INVALID_INPUT: Line ${line} of standard input \\(${what}\\) is not valid UTF-8 text\\.`)

describe('keyhold standard input', () => {
  let dir: string
  let vault: string
  eachInTempDir((made) => void ((dir = made), (vault = join(dir, 'cli.keyhold'))))

  const run = (args: string[], input: Buffer, env?: NodeJS.ProcessEnv) => keyhold(['--vault', vault, '--password-stdin', ...args], input, env)
  const addSecret = (input: Buffer) =>
    run(['secret', 'add', '--name', 'N', '--url', 'https://x.example', '--client-id', 'c', '--client-secret-stdin'], input)

  it('refuses a master password over 1,024 characters before deriving a key, naming line 1 and the limit', () => {
    const long = 'x'.repeat(MASTER_PASSWORD_MAX + 1)
    const init = run(['init', '--kdf-memory', '19', '--kdf-iterations', '2'], lines(long))
    expect(init.stderr).toMatch(tooLong(1, 'the new master password', MASTER_PASSWORD_MAX))
    expect(existsSync(vault)).toBe(false)
    expect(initVault(vault, PASSWORD).status).toBe(0)
    // An unlock that derived a key would answer WRONG_PASSWORD.
    expect(run(['info'], lines(long))).toMatchObject({ status: 1, stderr: expect.stringMatching(tooLong(1, 'the master password', MASTER_PASSWORD_MAX)) })
    expect(run(['passwd'], lines(PASSWORD, long)).stderr).toMatch(tooLong(2, 'the new master password', MASTER_PASSWORD_MAX))
    expect(run(['info'], lines(PASSWORD)).status).toBe(0)
  })

  it('answers 64 MB of empty lines from line 1 alone, in a heap too small to hold them', () => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const result = run(['info'], Buffer.alloc(HUGE_BYTES, '\n'), SMALL_HEAP)
    expect(result.stderr).toMatch(/^keyhold: WRONG_PASSWORD: /)
  })

  it('refuses a 64 MB first line once it passes the bound, in a heap too small to hold it', () => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const result = run(['info'], Buffer.alloc(HUGE_BYTES, 'a'), SMALL_HEAP)
    expect(result.stderr).toMatch(tooLong(1, 'the master password', MASTER_PASSWORD_MAX))
  })

  it('exits once it has the lines it needs, with more standard input unread and the pipe still open', async () => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const child = spawn(process.execPath, [join(__dirname, '../../../bin/keyhold.js'), '--vault', vault, '--password-stdin', 'info'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME },
    })
    child.stdin.on('error', () => {})
    child.stdin.write(lines(PASSWORD, 'a line the command does not read'))
    const exited = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => resolve('still running after 10 s'), 10_000)
      child.on('exit', (code) => {
        clearTimeout(timer)
        resolve(code ?? -1)
      })
    })
    child.kill()
    expect(exited).toBe(0)
  })

  it('bounds the client secret at its field limit and the token at the length of a token, naming line 2', () => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const before = sha(vault)
    const secret = addSecret(lines(PASSWORD, 's'.repeat(SECRET_LIMITS.clientSecret + 1)))
    expect(secret.stderr).toMatch(tooLong(2, 'the client secret', SECRET_LIMITS.clientSecret))
    expect(sha(vault)).toBe(before)
    expect(addSecret(lines(PASSWORD, 's'.repeat(SECRET_LIMITS.clientSecret))).status).toBe(0)

    const generated = run(['--json', 'key', 'generate', '--role', 'secrets-reader'], lines(PASSWORD))
    const { key, token } = JSON.parse(generated.stdout) as { key: string; token: string }
    const check = (presented: string) => run(['key', 'check', key, '--permission', 'secrets:read', '--token-stdin'], lines(PASSWORD, presented))
    expect(check(`${token}x`).stderr).toMatch(tooLong(2, 'the token', token.length))
    expect(check(token)).toMatchObject({ status: 0, stderr: '' })
  })

  it('refuses a master password that is not UTF-8, naming line 1 without quoting it, and creates no vault', () => {
    const init = run(['init', '--kdf-memory', '19', '--kdf-iterations', '2'], lines(Buffer.concat([Buffer.from('Passw0rd-'), NOT_UTF8])))
    expect(init.stderr).toMatch(notUtf8(1, 'the new master password'))
    expect(init.stderr).not.toMatch(/Passw0rd|\uFFFD/)
    expect(existsSync(vault)).toBe(false)
  })

  it('does not open a vault with bytes that decode to its password only by replacement', () => {
    const password = 'pass\uFFFDword'
    expect(initVault(vault, password).status).toBe(0)
    expect(run(['info'], lines(password)).status).toBe(0)
    const other = run(['info'], lines(Buffer.concat([Buffer.from('pass'), NOT_UTF8, Buffer.from('word')])))
    expect(other.stderr).toMatch(notUtf8(1, 'the master password'))
  })

  it('refuses a client secret that is not UTF-8 and leaves the vault unchanged', () => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const before = sha(vault)
    const result = addSecret(lines(PASSWORD, Buffer.concat([Buffer.from('sk_live_'), NOT_UTF8, Buffer.from([0xfe])])))
    expect(result.stderr).toMatch(notUtf8(2, 'the client secret'))
    expect(result.stderr).not.toContain('sk_live_')
    expect(sha(vault)).toBe(before)
  })

  it('strips one byte order mark at the start of standard input, and only that one', () => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
    expect(run(['info'], Buffer.concat([BOM, lines(PASSWORD)])).status).toBe(0)
    expect(run(['info'], Buffer.concat([BOM, BOM, lines(PASSWORD)])).stderr).toMatch(/^keyhold: WRONG_PASSWORD: /)
    expect(run(['passwd'], lines(PASSWORD, Buffer.concat([BOM, Buffer.from('brand new password')]))).status).toBe(0)
    expect(run(['info'], lines('brand new password')).stderr).toMatch(/^keyhold: WRONG_PASSWORD: /)
    expect(run(['info'], Buffer.concat([BOM, BOM, lines('brand new password')])).status).toBe(0)
  })

  it('opens a vault made with a composed password when it is typed decomposed, and counts its length composed', () => {
    const composed = 'Mot de passe très sûr, é'.normalize('NFC')
    expect(initVault(vault, composed).status).toBe(0)
    expect(run(['info'], lines(composed.normalize('NFD'))).status).toBe(0)

    const longest = 'é'.repeat(MASTER_PASSWORD_MAX)
    expect(run(['passwd'], lines(composed, longest.normalize('NFD'))).status).toBe(0)
    expect(run(['info'], lines(longest)).status).toBe(0)
    expect(run(['info'], lines(`${longest}é`.normalize('NFD'))).stderr).toMatch(tooLong(1, 'the master password', MASTER_PASSWORD_MAX))
  })
})
