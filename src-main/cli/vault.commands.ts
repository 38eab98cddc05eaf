import { lstat, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { masterPassword } from '../../src-shared/ipc/vault.contract'
import { normalizePassword } from '../../src-shared/password'
import type { KdfParams } from '../../src-shared/types/vault'
import { itemCounts } from '../core/services'
import { checkKdfParams, KDF_DEFAULT } from '../core/vault/kdf'
import { VaultFile } from '../core/vault/vault-file'
import { parseInteger, type CliContext } from './context'
import { columns } from './helpers'

function checkNewPassword(password: string): string {
  const parsed = masterPassword.safeParse(password)
  if (!parsed.success) throw new KeyholdError('INVALID_INPUT', parsed.error.issues[0]?.message ?? 'Invalid master password.')
  return password
}

/**
 * Asks for a new master password: twice on a terminal, once (the next line) from stdin. The
 * two answers are compared as they are hashed, so one typed composed and one decomposed match.
 */
async function newPassword(ctx: CliContext, label: string): Promise<string> {
  const what = `the ${label.toLowerCase()}`
  const password = checkNewPassword(await ctx.password(`${label}: `, what))
  if (!ctx.options.passwordStdin && normalizePassword(await ctx.password(`Repeat ${label.toLowerCase()}: `, what)) !== normalizePassword(password))
    throw new KeyholdError('INVALID_INPUT', 'The two passwords do not match. Run the command again.')
  return password
}

/** What `passwd` and `rekey` say: the vault has a new key, and its .bak is the re-keyed version. */
function rekeyedText(done: string, warning: string | undefined): string {
  const lines = [`${done}. The vault is encrypted with a new key; the .bak next to it is the re-keyed version, so neither opens with the old keys.`]
  if (warning) lines.push(`Note: ${warning}`)
  return lines.join('\n')
}

/** `info`'s labels for the item counts, in its order (itemCounts' keys, which --json keeps). */
const COUNT_LABELS: Record<string, string> = { secrets: 'API secrets', apps: 'Authorization keys', appKeys: 'Application keys' }

/**
 * The vault's folder before `init` asks for a password: made (0700, as the vault's own
 * folders) with --parents, else a missing folder is said rather than made behind the
 * person's back (a typo in --vault would leave a vault where they never look).
 */
async function checkVaultFolder(path: string, parents: boolean): Promise<void> {
  const folder = dirname(path)
  if (await lstat(folder).then(() => true, () => false)) return
  if (!parents)
    throw new KeyholdError('INVALID_INPUT', `The folder ${folder} does not exist. Create it, or add --parents to create it with the vault. Nothing was created.`)
  await mkdir(folder, { recursive: true, mode: 0o700 })
}

/** `keyhold init`, `keyhold info`, `keyhold passwd`, `keyhold rekey`. */
export function registerVaultCommands(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a new vault (Argon2id calibrated to this machine unless --kdf-* are given)')
    .addHelpText('after', `
Examples:
  keyhold init
  keyhold --vault ./team.keyhold init --kdf-memory 64 --kdf-iterations 3
  keyhold --vault ~/vaults/work/work.keyhold init --parents
  printf '%s\\n' "$MASTER" | keyhold --vault ./team.keyhold --password-stdin --json init`)
    .option('--kdf-memory <MiB>', 'Argon2id memory in MiB (19 to 2048)', parseInteger('--kdf-memory'))
    .option('--kdf-iterations <N>', 'Argon2id iterations (at least 2)', parseInteger('--kdf-iterations'))
    .option('--parents', "create the vault's folder (and its parents) if missing")
    .action(async (opts: { kdfMemory?: number; kdfIterations?: number; parents?: boolean }) => {
      let kdf: KdfParams | undefined
      if (opts.kdfMemory !== undefined || opts.kdfIterations !== undefined) {
        kdf = {
          ...KDF_DEFAULT,
          memoryKiB: (opts.kdfMemory ?? KDF_DEFAULT.memoryKiB / 1024) * 1024,
          iterations: opts.kdfIterations ?? KDF_DEFAULT.iterations,
        }
        checkKdfParams(kdf, 'request')
      }
      const services = ctx.services(kdf)
      // Before asking for a password. A folder, a pipe or a device there is NOT_A_VAULT.
      if (await new VaultFile(ctx.vaultPath).exists())
        throw new KeyholdError('VAULT_EXISTS', `A vault already exists at ${ctx.vaultPath}. Use it, or pass --vault with another path.`)
      await checkVaultFolder(ctx.vaultPath, opts.parents === true)
      await services.vault.create({ password: await newPassword(ctx, 'New master password'), rememberOnDevice: false })
      const info = services.vault.info(itemCounts(services))
      ctx.print({ path: info.path, vaultId: info.vaultId, kdf: info.kdf }, () => `Created vault ${info.path}`)
    })

  program
    .command('info')
    .description('show the vault format, key-derivation settings and item counts (never a secret)')
    .addHelpText('after', `
Examples:
  keyhold info
  printf '%s\\n' "$MASTER" | keyhold --vault ./team.keyhold --password-stdin --json info`)
    .action(async () => {
      const services = await ctx.unlocked()
      const info = services.vault.info(itemCounts(services))
      ctx.print(info, () =>
        columns([
          ['Vault', info.path],
          ['Vault id', info.vaultId],
          ['Format', `${info.formatVersion} (schema ${info.schemaVersion})`],
          ['Cipher', 'AES-256-GCM'],
          ['KDF', `Argon2id, ${info.kdf.memoryKiB / 1024} MiB, ${info.kdf.iterations} iterations, ${info.kdf.lanes} lane(s)`],
          ['Key slots', info.keySlots.join(', ')],
          ...Object.entries(COUNT_LABELS).map(([name, label]) => [label, String(info.counts[name] ?? 0)]),
        ]),
      )
    })

  program
    .command('passwd')
    .description('change the master password (with --password-stdin: line 1 current, line 2 new)')
    .addHelpText('after', `
Examples:
  keyhold passwd
  printf '%s\\n%s\\n' "$MASTER" "$NEW_MASTER" | keyhold --password-stdin passwd`)
    .action(async () => {
      const services = ctx.services()
      const current = await ctx.password('Current master password: ', 'the current master password')
      await services.vault.unlock({ password: current })
      const next = await newPassword(ctx, 'New master password')
      const status = await services.vault.changePassword({ current, next })
      ctx.print({ changed: true, rekeyed: true, ...(status.warning && { warning: status.warning.message }) }, () =>
        rekeyedText('Master password changed', status.warning?.message),
      )
    })

  program
    .command('rekey')
    .description('rotate the encryption key: re-encrypt the vault with a new random key (the master password stays)')
    .addHelpText('after', `
Examples:
  keyhold rekey
  printf '%s\\n' "$MASTER" | keyhold --password-stdin --json rekey`)
    .action(async () => {
      const services = ctx.services()
      const password = await ctx.password('Master password: ', 'the master password')
      await services.vault.unlock({ password })
      const status = await services.vault.rotateKey({ password })
      ctx.print({ rekeyed: true, ...(status.warning && { warning: status.warning.message }) }, () =>
        rekeyedText('Encryption key rotated', status.warning?.message),
      )
    })
}
