import { setTimeout as sleep } from 'node:timers/promises'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { SECRET_LIMITS, secretClientSecret, secretEditInput, secretInput, secretListInput } from '../../src-shared/ipc/secrets.contract'
import { CLIPBOARD_CLEAR_MAX_SECONDS } from '../../src-shared/types/settings'
import { HTTP_METHODS, type SecretDetail, type SecretSummary } from '../../src-shared/types/secrets'
import type { Session } from '../../src-shared/local-access/client'
import { UUID } from '../../src-shared/text'
import { ClipboardGuard } from '../core/clipboard-guard'
import { lookupAmong, mayStartAnId, resolveRef, shortIdLengthAmong } from '../core/secrets/secrets.refs'
import { appKeyOf, throughAgent } from './agent.commands'
import { collect, type CliContext } from './context'
import { oneLine, parse, type OptionNames } from './helpers'
import { UsageError } from './io'
import { camel, checkField, describe, FIELD_NAMES, FIELDS, getText, listText, secretJson, summaryJson } from './secrets.format'
import { listing } from './listings'
import { registerSecretTransferCommands } from './secrets.transfer.commands'
import { clearIfHolds, findClipboardTool, handOffClear, SystemClipboard } from './system-clipboard'

interface FieldOptions {
  name?: string
  url?: string
  clientId?: string
  clientSecretStdin?: boolean
  /** `edit` only. */
  clearClientSecret?: boolean
  identifier?: string
  method?: string
  tag?: string[]
  notes?: string
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

/** The options that give each field, for messages. SECURITY: a URL is never quoted (it could hold a password). */
const FIELD_OPTIONS: OptionNames = {
  name: '--name',
  url: { option: '--url', quote: false },
  clientId: '--client-id',
  identifier: '--identifier',
  method: '--method',
  tags: '--tag',
  notes: { option: '--notes', quote: false },
  search: '--search',
  tag: '--tag',
}

/** Every option of `secret edit` that changes something, as "nothing to change" lists them. */
const EDIT_OPTIONS = '--name, --url, --client-id, --client-secret-stdin, --clear-client-secret, --identifier, --method, --tag or --notes'

/**
 * The client secret, on request only: the next stdin line with --password-stdin (line 2,
 * after the master password), else a hidden prompt. An empty line means "none" (for `add`).
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
  if (required) command.option('--client-secret-stdin', 'read the client secret from standard input (line 2 with --password-stdin; an empty line means none)')
  else
    command
      .option('--client-secret-stdin', 'read a new client secret from standard input (line 2 with --password-stdin; an empty line keeps the stored one)')
      .option('--clear-client-secret', 'remove the client secret')
  return command
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
    const summary = UUID.test(ref) ? await session.get(ref) : await byRef(session, ref)
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

/**
 * A REF through the agent, as the vault's `resolve` finds it among what the key may read: an
 * Identifier, an exact name, or the start of an id (an id itself is asked for directly).
 */
async function byRef(session: Session, ref: string): Promise<SecretSummary> {
  // A search for the REF finds any secret it names by Identifier or name; only the start of an
  // id needs them all, fetched when nothing else matched (each page is a request).
  const { items: named } = await listAll(session, ref)
  // `all`: the secrets an id's start is looked for among (none, until the Identifiers and names are ruled out).
  const resolve = (all: readonly SecretSummary[]) => {
    const id = resolveRef(ref, lookupAmong(named, all))
    return all.find((item) => item.id === id) ?? named.find((item) => item.id === id)!
  }
  try {
    try {
      return resolve([])
    } catch (error) {
      if (!(error instanceof KeyholdError && error.code === 'NOT_FOUND' && mayStartAnId(ref))) throw error
      return resolve((await listAll(session)).items)
    }
  } catch (error) {
    if (error instanceof KeyholdError && error.code === 'NOT_FOUND')
      throw new KeyholdError('NOT_FOUND', 'There is no API secret with that id, Identifier or name that this key may read. List them with `keyhold --app-key KEY --token-stdin secret list`.')
    throw error
  }
}

/** `--field` of `secret copy`: the Client ID or the client secret. */
const COPY_FIELDS = { 'client-secret': 'clientSecret', 'client-id': 'clientId' } as const

const REF_ARGUMENT = ['<REF>', "the API secret: its id, Identifier or exact name, or the start of its id as `secret list` shows it"] as const

/** `keyhold secret add|list|get|copy|edit|rm` and, from secrets.transfer.commands.ts, `import|export`. */
export function registerSecretCommands(program: Command, ctx: CliContext): void {
  const secret = program
    .command('secret')
    .description('API secrets: name, URL, Client ID, client secret, Identifier, method, tags, notes')
    .addHelpText('after', `
Examples:
  keyhold secret list --search stripe
  keyhold secret get stripe-prod --field client-secret
  keyhold secret copy stripe-prod
  keyhold secret import bitwarden-export.json`)

  fieldOptions(
    secret
      .command('add')
      .description('add an API secret (prints it without the client secret)')
      .addHelpText('after', `
Examples:
  keyhold secret add --name 'Stripe payments' --url https://api.stripe.com/v1 --client-id ci_123 --client-secret-stdin --identifier stripe-prod --tag prod
  printf '%s\\n%s\\n' "$MASTER" "$CLIENT_SECRET" | keyhold --password-stdin secret add --name Mailgun --url https://api.mailgun.net/v3 --client-id api --client-secret-stdin`),
    true,
  ).action(
    async (opts: FieldOptions) => {
      const fields = parse(secretInput, fieldsFrom(opts), FIELD_OPTIONS)
      const services = await ctx.unlocked()
      const clientSecret = opts.clientSecretStdin ? await readClientSecret(ctx) : null
      const added = await services.secrets.add({ ...fields, clientSecret })
      ctx.print(secretJson(added, undefined), () => `API secret saved: ${added.name} (${added.id})`)
    },
  )

  secret
    .command('list')
    .description('list API secrets, sorted by name (never a client secret)')
    .addHelpText('after', `
Examples:
  keyhold secret list
  keyhold secret list --search 'stripe prod' --tag payments
  keyhold --json secret list --tag ci`)
    .option('--search <Q>', 'only those whose name, URL, Client ID, Identifier, method or tags contain every word of Q (ignoring case)')
    .option('--tag <T>', 'only those with this tag (ignoring case)')
    .action(async (opts: { search?: string; tag?: string }) => {
      const { search, tag } = parse(secretListInput.pick({ search: true, tag: true }), { search: opts.search, tag: opts.tag }, FIELD_OPTIONS)
      if (appKeyOf(ctx) || ctx.options.pairing) {
        const { items, total } = await throughAgent(ctx, (session) => listAll(session, search, tag))
        const shown = () => items.filter((item) => item.identifier === null).map((item) => item.id)
        return ctx.write(listText(items, total, ctx.json, () => shortIdLengthAmong(items.map((item) => item.id), shown()), ctx.width))
      }
      const services = await ctx.unlocked()
      // In the agent, the whole list is printed from what it printed last while that is current.
      const listings = ctx.host?.listings
      if (listings && search === undefined && tag === undefined) return ctx.write(await listings.list({ json: ctx.json, width: ctx.width }))
      ctx.write(await listing(services, { search, tag }, ctx.json, ctx.width))
    })

  secret
    .command('get')
    .description('show one API secret; the client secret only with --json or --field client-secret')
    .addHelpText('after', `
Examples:
  keyhold secret get stripe-prod
  keyhold secret get 'Stripe payments' --field client-id
  printf '%s\\n' "$MASTER" | keyhold --password-stdin secret get stripe-prod --field client-secret`)
    .argument(...REF_ARGUMENT)
    .option('--field <F>', `print only this field: ${FIELD_NAMES.join(', ')}`)
    .action(async (ref: string, opts: { field?: string }) => {
      checkField(opts.field)
      if (appKeyOf(ctx) || ctx.options.pairing) return getThroughAgent(ctx, ref, opts.field)
      const services = await ctx.unlocked()
      const detail = services.secrets.resolve(ref)
      ctx.write(getText(detail, opts.field, ctx.json, () => services.secrets.reveal(detail.id).clientSecret))
    })

  fieldOptions(
    secret
      .command('edit')
      .description('change fields of an API secret; fields not given are kept')
      .addHelpText('after', `
Examples:
  keyhold secret edit stripe-prod --name 'Stripe EU' --tag eu
  keyhold secret edit stripe-prod --client-secret-stdin
  keyhold secret edit stripe-prod --clear-client-secret
  keyhold secret edit stripe-prod --method '' --identifier ''`)
      .argument(...REF_ARGUMENT),
    false,
  ).action(async (ref: string, opts: FieldOptions) => {
    if (opts.clientSecretStdin && opts.clearClientSecret) throw new UsageError('give either --client-secret-stdin or --clear-client-secret, not both')
    const given = fieldsFrom(opts)
    // Saving nothing would still mark the secret updated: refused before the master password is asked for.
    if (Object.keys(given).length === 0 && !opts.clientSecretStdin && !opts.clearClientSecret) throw new UsageError(`nothing to change: pass ${EDIT_OPTIONS}`)
    const changes = parse(secretEditInput.omit({ id: true }), given, FIELD_OPTIONS)
    const services = await ctx.unlocked()
    const { id } = services.secrets.resolve(ref)
    // As on the edit screen, an empty client secret keeps the stored one; only --clear-client-secret removes it.
    const clientSecret = opts.clearClientSecret ? null : opts.clientSecretStdin ? ((await readClientSecret(ctx)) ?? undefined) : undefined
    if (Object.keys(changes).length === 0 && clientSecret === undefined)
      throw new UsageError('nothing to change: the client secret line was empty, which keeps the stored one (--clear-client-secret removes it)')
    const edited = await services.secrets.edit({ ...changes, id, ...(clientSecret === undefined ? {} : { clientSecret }) })
    ctx.print(secretJson(edited, undefined), () => `API secret saved: ${edited.name} (${edited.id})`)
  })

  secret
    .command('rm')
    .description('delete an API secret')
    .addHelpText('after', `
Examples:
  keyhold secret rm stripe-prod`)
    .argument(...REF_ARGUMENT)
    .action(async (ref: string) => {
      const services = await ctx.unlocked()
      const { id, name } = services.secrets.resolve(ref)
      await services.secrets.remove(id)
      ctx.print({ removed: id }, () => `Deleted API secret ${name} (${id})`)
    })

  secret
    .command('copy')
    .description("copy the client secret (or with --field client-id the Client ID) to the clipboard; cleared after the vault's clipboard delay if it still holds it")
    .addHelpText('after', `
Examples:
  keyhold secret copy stripe-prod
  keyhold secret copy 'Stripe payments' --field client-id`)
    .argument(...REF_ARGUMENT)
    .option('--field <F>', `what to copy: ${Object.keys(COPY_FIELDS).join(' or ')} (default client-secret)`, 'client-secret')
    .action(async (ref: string, opts: { field: string }) => {
      if (!(opts.field in COPY_FIELDS)) throw new KeyholdError('INVALID_INPUT', `--field must be ${Object.keys(COPY_FIELDS).join(' or ')}.`)
      const field = COPY_FIELDS[opts.field as keyof typeof COPY_FIELDS]
      // Before the master password: is there a clipboard at all?
      const clipboard = new SystemClipboard(findClipboardTool(ctx.env), ctx.env)
      const services = await ctx.unlocked()
      const { id, name } = services.secrets.resolve(ref)
      // SECURITY: this guard only ever holds the copy's digest; the core records the copy.
      const guard = new ClipboardGuard(clipboard, () => services.settings.clipboardClearMs())
      const { clearsAfterMs } = await services.secrets.copy(id, field, guard)
      // The clear is handed to a process of its own, so the command returns now; failing that, this one waits.
      const handedOff = await handOffClear(clipboard.written!, clearsAfterMs, ctx.env)
      const what = field === 'clientId' ? 'Client ID' : 'client secret'
      ctx.print({ copied: field, id, clearsAfterMs }, () => `Copied the ${what} of ${oneLine(name)} to the clipboard. It is cleared in ${clearsAfterMs / 1000} s if it still holds it.`)
      if (!handedOff) {
        await sleep(clearsAfterMs)
        await guard.clearIfOurs()
      }
    })

  // The background half of `secret copy` (handOffClear): not for people, so not in the help.
  secret
    .command('clear-clipboard', { hidden: true })
    .requiredOption('--after-ms <MS>', 'wait this long first')
    .action(async (opts: { afterMs: string }) => {
      const afterMs = Number(opts.afterMs)
      if (!Number.isInteger(afterMs) || afterMs < 0 || afterMs > CLIPBOARD_CLEAR_MAX_SECONDS * 1000)
        throw new KeyholdError('INVALID_INPUT', `--after-ms must be a whole number from 0 to ${CLIPBOARD_CLEAR_MAX_SECONDS * 1000}.`)
      const digest = await ctx.stdin.take({ what: 'the SHA-256 of the copy, in hex', max: 64 })
      if (!/^[0-9a-f]{64}$/.test(digest)) throw new KeyholdError('INVALID_INPUT', 'Standard input must be the SHA-256 of the copy, in hex.')
      const clipboard = new SystemClipboard(findClipboardTool(ctx.env), ctx.env)
      await sleep(afterMs)
      await clearIfHolds(clipboard, Buffer.from(digest, 'hex'))
    })

  registerSecretTransferCommands(secret, ctx)
}
