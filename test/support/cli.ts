import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

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
  })
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/** `keyhold init` with the fastest KDF Keyhold accepts. */
export function initVault(vault: string, password: string): CliResult {
  return keyhold(['--vault', vault, '--password-stdin', 'init', '--kdf-memory', '19', '--kdf-iterations', '2'], `${password}\n`)
}
