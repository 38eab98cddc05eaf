import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where the desktop app keeps its vault (Electron's `userData` for productName "Keyhold"),
 * so the CLI finds the same file by default.
 */
export function defaultVaultPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = homedir()
  const base =
    platform === 'win32'
      ? (env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? join(home, '.config'))
  return join(base, 'Keyhold', 'vault.keyhold')
}
