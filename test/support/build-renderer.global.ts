import { fileURLToPath } from 'node:url'
import { resolveConfig } from 'electron-vite'
import { build } from 'vite'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/**
 * The browser tests drive the renderer as it ships: built from the project's own
 * electron.vite.config.ts (renderer part only, so no Electron is needed) into out/renderer.
 */
export default async function setup(): Promise<void> {
  process.env.NODE_ENV_ELECTRON_VITE = 'production'
  const resolved = await resolveConfig({ root: ROOT, logLevel: 'error' }, 'build', 'production')
  const renderer = resolved.config?.renderer
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer config.')
  await build({ ...renderer, logLevel: 'error' })
}
