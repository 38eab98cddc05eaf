// Makes sure Electron's runtime binary is there before `npm start` / `npm run dev`.
// `npm install` skips Electron's postinstall on purpose (package.json allowScripts:
// electron false) because CI machines cannot download it; the first start on a
// developer's machine downloads it once with Electron's own install script.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import process from 'node:process'

const require = createRequire(join(process.cwd(), 'package.json'))

let electronDir
try {
  electronDir = dirname(require.resolve('electron/package.json'))
} catch {
  console.error('Electron is not installed in this project. Run `npm install` first.')
  process.exit(1)
}

/** The same check as node_modules/electron/index.js: path.txt names a binary under dist/. */
function runtimePresent() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (override) return existsSync(override)
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return false
  return existsSync(join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()))
}

if (!runtimePresent()) {
  console.log(
    'Electron runtime not found: downloading it once now (npm install skips this on purpose).\n' +
      'Behind a proxy or offline? Set ELECTRON_MIRROR or ELECTRON_OVERRIDE_DIST_PATH and run this again.',
  )
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, stdio: 'inherit' })
  if (result.status !== 0 || !runtimePresent()) {
    console.error('Electron could not be downloaded, so Keyhold cannot start. The CLI (`npm run -s keyhold`) works without it.')
    process.exit(result.status || 1)
  }
  console.log('Electron is ready.')
}
