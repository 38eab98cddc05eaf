import { spawn } from 'node:child_process'
import { constants as osConstants } from 'node:os'
import { Writable } from 'node:stream'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { checkExportFile, writeExportFile } from '../core/export-file'
import { fileSystemError } from '../core/vault/fs-errors'
import type { CliContext } from './context'
import { collect } from './context'
import { ExitStatus, StatusError } from './helpers'
import { decodeUtf8 } from './io'
import { MaskingStream, parseReference, REFERENCE_PREFIX, resolveReferences, shown, type Reference } from './references'
import { route, runInAgent, terminalSession } from './terminal-client'

/** Template and env files are small text files: refused above this size before they are read whole. */
const TEXT_FILE_MAX_BYTES = 4 * 1024 * 1024
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** The signals `run` passes on to the command (a terminal's Ctrl-C reaches both: the command gets it twice only if it was sent to keyhold alone). */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']

/** A UTF-8 text file of at most TEXT_FILE_MAX_BYTES, or a typed error naming it. */
async function readTextFile(path: string, what: string): Promise<string> {
  const { open } = await import('node:fs/promises')
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileSystemError(error, { reading: path })
  })
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new KeyholdError('INVALID_INPUT', `${path} is not a file. Give the ${what} as a file.`)
    if (stat.size > TEXT_FILE_MAX_BYTES) throw new KeyholdError('INVALID_INPUT', `${path} is larger than 4 MiB, too large for ${what}.`)
    const text = decodeUtf8(await handle.readFile(), { stripBom: true })
    if (text === undefined) throw new KeyholdError('INVALID_INPUT', `${path} is not UTF-8 text. Convert it (for example with iconv -t UTF-8) and run the command again.`)
    return text
  } finally {
    await handle.close()
  }
}

/** `--env NAME=REF`: a variable name and a reference. */
function envOption(value: string): { name: string; reference: Reference } {
  const at = value.indexOf('=')
  const name = at < 0 ? value : value.slice(0, at)
  if (at < 0 || !ENV_NAME.test(name))
    throw new KeyholdError('INVALID_INPUT', `--env ${shown(value)} is not NAME=REF. Write it as --env STRIPE_KEY=keyhold://stripe-prod/client-secret.`)
  return { name, reference: parseReference(value.slice(at + 1)) }
}

/**
 * `keyhold run` and `keyhold inject`: secrets into programs, by reference (references.ts),
 * resolved all at once before anything starts or is written.
 */
