import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { appKeyId, appKeysChannels, permission as permissionSchema } from '../../src-shared/ipc/app-keys.contract'
import { PERMISSIONS, type AppKeySummary, type ResourceDescriptor, type Role } from '../../src-shared/types/app-keys'
import { THIS_VAULT } from '../core/app-keys/app-keys.csv'
import { TOKEN_BYTES } from '../core/app-keys/app-keys.tokens'
import { collect, type CliContext } from './context'
import { columns, inCliWords, oneLine, parse, when, type OptionNames } from './helpers'
import { UsageError } from './io'
import { checkExportFile } from '../core/export-file'

/** The options that give each field of a request, for messages. */
const KEY_OPTIONS: OptionNames = { key: 'KEY', label: '--label', account: '--account', roleIds: '--role', publicKey: '--public-key', name: 'NAME', permissions: '--permission', tags: '--tag' }
const KEY_ARGUMENT: OptionNames = { '': 'KEY' }

function keyTable(keys: AppKeySummary[], width: number | undefined): string {
  if (keys.length === 0) return 'No application keys. Generate one with `keyhold key generate`, or add one with `keyhold key add-external KEY`.'
  return columns([
    ['KEY', 'TYPE', 'LABEL', 'ACCOUNT', 'STATUS', 'ROLES', 'LAST USED'],
    ...keys.map((k) => [
      k.key,
      k.type,
      k.label === null ? '-' : oneLine(k.label),
      k.type === 'internal' ? THIS_VAULT : (k.account ?? '-'),
      k.status,
      k.roles.map((r) => r.name).join(', ') || '(none)',
      when(k.lastUsedAt),
    ]),
  ], { width, cut: [5, 2, 3] })
}

function roleTable(roles: Role[], width: number | undefined): string {
  return columns([
    ['ID', 'NAME', 'PERMISSIONS', 'TAGS', 'KEYS'],
    ...roles.map((r) => [r.id, r.builtin ? `${r.name} (built-in)` : r.name, r.permissions.join(','), !r.permissions.includes('secrets:read') ? '-' : r.tags.join(',') || '(all secrets)', String(r.keyCount)]),
  ], { width, cut: [3, 2, 1] })
}

const describeKey = (k: AppKeySummary) =>
  `${k.key} (${k.type}, ${k.status}); roles: ${k.roles.map((r) => r.name).join(', ') || 'none, so it may do nothing'}` +
  (k.type === 'external' && !k.hasPublicKey ? '. Without the issuer\'s public key (--public-key) it is kept for audits and cannot connect to the agent.' : '')

const REACTIVATE_WARNING = 'Anyone with the token of this key regains access.'

/** A token's length (TOKEN_BYTES in unpadded base64url): a longer line from `--token-stdin` is no token. */
const TOKEN_CHARS = Math.ceil((TOKEN_BYTES * 8) / 6)

/**
 * `keyhold key generate|add-external|list|roles|activate|deactivate|remove|export-csv|check`
 * and `keyhold role list|create|delete`. Changes need the master password, which the
 * command asks for first: that counts as the recent confirmation the core requires.
 */
