import type { Command } from 'commander'
import { appsChannels } from '../../src-shared/ipc/apps.contract'
import { APP_TYPE_LABELS, type AppCreated, type AppSummary } from '../../src-shared/types/apps'
import { qrTerminal } from '../core/apps/pairing-qr'
import type { CliContext } from './context'
import { columns, inCliWords, parse, when, type OptionNames } from './helpers'
import { UsageError } from './io'

/** The options that give each field of a request, for messages. */
const APP_OPTIONS: OptionNames = { id: 'ID', name: '--name', type: { option: '--type', allowed: Object.entries(APP_TYPE_LABELS).map(([type, label]) => `${label} (${type})`).join(' or ') }, expiresAt: '--expires' }

function table(apps: AppSummary[], width: number | undefined): string {
  if (apps.length === 0) return 'No applications yet. Create a key with `keyhold app new --name NAME --type mobile|extension`.'
  return columns([
    ['ID', 'NAME', 'TYPE', 'CREATED', 'EXPIRES', 'STATUS', 'LAST USED'],
    ...apps.map((a) => [a.id, a.name, APP_TYPE_LABELS[a.type], when(a.createdAt), when(a.expiresAt), a.status, when(a.lastUsedAt)]),
  ], { width, cut: [1] })
}

/** `keyhold app new|list|edit|revoke`: My apps authorization keys. */
export function registerAppCommands(program: Command, ctx: CliContext): void {
  const app = program.command('app').description('My apps: authorization keys for your mobile app and browser extension')
  .addHelpText('after', `
Examples:
  keyhold app new --name 'My phone' --type mobile
  keyhold app list
  keyhold app revoke "$APP_ID"`)

  app
    .command('new')
    .description('create an authorization key and print it ONCE as a code and a QR code (with --json: { id, code, uri, network })')
    .addHelpText('after', `
Examples:
  keyhold app new --name 'My phone' --type mobile
  keyhold app new --name 'Work browser' --type extension --expires 2026-12-31T18:00:00Z
  printf '%s\\n' "$MASTER" | keyhold --password-stdin --json app new --name 'Build box' --type extension`)
    .requiredOption('--name <NAME>', 'name of the application')
    .requiredOption('--type <TYPE>', 'mobile or extension')
    .option('--expires <ISO-8601>', 'expiration date and time with a time zone, e.g. 2026-12-31T18:00:00Z (default: until revoked)')
    .action(async (opts: { name: string; type: string; expires?: string }) => {
      const input = parse(appsChannels.appsCreate.input, { name: opts.name, type: opts.type, expiresAt: opts.expires ?? null }, APP_OPTIONS)
      const services = await ctx.unlocked()
      const created = await services.apps.create(input)
      if (ctx.json) {
        ctx.print({ id: created.app.id, code: created.code, uri: created.uri, ...(created.network !== undefined && { network: created.network }) }, () => '')
        return
      }
      // SECURITY: the only time the key is printed; Keyhold keeps only its hash.
      const qr = await qrTerminal(created.uri, !!process.stdout.isTTY)
      const { app: summary } = created
      ctx.write(
        [
          `Authorization key for "${summary.name}" (${APP_TYPE_LABELS[summary.type]}), id ${summary.id}`,
          `Expires: ${when(summary.expiresAt, 'never (until revoked)')}`,
          '',
          'Scan this QR code with the application:',
          qr.replace(/\n+$/, ''),
          '',
          `Or enter this code: ${created.code}`,
          '',
          ...phoneLines(created.network),
          'This key is shown only this once: Keyhold stores only a hash of it and cannot show it again.',
          `If it is lost, revoke it (keyhold app revoke ${summary.id}) and create a new one.`,
          '',
        ].join('\n'),
      )
    })

  app
    .command('list')
    .description('list the registered applications with their status (never a key)')
    .addHelpText('after', `
Examples:
  keyhold app list
  printf '%s\\n' "$MASTER" | keyhold --password-stdin --json app list`)
    .action(async () => {
      const services = await ctx.unlocked()
      const apps = services.apps.list('all')
      ctx.print(apps, () => table(apps, ctx.width))
    })

  app
    .command('edit')
    .description('change the name and/or the expiration of an application')
    .addHelpText('after', `
Examples:
  keyhold app edit "$APP_ID" --name 'Old phone'
  keyhold app edit "$APP_ID" --expires 2026-06-30T00:00:00Z
  keyhold app edit "$APP_ID" --no-expiry`)
    .argument('<ID>', 'application id (see keyhold app list)')
    .option('--name <NAME>', 'new name')
    .option('--expires <ISO-8601>', 'new expiration date and time with a time zone')
    .option('--no-expiry', 'remove the expiration: the key lasts until revoked')
    .action(inCliWords(async (id: string, opts: { name?: string; expires?: string; expiry: boolean }) => {
      if (opts.expires !== undefined && !opts.expiry) throw new UsageError('give either --expires or --no-expiry, not both')
      if (opts.name === undefined && opts.expires === undefined && opts.expiry)
        throw new UsageError('nothing to change: pass --name, --expires or --no-expiry')
      const input = parse(appsChannels.appsEdit.input, {
        id,
        ...(opts.name !== undefined && { name: opts.name }),
        ...(opts.expires !== undefined && { expiresAt: opts.expires }),
        ...(!opts.expiry && { expiresAt: null }),
      }, APP_OPTIONS)
      const services = await ctx.unlocked()
      const edited = await services.apps.edit(input)
      ctx.print(edited, () => `Updated "${edited.name}": expires ${when(edited.expiresAt, 'never (until revoked)')}, status ${edited.status}.`)
    }))

  app
    .command('revoke')
    .description('revoke an application\'s authorization key for good (irreversible)')
    .addHelpText('after', `
Examples:
  keyhold app revoke "$APP_ID"`)
    .argument('<ID>', 'application id (see keyhold app list)')
    .action(async (id: string) => {
      const input = parse(appsChannels.appsRevoke.input, { id }, APP_OPTIONS)
      const services = await ctx.unlocked()
      const revoked = await services.apps.revoke(input.id)
      ctx.print(revoked, () => `Revoked "${revoked.name}" on ${when(revoked.revokedAt)}. This cannot be undone; create a new key if the application needs access again.`)
    })
}

/** A Mobile app key: where the phone will connect, or why it cannot yet (docs/pairing-protocol.md §2.4). */
function phoneLines(network: AppCreated['network']): string[] {
  if (network === undefined) return []
  if (network === null)
    return [
      'No phone can reach this vault yet: the QR code carries no network address. Turn on Phones on this network in',
      "Keyhold's Settings > Connected apps (the app must be running and unlocked), then create a new key.",
      '',
    ]
  return [`The phone will connect to ${network.hosts.join(', ')} on this network.`, '']
}
