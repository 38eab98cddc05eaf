import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { eachInTempDir } from '../../support/vault'

const ROOT = resolve(__dirname, '../../..')
const BIN = join(ROOT, 'bin/keyhold.js')
const BUNDLE = join(ROOT, 'out/cli/keyhold.cjs')
/** What heads a cache file: the SHA-256 of the bundle it was made from. */
const digestOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest()

/** Runs plain `node ARGS` (no flags from the test runner, which would make V8 refuse any cache). */
function node(args: string[], cwd = ROOT) {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME }, timeout: 60_000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Loads `bundle` through bin/keyhold.js's loader in a new process and reports what it got. */
function loadIn(bundle: string): { cacheUsed: boolean; main: string; runCli: string } {
  const code = `const { load } = require(${JSON.stringify(BIN)}); const r = load(${JSON.stringify(bundle)});
    process.stdout.write(JSON.stringify({ cacheUsed: r.cacheUsed, main: typeof r.exports.main, runCli: typeof r.exports.runCli }))`
  const result = node(['-e', code])
  expect(result.stderr).toBe('')
  return JSON.parse(result.stdout)
}

describe('bin/keyhold.js and the code cache of the bundle', () => {
  let dir: string
  eachInTempDir((made) => void (dir = made))
  beforeEach(() => {
    // A copy of the bundle elsewhere still finds the packages kept out of it (sql.js, argon2).
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  })

  it('is built with a cache for exactly this bundle, which V8 takes', () => {
    const cache = readFileSync(`${BUNDLE}.cache`)
    expect(cache.subarray(0, 32).equals(digestOf(readFileSync(BUNDLE)))).toBe(true)
    expect(cache.length).toBeGreaterThan(100_000)
    expect(loadIn(BUNDLE)).toEqual({ cacheUsed: true, main: 'function', runCli: 'function' })
  })

  it('builds the fast path\'s two bundles with caches V8 takes too', () => {
    for (const [name, exported] of [['keyhold-fast.cjs', 'runFast'], ['keyhold-session.cjs', 'runSession']] as const) {
      const bundle = join(ROOT, 'out/cli', name)
      expect(readFileSync(`${bundle}.cache`).subarray(0, 32).equals(digestOf(readFileSync(bundle))), name).toBe(true)
      const code = `const { load } = require(${JSON.stringify(BIN)}); const r = load(${JSON.stringify(bundle)});
        process.stdout.write(JSON.stringify({ cacheUsed: r.cacheUsed, fn: typeof r.exports.${exported} }))`
      expect(JSON.parse(node(['-e', code]).stdout), name).toEqual({ cacheUsed: true, fn: 'function' })
    }
  })

  it('ignores a cache made from other bytes, and runs the bundle all the same', () => {
    const bundle = join(dir, 'keyhold.cjs')
    copyFileSync(BUNDLE, bundle)
    const cache = readFileSync(`${BUNDLE}.cache`)
    // Same length, one byte changed: V8 itself would only have compared the lengths.
    const edited = readFileSync(BUNDLE)
    edited[edited.length - 2] = edited[edited.length - 2]! ^ 1
    writeFileSync(`${bundle}.cache`, Buffer.concat([digestOf(edited), cache.subarray(32)]))
    expect(loadIn(bundle)).toEqual({ cacheUsed: false, main: 'function', runCli: 'function' })
  })

  it('runs the bundle when V8 refuses the cache data, or there is no cache', () => {
    const bundle = join(dir, 'keyhold.cjs')
    copyFileSync(BUNDLE, bundle)
    writeFileSync(`${bundle}.cache`, Buffer.concat([digestOf(readFileSync(bundle)), Buffer.alloc(4096, 7)]))
    expect(loadIn(bundle)).toEqual({ cacheUsed: false, main: 'function', runCli: 'function' })
    writeFileSync(`${bundle}.cache`, digestOf(readFileSync(bundle)))
    expect(loadIn(bundle).cacheUsed).toBe(false)
  })

  it('prints the same as the bundle run directly (without the cache)', () => {
    for (const args of [['--help'], ['secret', 'list', '--help'], ['secret', 'nope']]) {
      const viaBin = node([BIN, ...args])
      const direct = node([BUNDLE, ...args])
      expect(viaBin, args.join(' ')).toEqual(direct)
    }
    expect(node([BIN, '--help']).stdout).toMatch(/^Usage: keyhold /)
  })

  it('says how to build the CLI when the bundle is missing', () => {
    mkdirSync(join(dir, 'bin'))
    copyFileSync(BIN, join(dir, 'bin/keyhold.js'))
    const result = node([join(dir, 'bin/keyhold.js'), '--help'], dir)
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: 'keyhold: INTERNAL: the CLI is not built yet. Run `npm install` (or `npm run build:cli`) in the Keyhold folder first.\n',
    })
  })
})
