import { dirname } from 'node:path'
import { Readable } from 'node:stream'
import { KeyholdError } from '../../src-shared/errors'
import { MASTER_PASSWORD_MAX, passwordLength } from '../../src-shared/password'
import { SECRET_LIMITS, type SecretDetail, type SecretId } from '../../src-shared/types/secrets'
import { ActivityJournal, type JournalEntry } from '../core/activity/activity.journal'
import { CatalogRows, matchRows, parseRows, privateFieldsAt } from '../core/secrets/secrets.catalog'
import { resolveRef, shortIdLengthAmong } from '../core/secrets/secrets.refs'
import { openCatalogFile, type CatalogBlockName, type CatalogFile } from '../core/vault/catalog'
import { unwrapDataKey } from '../core/vault/key-slots'
import { defaultVaultPath } from '../core/vault/paths'
import { terminalWidth } from './helpers'
import { errorLine } from './error-line'
import { StdinLines, type LineSource } from './io'
import { checkField, getReveals, getText, listText } from './secrets.format'

/**
 * The CLI's read path (docs/vault-catalog.md §5), bundled apart as out/cli/keyhold-read.cjs:
 * a cold `secret list [--search Q] [--tag T]` or `secret get REF [--field F]` with the master
 * password on standard input, served from the vault's catalog (the blocks it needs, not the
 * database image) without commander or sql.js. Its output is the whole CLI's byte for
 * byte (secrets.format.ts), and it journals what the whole CLI records.
 *
 * It declines (the whole CLI runs the line, and says whatever is wrong in its own words, with
 * its own journal entries and status) for any line it does not take exactly, a vault without
 * a usable catalog, and any error but one: a password that does not open the vault, a catalog
 * that fails its check. A REF that names none or several (NOT_FOUND, CONFLICT) it answers
 * itself, with the whole CLI's error line and status. Declining after standard input was
 * read hands the whole CLI the same input (`stdin`: what was read, then the rest).
 */
export type ReadOutcome = { status: number } | { declined: true; stdin: NodeJS.ReadableStream }

export interface ReadIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream
  env: NodeJS.ProcessEnv
}

/** The options of each command the read path takes (after its word: commander knows them there only). */
const WORD_OPTIONS: Readonly<Record<string, readonly string[]>> = { list: ['--search', '--tag'], get: ['--field'] }

/** What a command the read path served prints (or, for a REF that names none or several, its error line) and journals. */
interface Served {
  output: string
  error?: string
  unlockedAt: string
  revealed: SecretId | null
}

/** A line the read path takes. */
interface ReadLine {
  vault: string | undefined
  json: boolean
  command: { name: 'list'; search: string | undefined; tag: string | undefined } | { name: 'get'; ref: string; field: string | undefined }
}

/** Runs `argv` from the catalog, or declines. Never rejects: a failure after standard input was read declines with its replay. */
export async function runRead(argv: readonly string[], io: ReadIo = process): Promise<ReadOutcome> {
  const declined = { declined: true, stdin: io.stdin } as const
  const line = readLineOf(argv, io.env)
  if (!line) return declined
  const path = line.vault ?? io.env.KEYHOLD_VAULT ?? defaultVaultPath(io.env)
  const catalog = await openCatalogFile(path).catch(() => null)
  if (!catalog) return declined
  const input = new RecordedInput(io.stdin)
  const served = await serve(line, catalog, input, io)
    .catch(() => null)
    .finally(() => catalog.close().catch(() => undefined))
  if (served === null) return { declined: true, stdin: input.replay() }
  // Journaled first: a command killed while it prints (a closed pipe) has its reveal recorded.
  await journal(io.env, catalog.header.vaultId, served.unlockedAt, served.revealed)
  if (served.error !== undefined) {
    io.stderr.write(served.error)
    return { status: 1 }
  }
  io.stdout.write(served.output)
  return { status: 0 }
}