export function registerRunCommands(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run COMMAND with secrets in its environment; where its output shows a client secret, it is masked')
    .option('--env <NAME=REF>', 'set NAME to the value of a reference, e.g. STRIPE_KEY=keyhold://stripe-prod/client-secret (repeatable)', collect, [])
    .option('--env-file <FILE>', 'a .env file (NAME=VALUE lines); values that are references are resolved, others passed as they are')
    .option('--no-masking', "pass the command's output through untouched (it is then the terminal's, colours and all)")
    .argument('<COMMAND...>', 'the command and its arguments, after --')
    .addHelpText(
      'after',
      `
References are keyhold://REF/FIELD: REF is an API secret's Identifier, id or name
(percent-encoded), FIELD is client-secret, client-id, url, name, identifier, method, notes or id.
Variables already in the environment whose value is a reference are resolved too.

Examples:
  keyhold run --env STRIPE_KEY=keyhold://stripe-prod/client-secret -- node server.js
  export GITHUB_TOKEN=keyhold://github/client-secret; keyhold run -- gh api user
  keyhold run --env-file .env -- npm start

The exit status is the command's (128 + the signal's number when a signal ended it).
With --password-stdin, the command's standard input is empty.`,
    )
    .action(async (command: string[], opts: { env: string[]; envFile?: string; masking: boolean }) => {
      if (command.length === 0) throw new KeyholdError('INVALID_INPUT', 'Give the command to run after --, e.g. keyhold run --env K=keyhold://ref/client-secret -- node app.js.')
      // Every reference is parsed before the vault is opened: a typo costs no password.
      const wanted: Array<{ name: string; reference: Reference; from: string }> = []
      for (const [name, value] of Object.entries(ctx.env))
        if (value?.startsWith(REFERENCE_PREFIX)) wanted.push({ name, reference: parseReference(value), from: `$${name}` })
      if (opts.envFile !== undefined) {
        const { parse } = await import('dotenv')
        const file = opts.envFile
        for (const [name, value] of Object.entries(parse(await readTextFile(file, 'an env file')))) {
          if (!ENV_NAME.test(name)) throw new KeyholdError('INVALID_INPUT', `${file}: "${shown(name)}" is not a variable name.`)
          if (value.startsWith(REFERENCE_PREFIX)) wanted.push({ name, reference: parseReference(value), from: `${file}: ${name}` })
          else wanted.push({ name, reference: { text: value, ref: '', field: 'id' }, from: 'plain' })
        }
      }
      for (const option of opts.env.map(envOption)) wanted.push({ ...option, from: `--env ${option.name}` })

      const references = wanted.filter((w) => w.from !== 'plain')
      const values = await resolveAll(
        ctx,
        references.map((w) => w.reference),
        references.map((w) => w.from),
      )
      const env: NodeJS.ProcessEnv = { ...ctx.env }
      let r = 0
      for (const w of wanted) env[w.name] = w.from === 'plain' ? w.reference.text : values[r++]!
      // The vault closes before the command starts: it runs as long as it likes, the vault does not stay open.
      // (Opened here only when no agent resolved the references.)
      if (!ctx.host) {
        const services = ctx.services()
        services.vault.lock()
        await services.vault.locked()
        await services.activity.settled()
      }
      // Client secrets are what is masked: a URL or a Client ID in the output is left readable.
      const secrets = values.filter((_, i) => references[i]!.reference.field === 'client-secret')
      throw new ExitStatus(await runChild(command, env, opts.masking ? secrets : null, !ctx.options.passwordStdin))
    })

  // Run in the agent for `run` and `inject`: resolves references there and prints their values as JSON.
  program
    .command('resolve-references', { hidden: true })
    .option('--ref <REF>', 'a reference', collect, [] as string[])
    .option('--label <WHERE>', 'where it was written', collect, [] as string[])
    .action(async (opts: { ref: string[]; label: string[] }) => {
      const references = opts.ref.map(parseReference)
      const services = await ctx.unlocked()
      const values = resolveReferences(services, references, (i) => opts.label[i] ?? references[i]!.text)
      ctx.print(values, () => JSON.stringify(values))
    })

  program
    .command('inject')
    .description('write a config file from a template, replacing each {{ keyhold://REF/FIELD }} with its value')
    .requiredOption('-i, --in-file <TEMPLATE>', 'the template')
    .option('-o, --out-file <FILE>', 'write here, mode 0600 (default: standard output)')
    .option('--force', 'replace FILE if it exists')
    .addHelpText(
      'after',
      `
Example:
  keyhold inject -i config.yml.tpl -o config.yml
  where config.yml.tpl holds   api_key: {{ keyhold://stripe-prod/client-secret }}

Every reference must resolve, or nothing is written.`,
    )
    .action(async (opts: { inFile: string; outFile?: string; force?: boolean }) => {
      const template = await readTextFile(opts.inFile, 'a template')
      const where = opts.inFile
      const found = [...template.matchAll(/\{\{\s*(keyhold:\/\/[^\s{}]*)\s*\}\}/g)]
      const references = found.map((m) => {
        try {
          return parseReference(m[1]!)
        } catch (error) {
          throw new KeyholdError('INVALID_INPUT', `${where}, line ${lineOf(template, m.index)}: ${(error as Error).message}`)
        }
      })
      if (opts.outFile !== undefined) await checkExportFile(opts.outFile, opts.force === true)
      const values = await resolveAll(
        ctx,
        references,
        found.map((m) => `${where}, line ${lineOf(template, m.index)}`),
      )
      let i = 0
      const text = template.replace(/\{\{\s*(keyhold:\/\/[^\s{}]*)\s*\}\}/g, () => values[i++]!)
      if (opts.outFile === undefined) return ctx.write(text)
      const out = opts.outFile
      await writeExportFile(out, text)
      if (!ctx.json) return
      ctx.print({ written: out, references: references.length }, () => '')
    })
}

