import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { fileSystemError } from '../core/vault/fs-errors'
import { KeyholdError } from '../../src-shared/errors'
import { canonicalTime } from '../../src-shared/apps/iso-time'
import { ACTIVITY_EVENTS, ACTIVITY_EXPORT_FORMATS, ACTOR_TYPES, RETENTION_LIMITS, type ActivityEntry, type ActivityEvent, type ActivityExportFormat, type ActorType } from '../../src-shared/types/activity'
import type { CliContext } from './context'
import { columns, grouped, oneLine, when } from './helpers'

function who(entry: ActivityEntry): string {
  const { actor } = entry
  return actor.name ? `${actor.type} "${oneLine(actor.name)}"` : actor.id ? `${actor.type} ${actor.id}` : actor.type
}

function what(entry: ActivityEntry): string {
  const { target } = entry
  if (!target) return ''
  return target.name ? `${target.type} "${oneLine(target.name)}"` : target.id ? `${target.type} ${target.id}` : target.type
}

function table(entries: ActivityEntry[], width: number | undefined): string {
  if (entries.length === 0) return 'No activity matches.'
  // An entry that waited in the journal outside the vault is marked: it is not tamper-evident from before it was taken in.
  const outcome = (e: ActivityEntry) => (e.detail.journal === true ? `${e.outcome} (from the journal)` : e.outcome)
  return columns([['#', 'WHEN', 'EVENT', 'BY', 'ON', 'OUTCOME'], ...entries.map((e) => [String(e.seq), when(e.at), e.event, who(e), what(e), outcome(e)])], { width, cut: [4, 3] })
}

