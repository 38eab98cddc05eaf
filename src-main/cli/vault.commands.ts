import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { masterPassword } from '../../src-shared/ipc/vault.contract'
import { normalizePassword } from '../../src-shared/password'
import type { KdfParams } from '../../src-shared/types/vault'
import { itemCounts } from '../core/services'
import { checkKdfParams, KDF_DEFAULT } from '../core/vault/kdf'
import { parseInteger, type CliContext } from './context'

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

/** `keyhold init`, `keyhold info`, `keyhold passwd`. */
export function registerVaultCommands(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a new vault (Argon2id calibrated to this machine unless --kdf-* are given)')
    .option('--kdf-memory <MiB>', 'Argon2id memory in MiB (at least 19)', parseInteger('--kdf-memory'))
    .option('--kdf-iterations <N>', 'Argon2id iterations (at least 2)', parseInteger('--kdf-iterations'))
    .action(async (opts: { kdfMemory?: number; kdfIterations?: number }) => {
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
      if ((await services.vault.status()).state !== 'absent')
        throw new KeyholdError('VAULT_EXISTS', `A vault already exists at ${ctx.vaultPath}. Use it, or pass --vault with another path.`)
      await services.vault.create({ password: await newPassword(ctx, 'New master password'), rememberOnDevice: false })
      const info = services.vault.info(itemCounts(services))
      ctx.print({ path: info.path, vaultId: info.vaultId, kdf: info.kdf }, () => `Created vault ${info.path}`)
    })

  program
    .command('info')
    .description('show the vault format, key-derivation settings and item counts (never a secret)')
    .action(async () => {
      const services = await ctx.unlocked()
      const info = services.vault.info(itemCounts(services))
      ctx.print(info, () =>
        [
          `Vault       ${info.path}`,
          `Vault id    ${info.vaultId}`,
          `Format      ${info.formatVersion} (schema ${info.schemaVersion})`,
          `Cipher      AES-256-GCM`,
          `KDF         Argon2id, ${info.kdf.memoryKiB / 1024} MiB, ${info.kdf.iterations} iterations, ${info.kdf.lanes} lane(s)`,
          `Key slots   ${info.keySlots.join(', ')}`,
          ...Object.entries(info.counts).map(([name, count]) => `${name.padEnd(12)}${count}`),
        ].join('\n'),
      )
    })

  program
    .command('passwd')
    .description('change the master password (with --password-stdin: line 1 current, line 2 new)')
    .action(async () => {
      const services = ctx.services()
      const current = await ctx.password('Current master password: ', 'the current master password')
      await services.vault.unlock({ password: current })
      const next = await newPassword(ctx, 'New master password')
      await services.vault.changePassword({ current, next })
      ctx.print({ changed: true }, () => 'Master password changed.')
    })
}