const lineOf = (text: string, index: number | undefined) => text.slice(0, index ?? 0).split('\n').length

/**
 * The values of `references`, all or none: in the agent when one holds the vault unlocked (no
 * password: the hidden `resolve-references` command runs there), else from the vault file.
 * `labels[i]` says where reference i was written, for the error.
 */
async function resolveAll(ctx: CliContext, references: readonly Reference[], labels: readonly string[]): Promise<string[]> {
  if (references.length === 0) return []
  const args = ['resolve-references', ...references.flatMap((reference, i) => ['--ref', reference.text, '--label', labels[i]!])]
  const argv = [...globalArgv(ctx), '--json', ...args]
  const routed = ctx.host ? null : await route(argv, ctx.env)
  const session = routed?.path === 'agent' ? await terminalSession(routed, argv) : null
  if (!session) return resolveReferences(await ctx.unlocked(), references, (i) => labels[i]!)
  let out = ''
  let err = ''
  const status = await runInAgent(session, argv, {
    stdout: new Writable({ write: (chunk, _encoding, done) => ((out += String(chunk)), done()) }),
    stderr: new Writable({ write: (chunk, _encoding, done) => ((err += String(chunk)), done()) }),
    stdin: process.stdin,
    env: ctx.env,
  })
  if (status !== 0) {
    const said = /^keyhold: ([A-Z_]+): (.*)$/s.exec(err.trim())
    if (said) throw new KeyholdError(said[1] as never, said[2]!)
    throw new KeyholdError('INTERNAL', `The agent could not resolve the references (exit ${status}). Run the command again with --no-agent.`)
  }
  return JSON.parse(out) as string[]
}

/** This run's global options, to pass on to the agent (the vault, --password-stdin, --no-agent). */
function globalArgv(ctx: CliContext): string[] {
  const { vault, passwordStdin, agent } = ctx.options
  return [...(vault ? ['--vault', vault] : []), ...(passwordStdin ? ['--password-stdin'] : []), ...(agent === false ? ['--no-agent'] : [])]
}

/**
 * Starts the command with `env` and waits for it: its exit status, or 128 + the signal's
 * number. Signals sent to keyhold are passed on. `mask`: the values to conceal in its output
 * (its stdout and stderr then go through MaskingStream), or null to hand it the terminal.
 */
function runChild(command: string[], env: NodeJS.ProcessEnv, mask: string[] | null, keepStdin: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      env,
      stdio: [keepStdin ? 'inherit' : 'ignore', mask ? 'pipe' : 'inherit', mask ? 'pipe' : 'inherit'],
    })
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    for (const signal of FORWARDED) process.on(signal, forward)
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward)
    }
    if (mask) {
      child.stdout!.pipe(new MaskingStream(mask)).pipe(process.stdout, { end: false })
      child.stderr!.pipe(new MaskingStream(mask)).pipe(process.stderr, { end: false })
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      done()
      if (error.code === 'ENOENT')
        reject(new StatusError('NOT_FOUND', `The command "${shown(command[0]!)}" was not found. Check its name, or give its full path.`, 127))
      else if (error.code === 'EACCES') reject(new StatusError('FORBIDDEN', `"${shown(command[0]!)}" cannot be run: it is not executable. Check its permissions.`, 126))
      else reject(error)
    })
    child.on('close', (code, signal) => {
      done()
      resolve(signal ? 128 + (osConstants.signals[signal] ?? 0) : (code ?? 1))
    })
  })
}