/** The line, when the read path takes it exactly as commander reads it (program.ts, secrets.commands.ts); otherwise undefined. */
export function readLineOf(argv: readonly string[], env: NodeJS.ProcessEnv): ReadLine | undefined {
  // An application key reads through the agent (agent.commands.ts appKeyOf).
  if (env.KEYHOLD_APP_KEY) return undefined
  let passwordStdin = false
  let json = false
  const values = new Map<string, string>()
  const words: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--password-stdin') passwordStdin = true
    else if (arg === '--json') json = true
    else if (arg === '--no-agent') continue
    else if (arg.startsWith('--')) {
      const [option, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
      // --vault anywhere; a command's options after its word (commander knows them there only).
      if (option !== '--vault' && !(words.length >= 2 && WORD_OPTIONS[words[1]!]?.includes(option))) return undefined
      const value = inline ?? argv[++i]
      // A value that looks like an option (or none), or an option given twice: the whole CLI's to read.
      if (value === undefined || (inline === undefined && value.startsWith('-')) || values.has(option)) return undefined
      values.set(option, value)
    } else if (arg.startsWith('-')) return undefined
    else words.push(arg)
  }
  if (!passwordStdin || words[0] !== 'secret') return undefined
  const vault = values.get('--vault')
  if (vault === '') return undefined
  if (words[1] === 'list' && words.length === 2) {
    const search = values.get('--search')
    const tag = values.get('--tag')
    // Over the contract's bounds (secretListInput): the whole CLI's message.
    if ((search?.length ?? 0) > SECRET_LIMITS.search || (tag?.length ?? 0) > SECRET_LIMITS.tag) return undefined
    return { vault, json, command: { name: 'list', search, tag } }
  }
  if (words[1] === 'get' && words.length === 3) {
    const field = values.get('--field')
    try {
      checkField(field)
    } catch {
      return undefined
    }
    return { vault, json, command: { name: 'get', ref: words[2]!, field } }
  }
  return undefined
}

/** What the command prints and what it journals, or null to decline. */
async function serve(line: ReadLine, catalog: CatalogFile, input: RecordedInput, io: ReadIo): Promise<Served | null> {
  // As the whole CLI reads it (context.ts password()): anything it would refuse throws, and declines.
  const password = await new StdinLines(input).take({ what: 'the master password', max: MASTER_PASSWORD_MAX, length: passwordLength })
  const dataKey = await unwrapDataKey(catalog.header, { password })
  const unlockedAt = new Date().toISOString()
  const { command, json } = line
  const names: CatalogBlockName[] = ['rows']
  if (command.name === 'list' && (command.search !== undefined || command.tag !== undefined)) names.push('search')
  if (command.name === 'get' && (command.field === undefined || command.field === 'notes' || getReveals(command.field, json))) names.push('secrets')
  let blocks: Partial<Record<CatalogBlockName, Buffer>> = {}
  try {
    blocks = await catalog.readBlocks(dataKey, names)
    if (command.name === 'list' && !blocks.search) {
      // Every secret: the widths measured on the records' texts, then each row parsed for its
      // line, none kept, so the collector has little to copy.
      const rows = new CatalogRows(blocks.rows!)
      const idLength = () => {
        const shown: SecretId[] = []
        for (let r = 0; r < rows.count; r++) if (rows.unidentified(r)) shown.push(rows.id(r))
        return shortIdLengthAmong(shown.length > 0 ? Array.from({ length: rows.count }, (_, r) => rows.id(r)) : [], shown)
      }
      const output = listText({ count: rows.count, at: (r) => rows.at(r), textAt: (r, starts) => rows.textAt(r, starts) }, rows.count, json, idLength, terminalWidth(io.stdout))
      return { output, unlockedAt, revealed: null }
    }
    if (command.name === 'list') {
      const all = parseRows(blocks.rows!)
      const items = matchRows(blocks.search!, all, command.search, command.tag).map((index) => all[index]!)
      const shown = () => items.filter((item) => item.identifier === null).map((item) => item.id)
      const output = listText(items, items.length, json, () => shortIdLengthAmong(all.map((row) => row.id), shown()), terminalWidth(io.stdout))
      return { output, unlockedAt, revealed: null }
    }
    // One secret: found by searching the rows' bytes (CatalogRows.lookup); only its row is parsed.
    const rows = new CatalogRows(blocks.rows!)
    let id: SecretId
    try {
      id = resolveRef(command.ref, rows.lookup())
    } catch (error) {
      // A REF that names none or several: the whole CLI's error line (one definition, secrets.refs.ts), without opening the vault again.
      if (error instanceof KeyholdError && (error.code === 'NOT_FOUND' || error.code === 'CONFLICT')) return { output: '', error: errorLine(error), unlockedAt, revealed: null }
      throw error
    }
    const index = rows.rowOf(id)
    const { identifierKey: _key, ...summary } = rows.at(index)
    const secret = blocks.secrets ? privateFieldsAt(blocks.secrets, index, rows.count) : { clientSecret: null, notes: '' }
    const detail: SecretDetail = { ...summary, notes: secret.notes }
    const revealed = getReveals(command.field, json)
    return { output: getText(detail, command.field, json, () => secret.clientSecret), unlockedAt, revealed: revealed ? id : null }
  } finally {
    // SECURITY: the decrypted blocks and the key; the strings made from them are left to the process's end, moments later.
    for (const block of Object.values(blocks)) block.fill(0)
    dataKey.fill(0)
  }
}

