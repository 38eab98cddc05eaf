import { basename } from 'node:path'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { SECRET_LIMITS, secretClientSecret, secretEditInput, secretInput, secretListInput } from '../../src-shared/ipc/secrets.contract'
import { HTTP_METHODS, type SecretDetail, type SecretSummary } from '../../src-shared/types/secrets'
import { fold } from '../../src-shared/fold'
import type { Session } from '../../src-shared/local-access/client'
import { UUID } from '../../src-shared/text'
import { throughAgent } from './agent.commands'
import { collect, type CliContext } from './context'
import { columns, oneLine, parse, when } from './helpers'
import { detectFormat, parseImport, readImportFile } from './secrets.import'

interface FieldOptions {
  name?: string
  url?: string
  clientId?: string
  clientSecretStdin?: boolean
  identifier?: string
  method?: string
  tag?: string[]
  notes?: string
}

/** `secret get --field` names and where each value comes from. */
const FIELDS = {
  id: (s: SecretDetail) => s.id,
  name: (s: SecretDetail) => s.name,
  url: (s: SecretDetail) => s.url,
  'client-id': (s: SecretDetail) => s.clientId,
  identifier: (s: SecretDetail) => s.identifier ?? '',
  method: (s: SecretDetail) => s.method ?? '',
  tags: (s: SecretDetail) => s.tags.join('\n'),
  notes: (s: SecretDetail) => s.notes,
  'created-at': (s: SecretDetail) => s.createdAt,
  'updated-at': (s: SecretDetail) => s.updatedAt,
} as const
const FIELD_NAMES = [...Object.keys(FIELDS), 'client-secret']
const camel = (field: string) => field.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

/** `--json` shape of one API secret: the import keys plus id and times. */
function secretJson(detail: SecretDetail, clientSecret: string | null | undefined) {
  const { hasClientSecret: _has, ...rest } = detail
  return {
    id: rest.id,
    name: rest.name,
    url: rest.url,
    clientId: rest.clientId,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    identifier: rest.identifier,
    method: rest.method,
    tags: rest.tags,
    notes: rest.notes,
    createdAt: rest.createdAt,
    updatedAt: rest.updatedAt,
  }
}

/** `--json` shape of a list row: never the client secret or the notes. */
function summaryJson(s: SecretSummary) {
  return {
    id: s.id,
    name: s.name,
    url: s.url,
    clientId: s.clientId,
    identifier: s.identifier,
    method: s.method,
    tags: s.tags,
    hasClientSecret: s.hasClientSecret,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  }
}

function secretTable(items: SecretSummary[], total: number): string {
  if (total === 0) return 'No API secrets match. Add one with `keyhold secret add --name N --url U --client-id C`.'
  return [
    columns([
      ['NAME', 'IDENTIFIER', 'METHOD', 'URL', 'CLIENT ID', 'TAGS', 'UPDATED'],
      ...items.map((s) => [oneLine(s.name), s.identifier ?? '-', s.method ?? '-', s.url, s.clientId, s.tags.join(', ') || '-', when(s.updatedAt)]),
    ]),
    `${total} API secret${total === 1 ? '' : 's'}`,
  ].join('\n')
}

function describe(detail: SecretDetail): string {
  return columns([
    ['Name', detail.name],
    ['URL', detail.url],
    ['Client ID', detail.clientId],
    ['Client secret', detail.hasClientSecret ? '(hidden; --field client-secret prints it)' : '(none)'],
    ['Identifier', detail.identifier ?? '-'],
    ['Method', detail.method ?? '-'],
    ['Tags', detail.tags.join(', ') || '-'],
    ['Notes', detail.notes === '' ? '-' : detail.notes.replace(/\n/g, '\n               ')],
    ['Created', when(detail.createdAt)],
    ['Last updated', when(detail.updatedAt)],
    ['ID', detail.id],
  ])
}

/** The fields given on the command line, as the schemas expect them (absent stays absent). */
function fieldsFrom(opts: FieldOptions): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    name: opts.name,
    url: opts.url,
    clientId: opts.clientId,
    identifier: opts.identifier,
    method: opts.method,
    notes: opts.notes,
    // `--tag ''` alone means "no tags" (for edit); empty values are otherwise ignored.
    tags: opts.tag?.filter((tag) => tag.trim() !== ''),
  }
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
}

/**
 * The client secret, on request only: the next stdin line with --password-stdin (line 2,
 * after the master password), else a hidden prompt. An empty line means "none".
 */
