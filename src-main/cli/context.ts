import { dirname, resolve } from 'node:path'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { MASTER_PASSWORD_MAX } from '../../src-shared/ipc/vault.contract'
import { passwordLength } from '../../src-shared/password'
import type { KdfParams } from '../../src-shared/types/vault'
import { noKeyStore } from '../core/ports'
import { createServices, type Services } from '../core/services'
import { preloadSqlJs } from '../core/vault/database'
import { defaultVaultPath } from '../core/vault/paths'
import { VaultFile } from '../core/vault/vault-file'
import { printed, terminalWidth } from './helpers'
import { checkLength, promptHidden, StdinLines, type InputLine } from './io'
import type { Listings } from './listings'

export interface GlobalOptions {
  vault?: string
  passwordStdin?: boolean
  json?: boolean
  appKey?: string
  tokenStdin?: boolean
  pairing?: string
  /** False with --no-agent. */
  agent?: boolean
}

/**
 * A command run inside the agent for a terminal (docs/terminal-sessions.md §4): the agent's
 * services, already unlocked; the terminal's folder, for relative paths; and how to ask the
 * person something on that terminal.
 */
export interface CliHost {
  services: Services
  cwd: string
  prompt(question: string): Promise<string>
  /** The terminal's standard input, a line at a time. */
  lines: { take(line: InputLine): Promise<string> }
  /** The terminal's width, when its standard output is a terminal (tables fit it). */
  columns?: number
  /** The agent's rendered list of every secret (listings.ts), kept while current. */
  listings?: Listings
}

/**
 * What every command needs: the vault path, the core's services, how to get the master
 * password and other secrets (stdin lines or a hidden prompt), and how to print.
 */
export class CliContext {
  readonly stdin: { take(line: InputLine): Promise<string> }
  private servicesInstance: Services | undefined
  /** In the agent: the command exports secrets, manages keys or shortens the log (terminal-host.ts checkInAgent). */
  confirmInAgent = false

  constructor(
    readonly program: Command,
    private readonly io: { stdout: NodeJS.WritableStream; stdin: NodeJS.ReadableStream; env: NodeJS.ProcessEnv; host?: CliHost },
  ) {
    this.stdin = io.host?.lines ?? new StdinLines(io.stdin)
  }

  /** Set when the command runs in the agent for a terminal: then the vault is the agent's, already unlocked. */
  get host(): CliHost | undefined {
    return this.io.host
  }

  /** A path the person gave, as a path of their terminal's folder (the agent runs elsewhere). */
  path(given: string): string {
    return resolve(this.io.host?.cwd ?? process.cwd(), given)
  }

  get options(): GlobalOptions {
    return this.program.opts<GlobalOptions>()
  }

  get vaultPath(): string {
    return this.options.vault ?? this.io.env.KEYHOLD_VAULT ?? defaultVaultPath(this.io.env)
  }

  get env(): NodeJS.ProcessEnv {
    return this.io.env
  }

  get json(): boolean {
    return !!this.options.json
  }

  /**
   * The width tables fit (helpers.ts columns): the terminal's, when standard output is one
   * (here, or the terminal's that runs the command in the agent); undefined for a pipe or a
   * file, which get every cell whole.
   */
  get width(): number | undefined {
    if (this.io.host) return this.io.host.columns
    return terminalWidth(this.io.stdout)
  }

  services(kdf?: KdfParams, autoLockMs?: number): Services {
    if (this.io.host) return this.io.host.services
    // The CLI never uses the OS keychain: scripts unlock with the master password.
    // Keyhold's data folder (the desktop app's): the activity log's anchors and journal, shared with the app.
    this.servicesInstance ??= createServices({ vaultPath: this.vaultPath, keyStore: noKeyStore, kdf, autoLockMs, actor: 'cli', dataFolder: dirname(defaultVaultPath(this.io.env)) })
    return this.servicesInstance
  }

  /** A secret from the next stdin line (with --password-stdin) or a hidden prompt, within the bound of `line`. */
  async secret(prompt: string, line: InputLine): Promise<string> {
    if (this.options.passwordStdin) return this.stdin.take(line)
    const answer = this.io.host ? await this.io.host.prompt(prompt) : await promptHidden(prompt)
    // readline decodes the terminal leniently: bytes that are not UTF-8 arrive as U+FFFD, and
    // two different passwords would become one.
    if (answer.includes('\uFFFD'))
      throw new KeyholdError('INVALID_INPUT', `What was typed for ${line.what} is not valid UTF-8 text. Set the terminal to UTF-8, then run the command again.`)
    checkLength(line, answer)
    return answer
  }

  /**
   * A master password, bounded before any key is derived from it: as the IPC bounds it, in
   * characters of its NFC form.
   */
  async password(prompt: string, what: string): Promise<string> {
    return this.secret(prompt, { what, max: MASTER_PASSWORD_MAX, length: passwordLength })
  }

  /** Unlocks the vault with the master password and returns the services. */
  async unlocked(options: { autoLockMs?: number } = {}): Promise<Services> {
    if (this.io.host) {
      // In the agent: the vault is open already. A script's --password-stdin line is read, and
      // checked only for a command that needs the master password confirmed.
      // A --password-stdin line is checked too: a script sending a wrong one fails here as it would on the file.
      const { services } = this.io.host
      if (!services.vault.isUnlocked) throw new KeyholdError('VAULT_LOCKED', 'The vault locked meanwhile. Unlock Keyhold, or run the command again with --no-agent.')
      if (this.confirmInAgent || this.options.passwordStdin) await services.vault.confirmPassword(await this.password('Master password: ', 'the master password'))
      return services
    }
    // Typed at a prompt, the password takes seconds: sql.js loads meanwhile. Piped in, it is
    // there at once, and the unlock starts the KDF first and loads sql.js while it runs.
    if (!this.options.passwordStdin) preloadSqlJs()
    const services = this.services(undefined, options.autoLockMs)
    // Before asking for the password: is there a vault at all? (Any other problem with the file is the unlock's to report.)
    if (!(await new VaultFile(this.vaultPath).exists().catch(() => true)))
      throw new KeyholdError('VAULT_NOT_FOUND', `There is no vault at ${this.vaultPath}. Create one with \`keyhold init\`, or pass --vault PATH.`)
    await services.vault.unlock({ password: await this.password('Master password: ', 'the master password') })
    await services.activity.ready()
    return services
  }

  /** Prints `value` as JSON with --json, else the human text. */
  print(value: unknown, human: () => string): void {
    this.io.stdout.write(printed(this.json, () => value, human))
  }

  write(text: string | Uint8Array): void {
    this.io.stdout.write(text)
  }
}

/** Commander's parsers for numeric and repeatable options. */
export const parseInteger = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new KeyholdError('INVALID_INPUT', `${name} must be a whole number.`)
  return Number(value)
}

export const collect = (value: string, previous: string[] = []) => [...previous, value]
