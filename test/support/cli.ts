import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { expect } from 'vitest'

const bin = join(__dirname, '../../bin/keyhold.js')

export interface CliResult {
  status: number
  stdout: string
  stderr: string
}

/**
 * Runs the built `keyhold` command (bundled by the main project's globalSetup) as scripts do.
 * `input` is its standard input: text (written as UTF-8) or raw bytes.
 */
export function keyhold(args: string[], input: string | Buffer = '', env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/** `keyhold init` with the fastest KDF Keyhold accepts. */
export function initVault(vault: string, password: string): CliResult {
  return keyhold(['--vault', vault, '--password-stdin', 'init', '--kdf-memory', '19', '--kdf-iterations', '2'], `${password}\n`)
}

/** A `keyhold` process left running (an agent), its output gathered as it comes. */
export interface RunningKeyhold {
  child: import('node:child_process').ChildProcessWithoutNullStreams
  out: () => string
  err: () => string
  exited: Promise<number | null>
}

/** Starts `keyhold ARGS` and leaves it running, with `input` written to its standard input (left open). */
export function startKeyhold(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): RunningKeyhold {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  if (input !== undefined) child.stdin.write(input)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, out: () => out, err: () => err, exited }
}

/** Waits until `predicate` holds, checking every 20 ms, for at most `ms`. */
export async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * A terminal's standard error when the agent refused it: the refusal, after the line that says
 * it waits for the person when the answer took more than a second (under load, any answer may).
 */
export function refusedTerminal(refusal: string): string {
  const escaped = `keyhold: FORBIDDEN: ${refusal}\n`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return expect.stringMatching(new RegExp(`^(Waiting for you to allow this terminal [^\\n]*\\n)?${escaped}$`)) as unknown as string
}