async function readClientSecret(ctx: CliContext): Promise<string | null> {
  return parse(secretClientSecret, await ctx.secret('Client secret: ', { what: 'the client secret', max: SECRET_LIMITS.clientSecret }))
}

const fieldOptions = (command: Command, required: boolean) => {
  const option = (flags: string, description: string) =>
    required ? command.requiredOption(flags, description) : command.option(flags, description)
  option('--name <N>', 'name of the API secret' + (required ? ' (required)' : ''))
  option('--url <U>', 'absolute http:// or https:// URL of the API' + (required ? ' (required)' : ''))
  option('--client-id <C>', 'Client ID' + (required ? ' (required)' : ''))
  return command
    .option('--client-secret-stdin', 'read the client secret from standard input (line 2 with --password-stdin; an empty line means none)')
    .option('--identifier <I>', 'unique Identifier (ignoring case and surrounding spaces); empty for none')
    .option('--method <M>', `HTTP method: ${HTTP_METHODS.join(', ')}; empty for none`)
    .option('--tag <T>', required ? 'a tag (repeatable)' : "a tag (repeatable; replaces the tags; --tag '' removes them all)", collect)
    .option('--notes <TEXT>', 'notes')
}

/** Every page of a search through the agent (pages are bounded by count and bytes). */
async function listAll(session: Session, search?: string, tag?: string): Promise<{ items: SecretSummary[]; total: number }> {
  const items: SecretSummary[] = []
  let total = 0
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await session.list({ ...(search && { query: search }), ...(tag && { tag }), offset, limit: 100 })
    items.push(...page.items)
    total = page.total
    offset = page.nextOffset
  }
  return { items, total }
}

/**
 * `secret get` through the agent as an application key: the same output, from what the
 * agent gives (a summary; no notes), and the client secret only when asked for.
 */
async function getThroughAgent(ctx: CliContext, ref: string, field: string | undefined): Promise<void> {
  await throughAgent(ctx, async (session) => {
    const summary = UUID.test(ref) ? await session.get(ref) : await byIdentifier(session, ref)
    const detail: SecretDetail = { ...summary, notes: '' }
    if (field === 'client-secret') {
      // SECURITY: printed only because this command asked for exactly this value.
      const { clientSecret } = await session.reveal(summary.id)
      return ctx.print({ clientSecret }, () => clientSecret ?? '')
    }
    if (field === 'notes') throw new KeyholdError('INVALID_INPUT', 'Notes are not shared with application keys. Read them in Keyhold.')
    if (field !== undefined) {
      const value = FIELDS[field as keyof typeof FIELDS](detail)
      return ctx.print({ [camel(field)]: field === 'tags' ? detail.tags : (summaryJson(summary) as Record<string, unknown>)[camel(field)] }, () => value)
    }
    if (!ctx.json) return ctx.write(`${describe(detail).replace(/\nNotes .*\n/, '\n')}\n`)
    const { clientSecret } = await session.reveal(summary.id)
    const { notes: _notes, ...json } = secretJson(detail, clientSecret)
    ctx.print(json, () => '')
  })
}

async function byIdentifier(session: Session, identifier: string): Promise<SecretSummary> {
  const wanted = fold(identifier)
  const { items } = await listAll(session, identifier)
  const found = items.find((item) => item.identifier !== null && fold(item.identifier) === wanted)
  if (!found) throw new KeyholdError('NOT_FOUND', 'There is no API secret with that id or Identifier that this key may read. List them with `keyhold --app-key KEY --token-stdin secret list`.')
  return found
}