/** `keyhold audit list|verify`: the activity log (docs/activity-log.md). */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the activity log: who saw, copied, paired, used and revoked what, and when')
  .addHelpText('after', `
Examples:
  keyhold audit list --limit 20
  keyhold audit verify
  keyhold audit export --format csv --out activity.csv`)

  audit
    .command('list')
    .description('list the activity log, newest first (never a secret, token or key)')
    .addHelpText('after', `
Examples:
  keyhold audit list
  keyhold audit list --since 2026-12-01T00:00:00Z --event secret.revealed
  keyhold audit list --actor cli --limit 500
  printf '%s\\n' "$MASTER" | keyhold --password-stdin --json audit list --event vault.unlock-failed`)
    .option('--since <ISO-8601>', 'only entries from this time on, e.g. 2026-12-01T00:00:00Z')
    .option('--event <EVENT>', `only this event: ${ACTIVITY_EVENTS.join(', ')}`)
    .option('--actor <TYPE>', `only entries by this kind of actor: ${ACTOR_TYPES.join(', ')}`)
    .option('--limit <N>', 'at most this many entries (default 50, at most 500)')
    .action(async (opts: { since?: string; event?: string; actor?: string; limit?: string }) => {
      const since = opts.since === undefined ? undefined : canonicalTime(opts.since)
      if (since === null) throw new KeyholdError('INVALID_INPUT', `--since ${oneLine(opts.since!).slice(0, 40)} is not a time. Give it as ISO-8601 with a time zone, e.g. 2026-12-01T00:00:00Z.`)
      if (opts.event !== undefined && !(ACTIVITY_EVENTS as readonly string[]).includes(opts.event))
        throw new KeyholdError('INVALID_INPUT', `--event must be one of ${ACTIVITY_EVENTS.join(', ')}.`)
      if (opts.actor !== undefined && !(ACTOR_TYPES as readonly string[]).includes(opts.actor))
        throw new KeyholdError('INVALID_INPUT', `--actor must be one of ${ACTOR_TYPES.join(', ')}.`)
      const limit = opts.limit === undefined ? 50 : Number(opts.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new KeyholdError('INVALID_INPUT', '--limit must be a whole number from 1 to 500.')
      const services = await ctx.unlocked()
      const page = await services.activity.list({ since, event: opts.event as ActivityEvent | undefined, actorType: opts.actor as ActorType | undefined, limit })
      ctx.print(page.items, () => table(page.items, ctx.width))
    })

  audit
    .command('export')
    .description('write the whole activity log as CSV or JSON (oldest first; never a secret, token or key)')
    .addHelpText('after', `
Examples:
  keyhold audit export --format json --out activity.json
  keyhold audit export --format csv --out activity.csv --force
  printf '%s\\n' "$MASTER" | keyhold --password-stdin audit export --format csv > activity.csv`)
    .requiredOption('--format <FORMAT>', 'csv or json')
    .option('--out <FILE>', 'write to FILE (mode 0600) instead of standard output')
    .option('--force', 'replace FILE if it exists')
    .action(async (opts: { format: string; out?: string; force?: boolean }) => {
      if (!(ACTIVITY_EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new KeyholdError('INVALID_INPUT', `--format must be one of ${ACTIVITY_EXPORT_FORMATS.join(', ')}.`)
      const format = opts.format as ActivityExportFormat
      const services = await ctx.unlocked()
      if (opts.out === undefined) {
        ctx.write((await services.activity.exportText(format)).text)
        return
      }
      const written = await services.activity.exportTo(ctx.path(opts.out), format, opts.force === true)
      ctx.print(written, () => `Exported ${grouped(written.count)} entries to ${written.path}.`)
    })

  audit
    .command('verify')
    .description("check that no entry of the activity log was changed, removed or moved; exits 1 and says where if one was")
    .addHelpText('after', `
Examples:
  keyhold audit verify
  keyhold audit verify --file activity.json`)
    .option('--file <FILE>', 'check a JSON export (`audit export --format json`) of this vault instead of the vault\'s own log')
    .action(async (opts: { file?: string }) => {
      const file = opts.file === undefined ? undefined : ctx.path(opts.file)
      const text = file === undefined ? undefined : await readFile(file, 'utf8').catch((error: unknown) => {
        throw fileSystemError(error, { reading: file })
      })
      const services = await ctx.unlocked()
      const result = text === undefined ? await services.activity.verify() : await services.activity.verifyExport(text)
      if (!result.ok) {
        if (result.restored)
          throw new KeyholdError('VAULT_CORRUPT', `${result.problem} If you put it back on purpose, run \`keyhold audit accept-restore\`; if not, keep this vault file aside for inspection.`)
        const what = text === undefined ? 'The activity log was tampered with.' : 'This export of the activity log was changed.'
        throw new KeyholdError('VAULT_CORRUPT', `${what} ${result.problem} Entries up to there are intact; keep this ${text === undefined ? 'vault file' : 'file'} aside for inspection.`)
      }
      ctx.print(result, () =>
        result.count === 0 ? 'The activity log is empty.' : `All ${grouped(result.count)} entries are intact (entries ${result.first} to ${result.last}).`,
      )
    })

  audit
    .command('accept-restore')
    .description('accept this vault after putting back an older copy on purpose: the roll-back check follows it from now on (recorded in the log)')
    .addHelpText('after', `
Examples:
  keyhold audit accept-restore`)
    .action(async () => {
      const services = await ctx.unlocked()
      const result = await services.activity.acceptRestore()
      if (!result.ok)
        throw new KeyholdError('VAULT_CORRUPT', `The restored copy is accepted, but the activity log has another problem: ${result.problem} Keep this vault file aside for inspection.`)
      ctx.print(result, () => `Accepted: this vault's activity log is now the one this computer checks against. All ${grouped(result.count)} entries are intact.`)
    })

  audit
    .command('retention')
    .description('show or change how long the activity log keeps entries (default 365 days and 100,000 entries, whichever keeps fewer)')
    .addHelpText('after', `
Examples:
  keyhold audit retention
  keyhold audit retention --days 90
  keyhold audit retention --days 730 --entries 200000`)
    .option('--days <N>', `keep entries for N days (${RETENTION_LIMITS.days.min} to ${RETENTION_LIMITS.days.max})`)
    .option('--entries <N>', `keep at most N entries (${grouped(RETENTION_LIMITS.entries.min)} to ${grouped(RETENTION_LIMITS.entries.max)})`)
    .action(async (opts: { days?: string; entries?: string }) => {
      const bounded = (name: 'days' | 'entries', value: string | undefined): number | undefined => {
        if (value === undefined) return undefined
        const { min, max } = RETENTION_LIMITS[name]
        const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN
        if (!(n >= min && n <= max))
          throw new KeyholdError('INVALID_INPUT', `--${name} must be a whole number from ${grouped(min)} to ${grouped(max)}; ${oneLine(value).slice(0, 20)} is not.`)
        return n
      }
      const days = bounded('days', opts.days)
      const entries = bounded('entries', opts.entries)
      const services = await ctx.unlocked()
      const now = services.activity.retention()
      if (days === undefined && entries === undefined) {
        ctx.print(now, () => `The activity log keeps entries for ${grouped(now.days)} days, at most ${grouped(now.entries)} entries.`)
        return
      }
      const changed = await services.activity.setRetention({ days: days ?? now.days, entries: entries ?? now.entries })
      ctx.print(changed, () =>
        `The activity log now keeps entries for ${grouped(changed.days)} days, at most ${grouped(changed.entries)} entries.` +
        (changed.removed > 0 ? ` ${grouped(changed.removed)} older entries were removed (recorded in the log).` : ''),
      )
    })
}
