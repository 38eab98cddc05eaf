import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { KeyholdError } from '../../src-shared/errors'
import { BROWSERS, hostStatus, installHosts, uninstallHosts, type Browser, type HostCommand, type HostStatus } from '../core/browser/native-hosts'
import { defaultVaultPath } from '../core/vault/paths'
import { collect, type CliContext } from './context'
import { columns } from './helpers'
import { keyholdArgv } from './self'

/** This Keyhold as the browser should start it: node running this checkout's bin/keyhold.js. */
export function hostCommand(env: NodeJS.ProcessEnv): HostCommand {
  const [node, script] = keyholdArgv('Installing the browser\'s native host')
  const launcher = join(dirname(defaultVaultPath(env)), 'native-host', process.platform === 'win32' ? 'keyhold-native-host.cmd' : 'keyhold-native-host')
  return { launcher, argv: [node, script, 'native-host'] }
}

function browsersFrom(names: string[] | undefined): Browser[] {
  if (!names || names.length === 0) return [...BROWSERS]
  for (const name of names)
    if (!(BROWSERS as readonly string[]).includes(name)) throw new KeyholdError('INVALID_INPUT', `--browser must be one of ${BROWSERS.join(', ')}.`)
  return [...new Set(names)] as Browser[]
}

const table = (rows: HostStatus[]) =>
  columns([['BROWSER', 'STATUS', 'HOST MANIFEST'], ...rows.map((r) => [r.name, r.ready ? 'ready' : r.installed ? 'needs reinstall' : 'not installed', r.manifest])])

/** `keyhold browser install|uninstall|status`: the native messaging host manifests for the browser extension. */
export function registerBrowserCommands(program: Command, ctx: CliContext): void {
  const browser = program.command('browser').description('browser integration: let the Keyhold extension reach this computer\'s Keyhold (native messaging)')
    .addHelpText('after', `
Examples:
  keyhold browser install
  keyhold browser status`)
  const withOptions = (command: Command) =>
    command
      .option('--browser <B>', `only this browser (repeatable): ${BROWSERS.join(', ')}`, collect)
      .option('--dir <DIR>', 'write the host manifest into this NativeMessagingHosts folder instead (a browser profile of your own)')
  const run = async (what: 'install' | 'uninstall' | 'status', opts: { browser?: string[]; dir?: string }) => {
    const command = hostCommand(ctx.env)
    const browsers = browsersFrom(opts.browser)
    const rows = what === 'install' ? await installHosts(command, browsers, { dir: opts.dir }) : what === 'uninstall' ? await uninstallHosts(command, browsers, { dir: opts.dir }) : await hostStatus(command, browsers, { dir: opts.dir })
    const lead = { install: 'Browser integration installed. Reload the Keyhold extension, then pair it.', uninstall: 'Browser integration removed.', status: '' }[what]
    ctx.print({ launcher: command.launcher, browsers: rows }, () => [lead, table(rows)].filter(Boolean).join('\n'))
  }
  withOptions(browser.command('install').description('write the host manifests (and the launcher) so the extension can start Keyhold\'s host'))
    .addHelpText('after', `
Examples:
  keyhold browser install
  keyhold browser install --browser firefox --browser chromium
  keyhold browser install --dir ~/.config/chromium-work/NativeMessagingHosts`)
    .action((opts) => run('install', opts))
  withOptions(browser.command('uninstall').description('remove the host manifests and the launcher'))
    .addHelpText('after', `
Examples:
  keyhold browser uninstall
  keyhold browser uninstall --browser chrome`)
    .action((opts) => run('uninstall', opts))
  withOptions(browser.command('status').description('which browsers have the host manifest'))
    .addHelpText('after', `
Examples:
  keyhold browser status
  keyhold --json browser status --browser firefox`)
    .action((opts) => run('status', opts))
}