/** `keyhold secret add|list|get|edit|rm|import`. */
export function registerSecretCommands(program: Command, ctx: CliContext): void {
  const secret = program.command('secret').description('API secrets: name, URL, Client ID, client secret, Identifier, method, tags, notes')

  fieldOptions(secret.command('add').description('add an API secret (prints it without the client secret)'), true).action(
    async (opts: FieldOptions) => {
      const fields = parse(secretInput, fieldsFrom(opts))
      const services = await ctx.unlocked()
      const clientSecret = opts.clientSecretStdin ? await readClientSecret(ctx) : null
      const added = await services.secrets.add({ ...fields, clientSecret })
      ctx.print(secretJson(added, undefined), () => `API secret saved: ${added.name} (${added.id})`)
    },
  )

  secret
    .command('list')
    .description('list API secrets, sorted by name (never a client secret)')
    .option('--search <Q>', 'only those whose name, URL, Client ID, Identifier, method or tags contain every word of Q (ignoring case)')
    .option('--tag <T>', 'only those with this tag (ignoring case)')
    .action(async (opts: { search?: string; tag?: string }) => {
      const { search, tag } = parse(secretListInput.pick({ search: true, tag: true }), { search: opts.search, tag: opts.tag })
      if (ctx.options.appKey || ctx.options.pairing) {
        const { items, total } = await throughAgent(ctx, (session) => listAll(session, search, tag))
        return ctx.print(items.map(summaryJson), () => secretTable(items, total))
      }
      const services = await ctx.unlocked()
      const page = await services.secrets.listOnce({ search, tag, limit: Number.MAX_SAFE_INTEGER })
      ctx.print(page.items.map(summaryJson), () => secretTable(page.items, page.total))
    })

  secret
    .command('get')
    .description('show one API secret; the client secret only with --json or --field client-secret')
    .argument('<ID_OR_IDENTIFIER>', 'the id or the Identifier of the API secret')
    .option('--field <F>', `print only this field: ${FIELD_NAMES.join(', ')}`)
    .action(async (ref: string, opts: { field?: string }) => {
      if (opts.field !== undefined && !FIELD_NAMES.includes(opts.field))
        throw new KeyholdError('INVALID_INPUT', `The field must be one of ${FIELD_NAMES.join(', ')}.`)
      if (ctx.options.appKey || ctx.options.pairing) return getThroughAgent(ctx, ref, opts.field)
      const services = await ctx.unlocked()
      const detail = services.secrets.resolve(ref)
      if (opts.field === 'client-secret') {
        // SECURITY: printed only because this command asked for exactly this value.
        const { clientSecret } = services.secrets.reveal(detail.id)
        ctx.print({ clientSecret }, () => clientSecret ?? '')
        return
      }
      if (opts.field !== undefined) {
        const value = FIELDS[opts.field as keyof typeof FIELDS](detail)
        const jsonValue = opts.field === 'tags' ? detail.tags : (secretJson(detail, undefined) as Record<string, unknown>)[camel(opts.field)]
        ctx.print({ [camel(opts.field)]: jsonValue }, () => value)
        return
      }
      if (!ctx.json) return ctx.write(`${describe(detail)}\n`)
      // --json is for scripts and import: it carries the client secret, as `get` asked for this one item.
      ctx.print(secretJson(detail, services.secrets.reveal(detail.id).clientSecret), () => '')
    })

  fieldOptions(
    secret
      .command('edit')
      .description('change fields of an API secret; fields not given are kept')
      .argument('<ID_OR_IDENTIFIER>', 'the id or the Identifier of the API secret'),
    false,
  ).action(async (ref: string, opts: FieldOptions) => {
    const changes = parse(secretEditInput.omit({ id: true }), fieldsFrom(opts))
    const services = await ctx.unlocked()
    const { id } = services.secrets.resolve(ref)
    const clientSecret = opts.clientSecretStdin ? await readClientSecret(ctx) : undefined
    const edited = await services.secrets.edit({ ...changes, id, ...(clientSecret === undefined ? {} : { clientSecret }) })
    ctx.print(secretJson(edited, undefined), () => `API secret saved: ${edited.name} (${edited.id})`)
  })

  secret
    .command('rm')
    .description('delete an API secret')
    .argument('<ID_OR_IDENTIFIER>', 'the id or the Identifier of the API secret')
    .action(async (ref: string) => {
      const services = await ctx.unlocked()
      const { id, name } = services.secrets.resolve(ref)
      await services.secrets.remove(id)
      ctx.print({ removed: id }, () => `Deleted API secret ${name} (${id})`)
    })

  secret
    .command('import')
    .description('add every API secret of a JSON array or CSV file (tags separated by ";"), all or none')
    .argument('<FILE>', 'a .json file (array of objects) or a .csv file with a header row; keys: name, url, clientId, clientSecret, identifier, method, tags, notes')
    .action(async (file: string) => {
      const text = await readImportFile(file)
      const { inputs, label } = parseImport(text, detectFormat(basename(file), text))
      const services = await ctx.unlocked()
      const added = await services.secrets.addMany(inputs, label)
      ctx.print({ imported: added.length, ids: added.map((s) => s.id) }, () => `Imported ${added.length} API secret${added.length === 1 ? '' : 's'}.`)
    })
}