/**
 * What the whole CLI leaves in the activity journal for the same command (activity.service.ts
 * onBeforeLock: a CLI command that only read): its unlock and lock, and between them the
 * reveal of a client secret, which the whole CLI writes into the vault and the read path
 * cannot (docs/activity-log.md §2.1). SECURITY: the secret by its id alone; never its name or value.
 */
async function journal(env: NodeJS.ProcessEnv, vaultId: string, unlockedAt: string, revealed: SecretId | null): Promise<void> {
  const journal = new ActivityJournal(dirname(defaultVaultPath(env)))
  const cli = { type: 'cli' } as const
  const entries: Array<Omit<JournalEntry, 'id'>> = [
    { at: unlockedAt, event: 'vault.unlocked', actor: cli, outcome: 'ok', detail: { with: 'password' } },
    ...(revealed ? [{ at: new Date().toISOString(), event: 'secret.revealed' as const, actor: cli, target: { type: 'secret' as const, id: revealed }, outcome: 'ok' as const, detail: {} }] : []),
    { at: new Date().toISOString(), event: 'vault.locked', actor: cli, outcome: 'ok', detail: {} },
  ]
  // As the whole CLI's: a journal that cannot be written loses these entries, never the command's output.
  await journal.append(vaultId, ...entries).catch(() => undefined)
}

/**
 * Standard input as the read path reads it: every chunk taken is kept, so that declining hands
 * the whole CLI the same input (`replay`). One iterator over the stream serves both, so nothing
 * is read twice or lost between them.
 */
class RecordedInput implements LineSource {
  private readonly taken: Buffer[] = []
  private iterator: AsyncIterator<Buffer | string> | undefined

  constructor(private readonly stream: NodeJS.ReadableStream) {}

  private source(): AsyncIterator<Buffer | string> {
    return (this.iterator ??= this.stream[Symbol.asyncIterator]())
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer | string> {
    return {
      next: async () => {
        const next = await this.source().next()
        if (!next.done) this.taken.push(bufferOf(next.value))
        return next
      },
    }
  }

  ref(): void {
    ;(this.stream as Partial<LineSource>).ref?.()
  }

  unref(): void {
    ;(this.stream as Partial<LineSource>).unref?.()
  }

  /**
   * Standard input again from its start: what was read, then the rest as it comes. Like
   * standard input itself, it holds the process open only while the whole CLI awaits a line
   * (StdinLines refs it then).
   */
  replay(): NodeJS.ReadableStream {
    if (!this.iterator) return this.stream
    let first: Buffer | undefined = Buffer.concat(this.taken)
    this.taken.length = 0
    const source = this.iterator
    const replay = new Readable({
      read() {
        if (first) {
          const chunk = first
          first = undefined
          if (chunk.length > 0) return void this.push(chunk)
        }
        source.next().then(
          (next) => this.push(next.done ? null : bufferOf(next.value)),
          (error: Error) => this.destroy(error),
        )
      },
    })
    return Object.assign(replay, { ref: () => this.ref(), unref: () => this.unref() })
  }
}

const bufferOf = (chunk: Buffer | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
