import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../support/vault'

const SCRIPT = resolve(__dirname, '../../../scripts/ensure-electron.mjs')

/**
 * A throwaway project whose node_modules/electron has a stand-in install.js: it records that
 * it ran and then does what Electron's does on success (writes path.txt and the binary), or
 * fails. The real Electron download is never attempted.
 */
function project(dir: string, install: 'succeeds' | 'fails' | 'absent' = 'succeeds'): string {
  const electron = join(dir, 'node_modules', 'electron')
  writeFileSync(join(dir, 'package.json'), '{"name":"stand-in"}')
  if (install === 'absent') return electron
  mkdirSync(electron, { recursive: true })
  writeFileSync(join(electron, 'package.json'), '{"name":"electron","version":"0.0.0-test"}')
  const body =
    install === 'succeeds'
      ? `fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true }); fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), ''); fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron')`
      : 'process.exit(3)'
  writeFileSync(
    join(electron, 'install.js'),
    `const fs = require('fs'); const path = require('path'); fs.writeFileSync(path.join(__dirname, 'install-ran'), ''); ${body}\n`,
  )
  return electron
}

function run(cwd: string) {
  const env = { ...process.env }
  delete env.ELECTRON_OVERRIDE_DIST_PATH
  const result = spawnSync(process.execPath, [SCRIPT], { cwd, env, encoding: 'utf8' })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

describe('scripts/ensure-electron.mjs', () => {
  let dir: ReturnType<typeof tempDir>
  beforeEach(() => {
    dir = tempDir('keyhold-ensure-electron-')
  })
  afterEach(() => dir.cleanup())

  it('does nothing when the runtime is already installed', () => {
    const electron = project(dir.dir)
    mkdirSync(join(electron, 'dist'))
    writeFileSync(join(electron, 'dist', 'electron'), '')
    writeFileSync(join(electron, 'path.txt'), 'electron')
    expect(run(dir.dir)).toEqual({ status: 0, output: '' })
    expect(existsSync(join(electron, 'install-ran'))).toBe(false)
  })

  it("runs Electron's install script with a message when path.txt is missing", () => {
    const electron = project(dir.dir)
    const { status, output } = run(dir.dir)
    expect(status).toBe(0)
    expect(existsSync(join(electron, 'install-ran'))).toBe(true)
    expect(output).toMatch(/downloading it once/)
    expect(output).toMatch(/Electron is ready/)
  })

  it('downloads again when path.txt names a binary that is not there', () => {
    const electron = project(dir.dir)
    writeFileSync(join(electron, 'path.txt'), 'electron')
    expect(run(dir.dir).status).toBe(0)
    expect(existsSync(join(electron, 'install-ran'))).toBe(true)
  })

  it('fails with a readable message when the download fails', () => {
    project(dir.dir, 'fails')
    const { status, output } = run(dir.dir)
    expect(status).toBe(3)
    expect(output).toMatch(/could not be downloaded/)
  })

  it('asks for npm install when Electron is not installed at all', () => {
    project(dir.dir, 'absent')
    const { status, output } = run(dir.dir)
    expect(status).toBe(1)
    expect(output).toMatch(/npm install/)
  })
})