export function registerAppKeyCommands(program: Command, ctx: CliContext): void {
  const key = program.command('key').description('application keys: internal keys (key + token) and third-party keys, with roles')
  .addHelpText('after', `
Examples:
  keyhold key generate --label 'CI deploy' --role 'API secrets reader'
  keyhold key list
  printf '%s\\n%s\\n' "$MASTER" "$TOKEN" | keyhold --password-stdin key check "$KEY" --permission secrets:read --token-stdin`)

  key
    .command('generate')
    .description('generate an internal key; prints the key and its token ONCE (with --json: { key, token })')
    .addHelpText('after', `
Examples:
  keyhold key generate --label 'CI deploy' --role 'API secrets reader'
  printf '%s\\n' "$MASTER" | keyhold --password-stdin --json key generate --label nightly --role secrets-reader --role audit-reader`)
    .option('--label <LABEL>', 'what the key is for; set once, defaults to the key')
    .option('--role <ROLE>', 'a role to give the key, by name or id (repeatable; none: no permission)', collect)
    .action(inCliWords(async (opts: { label?: string; role?: string[] }) => {
      const input = parse(appKeysChannels.appKeysGenerate.input, { label: opts.label, roleIds: opts.role ?? [] }, KEY_OPTIONS)
      const services = await ctx.unlocked()
      const generated = await services.appKeys.generate(input)
      services.appKeys.forgetToken(generated.copyHandle)
      const summary = generated.key
      // SECURITY: the only time the token is printed; Keyhold keeps only a keyed hash of it.
      ctx.print({ key: summary.key, token: generated.token }, () =>
        [
          `Key:   ${summary.key}`,
          `Token: ${generated.token}`,
          '',
          'The token is shown only this once: Keyhold stores only a keyed hash of it and cannot show it again.',
          `If it is lost, deactivate the key (keyhold key deactivate ${summary.key}) and generate a new one.`,
          ...(summary.roles.length === 0 ? [`The key has no roles, so it may do nothing yet: keyhold key roles ${summary.key} --add ROLE`] : []),
        ].join('\n'),
      )
    }))

  key
    .command('add-external')
    .description('add a third-party key with roles, or bring back a removed one')
    .addHelpText('after', `
Examples:
  keyhold key add-external "$PARTNER_KEY" --account partner.example.com --role 'API secrets reader'
  keyhold key add-external "$PARTNER_KEY" --role secrets-reader --public-key "$(cat partner_ed25519.pub)"`)
    .argument('<KEY>', 'the key given by the third party')
    .option('--account <ACCOUNT>', 'the account or origin that issued the key')
    .option('--role <ROLE>', 'a role to give the key, by name or id (repeatable)', collect)
    .option('--public-key <KEY>', "the issuer's Ed25519 public key (43 base64url characters, or one ssh-ed25519 line): the key can then connect to the agent by signature")
    .action(inCliWords(async (keyArg: string, opts: { account?: string; role?: string[]; publicKey?: string }) => {
      const input = parse(appKeysChannels.appKeysAddExternal.input, { key: keyArg, account: opts.account, roleIds: opts.role ?? [], publicKey: opts.publicKey }, KEY_OPTIONS)
      const services = await ctx.unlocked()
      const added = await services.appKeys.addExternal(input)
      ctx.print(added, () => `Added ${describeKey(added)}`)
    }))

  key
    .command('list')
    .description('list application keys (never a token)')
    .addHelpText('after', `
Examples:
  keyhold key list
  keyhold key list --external
  printf '%s\\n' "$MASTER" | keyhold --password-stdin --json key list --internal`)
    .option('--internal', 'only keys generated in this vault (My Keys)')
    .option('--external', 'only third-party keys')
    .action(inCliWords(async (opts: { internal?: boolean; external?: boolean }) => {
      if (opts.internal && opts.external) throw new UsageError('choose --internal or --external, not both')
      const services = await ctx.unlocked()
      const keys = services.appKeys.list({ type: opts.internal ? 'internal' : opts.external ? 'external' : undefined })
      ctx.print(keys, () => keyTable(keys, ctx.width))
    }))

  key
    .command('roles')
    .description("show a key's roles, or add and remove roles (by name or id)")
    .addHelpText('after', `
Examples:
  keyhold key roles "$KEY"
  keyhold key roles "$KEY" --add 'API secrets editor' --remove secrets-reader`)
    .argument('<KEY>', 'the key')
    .option('--add <ROLE>', 'a role to add (repeatable)', collect)
    .option('--remove <ROLE>', 'a role to remove (repeatable)', collect)
    .action(inCliWords(async (keyArg: string, opts: { add?: string[]; remove?: string[] }) => {
      const id = parse(appKeyId, keyArg, KEY_ARGUMENT)
      const services = await ctx.unlocked()
      const changed =
        opts.add || opts.remove ? await services.appKeys.changeRoles(id, { add: opts.add, remove: opts.remove }) : services.appKeys.get(id)
      ctx.print(changed, () => describeKey(changed))
    }))

  key
    .command('activate')
    .description(`reactivate an internal key (${REACTIVATE_WARNING.toLowerCase()})`)
    .addHelpText('after', `
Examples:
  keyhold key activate "$KEY"`)
    .argument('<KEY>', 'the key')
    .action(inCliWords(async (keyArg: string) => {
      const services = await ctx.unlocked()
      const changed = await services.appKeys.activate(parse(appKeyId, keyArg, KEY_ARGUMENT))
      ctx.print(changed, () => `Activated ${describeKey(changed)}\nWarning: ${REACTIVATE_WARNING}`)
    }))

  key
    .command('deactivate')
    .description('deactivate an internal key: it is refused until activated again')
    .addHelpText('after', `
Examples:
  keyhold key deactivate "$KEY"`)
    .argument('<KEY>', 'the key')
    .action(inCliWords(async (keyArg: string) => {
      const services = await ctx.unlocked()
      const changed = await services.appKeys.deactivate(parse(appKeyId, keyArg, KEY_ARGUMENT))
      ctx.print(changed, () => `Deactivated ${describeKey(changed)}`)
    }))

  key
    .command('remove')
    .description('remove a third-party key (its roles are dropped; add it again to restore it)')
    .addHelpText('after', `
Examples:
  keyhold key remove "$PARTNER_KEY"`)
    .argument('<KEY>', 'the key')
    .action(inCliWords(async (keyArg: string) => {
      const services = await ctx.unlocked()
      const changed = await services.appKeys.remove(parse(appKeyId, keyArg, KEY_ARGUMENT))
      ctx.print(changed, () => `Removed ${changed.key}. Add it again with keyhold key add-external to restore it.`)
    }))

  key
    .command('export-csv')
    .description('export the keys with access (with roles) as CSV for an audit: Key, Type, Label, Account, Status, Roles, Created, Last used')
    .addHelpText('after', `
Examples:
  keyhold key export-csv --out keys.csv
  keyhold key export-csv --out keys.csv --force
  printf '%s\\n' "$MASTER" | keyhold --password-stdin key export-csv > keys.csv`)
    .option('--out <FILE>', 'write to FILE (mode 0600) instead of standard output')
    .option('--force', 'replace FILE if it exists')
    .action(inCliWords(async (opts: { out?: string; force?: boolean }) => {
      const out = opts.out ? ctx.path(opts.out) : undefined
      // Before the master password: an existing file is replaced only with --force (as `secret export`).
      if (out !== undefined) await checkExportFile(out, opts.force === true)
      const services = await ctx.unlocked()
      if (out === undefined) {
        ctx.write(services.appKeys.exportCsv().csv)
        return
      }
      const result = await services.appKeys.exportCsvTo(out)
      ctx.print(result, () => `Exported ${result.count} key${result.count === 1 ? '' : 's'} with access to ${result.path}`)
    }))

  key
    .command('check')
    .description('exit 0 if KEY may perform the permission, else exit 1 with FORBIDDEN and the reason')
    .addHelpText('after', `
Examples:
  printf '%s\\n%s\\n' "$MASTER" "$TOKEN" | keyhold --password-stdin key check "$KEY" --permission secrets:read --token-stdin
  keyhold key check "$PARTNER_KEY" --permission secrets:read --resource stripe-prod`)
    .argument('<KEY>', 'the key presented')
    .requiredOption('--permission <PERMISSION>', PERMISSIONS.join(', '))
    .option('--resource <ID>', 'the API secret asked for, by id or Identifier (its tags decide tag-scoped reads)')
    .option('--token-stdin', 'read the token from standard input (after the master password with --password-stdin)')
    .action(inCliWords(async (keyArg: string, opts: { permission: string; resource?: string; tokenStdin?: boolean }) => {
      const presentedKey = parse(appKeyId, keyArg, KEY_ARGUMENT)
      const permission = parse(permissionSchema, opts.permission, { '': '--permission' })
      const services = await ctx.unlocked()
      const token = opts.tokenStdin || ctx.options.tokenStdin ? await ctx.stdin.take({ what: 'the token', max: TOKEN_CHARS }) : undefined
      let resource: ResourceDescriptor | undefined
      if (opts.resource !== undefined) {
        const secret = services.secrets.resolve(opts.resource)
        resource = { type: 'secret', id: secret.id, tags: secret.tags }
      }
      const decision = await services.appKeys.check({ key: presentedKey, token }, permission, resource)
      if (!decision.allowed) throw new KeyholdError('FORBIDDEN', decision.message)
      ctx.print(decision, () => `Allowed: ${decision.key} may ${permission} (${decision.grantedBy.map((r) => r.name).join(', ')}).`)
    }))

  const role = program.command('role').description('roles: named sets of permissions given to application keys')
  .addHelpText('after', `
Examples:
  keyhold role list
  keyhold role create deployers --permission secrets:read --tag prod
  keyhold role delete deployers`)

  role
    .command('list')
    .description('list built-in and custom roles')
    .addHelpText('after', `
Examples:
  keyhold role list
  printf '%s\\n' "$MASTER" | keyhold --password-stdin --json role list`)
    .action(inCliWords(async () => {
      const services = await ctx.unlocked()
      const roles = services.appKeys.listRoles()
      ctx.print(roles, () => roleTable(roles, ctx.width))
    }))

  role
    .command('create')
    .description('create a custom role')
    .addHelpText('after', `
Examples:
  keyhold role create deployers --permission secrets:read --tag prod --tag deploy
  keyhold role create auditors --permission audit:read --permission apps:read`)
    .argument('<NAME>', 'the role name')
    .requiredOption('--permission <PERMISSION>', `a permission (repeatable): ${PERMISSIONS.join(', ')}`, collect)
    .option('--tag <TAG>', 'limit secrets:read to secrets with this tag (repeatable)', collect)
    .action(inCliWords(async (name: string, opts: { permission: string[]; tag?: string[] }) => {
      const input = parse(appKeysChannels.rolesCreate.input, { name, permissions: opts.permission, tags: opts.tag }, KEY_OPTIONS)
      const services = await ctx.unlocked()
      const created = await services.appKeys.createRole(input)
      ctx.print(created, () => `Created role "${created.name}" (${created.id}): ${created.permissions.join(', ')}${created.tags.length ? `; reads only secrets tagged ${created.tags.join(', ')}` : ''}`)
    }))

  role
    .command('delete')
    .description('delete a custom role that no key holds')
    .addHelpText('after', `
Examples:
  keyhold role delete deployers`)
    .argument('<ROLE>', 'the role, by name or id')
    .action(inCliWords(async (ref: string) => {
      const services = await ctx.unlocked()
      const target = services.appKeys.role(ref)
      await services.appKeys.deleteRole(target.id)
      ctx.print({ deleted: target.id }, () => `Deleted role "${target.name}".`)
    }))
}
