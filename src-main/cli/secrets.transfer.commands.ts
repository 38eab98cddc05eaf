import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { SECRETS_EXPORT_FORMATS, type SecretsExportFormat } from '../core/secrets/secrets.transfer'
import type { CliContext } from './context'
import { describeSkipped } from './imports/entries'
import { checkExportFile, writeExportFile } from '../core/export-file'
import { checkImportFileName, IMPORT_SOURCES, planImport, readImportFile, SOURCE_NAMES, type ImportSource } from './secrets.import'

/** `keyhold secret import|export`: API secrets in and out of the vault as files (the rest of `secret` is in secrets.commands.ts). */
export function registerSecretTransferCommands(secret: Command, ctx: CliContext): void {
  secret
    .command('import')
    .addHelpText('after', `
Examples:
  keyhold secret import secrets.csv
  keyhold secret import keepassxc-export.xml
  keyhold secret import passwords.csv --from 1password
  keyhold --json secret import bitwarden-export.json --from bitwarden`)
    .description('add every API secret of a file in one save: Keyhold\'s JSON or CSV (all or none), or an export of KeePassXC, Bitwarden or 1Password (entries that cannot be API secrets are left out and listed)')
    .argument('<FILE>', 'a .json file (array of objects) or a .csv file with a header row; keys: name, url, clientId, clientSecret, identifier, method, tags, notes (a CSV header ignores case and spaces, so "Client ID" is clientId); or another program\'s export (see --from)')
    .option('--from <PROGRAM>', `the program that wrote FILE: ${IMPORT_SOURCES.join(', ')} (default: told by its content)`)
    .action(async (file: string, opts: { from?: string }) => {
      if (opts.from !== undefined && !(IMPORT_SOURCES as readonly string[]).includes(opts.from))
        throw new KeyholdError('INVALID_INPUT', `--from must be one of ${IMPORT_SOURCES.join(', ')}.`)
      checkImportFileName(file)
      const text = await readImportFile(ctx.path(file))
      const { inputs, label, source, skipped } = planImport(file, text, opts.from as ImportSource | undefined)
      const services = await ctx.unlocked()
      const added = await services.secrets.addMany(inputs, label)
      const imported = `Imported ${added.length} API secret${added.length === 1 ? '' : 's'}`
      if (source === 'keyhold') return ctx.print({ imported: added.length, ids: added.map((s) => s.id) }, () => `${imported}.`)
      ctx.print({ imported: added.length, ids: added.map((s) => s.id), from: source, skipped }, () =>
        [`${imported} from ${SOURCE_NAMES[source]}.`, ...(skipped.length > 0 ? [`Skipped ${skipped.length}: ${describeSkipped(skipped)}.`] : [])].join('\n'),
      )
    })

  secret
    .command('export')
    .description('write every API secret WITH its client secret, as `secret import` reads it (treat the output as a secret)')
    .addHelpText('after', `
Examples:
  keyhold secret export --format json --out secrets.json
  keyhold secret export --format csv --out secrets.csv --force
  printf '%s\\n' "$MASTER" | keyhold --password-stdin secret export --format json > secrets.json`)
    .requiredOption('--format <FORMAT>', SECRETS_EXPORT_FORMATS.join(' or '))
    .option('--out <FILE>', 'write to FILE (mode 0600, atomically) instead of standard output')
    .option('--force', 'replace FILE if it exists')
    .action(async (opts: { format: string; out?: string; force?: boolean }) => {
      if (!(SECRETS_EXPORT_FORMATS as readonly string[]).includes(opts.format))
        throw new KeyholdError('INVALID_INPUT', `--format must be one of ${SECRETS_EXPORT_FORMATS.join(', ')}.`)
      const format = opts.format as SecretsExportFormat
      const out = opts.out === undefined ? undefined : ctx.path(opts.out)
      if (out !== undefined) await checkExportFile(out, opts.force === true)
      // Unlocking with the master password is the confirmation the export needs (as for `key` commands).
      const services = await ctx.unlocked()
      const { count } = await services.secrets.exportAll(format, async (text) => (out === undefined ? ctx.write(text) : writeExportFile(out, text)))
      if (out === undefined) return
      ctx.print({ exported: count, format, path: out }, () =>
        `Exported ${count} API secret${count === 1 ? '' : 's'}, with ${count === 1 ? 'its client secret' : 'their client secrets'}, to ${out} (readable only by you). Delete it when it is no longer needed.`,
      )
    })
}
