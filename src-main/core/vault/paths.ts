import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'

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
        : // The XDG spec: an empty or relative XDG_CONFIG_HOME is ignored.
          env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME)
          ? env.XDG_CONFIG_HOME
          : join(home, '.config')
  return join(base, 'Keyhold', 'vault.keyhold')
}
