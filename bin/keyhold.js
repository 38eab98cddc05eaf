#!/usr/bin/env node
'use strict'
/**
 * The `keyhold` command. First the fast path (out/cli/keyhold-fast.cjs, src-main/cli/fast.ts):
 * when an unlocked Keyhold app or keyhold agent serves this vault, the command runs there and
 * the session's bundle (out/cli/keyhold-session.cjs) relays it. Otherwise the read path
 * (out/cli/keyhold-read.cjs, src-main/cli/read-path.ts) serves `secret list` and `secret get`
 * with --password-stdin from the vault's catalog, and the whole CLI (out/cli/keyhold.cjs) runs
 * everything it declines. Each
 * bundle loads with the V8 code cache the build wrote next to it (.cache: the bundle's
 * SHA-256, then V8's data), so a cold start does not compile it again. A cache is used only
 * when it was made from exactly that bundle and V8 accepts it (same Node, same flags);
 * otherwise the bundle is compiled as usual. scripts/build-cli.mjs makes them with `load`.
 */
const { createHash } = require('node:crypto')
const { readFileSync } = require('node:fs')
const Module = require('node:module')
const { dirname, join } = require('node:path')
const { Script } = require('node:vm')

const BUNDLE = join(__dirname, '../out/cli/keyhold.cjs')
const FAST_BUNDLE = join(__dirname, '../out/cli/keyhold-fast.cjs')
const SESSION_BUNDLE = join(__dirname, '../out/cli/keyhold-session.cjs')
const READ_BUNDLE = join(__dirname, '../out/cli/keyhold-read.cjs')
const DIGEST_BYTES = 32

/** The bundle's SHA-256, which heads its cache file. */
const digestOf = (bytes) => createHash('sha256').update(bytes).digest()

/** V8's cached data for `bytes` from `cacheFile`, or undefined when there is none for exactly these bytes. */
function cachedDataFor(bytes, cacheFile) {
  let file
  try {
    file = readFileSync(cacheFile)
  } catch {
    return undefined
  }
  if (file.length <= DIGEST_BYTES || !digestOf(bytes).equals(file.subarray(0, DIGEST_BYTES))) return undefined
  return file.subarray(DIGEST_BYTES)
}

/**
 * Loads the bundle as Node loads a CommonJS module (same wrapper, `require` relative to it),
 * using its code cache when valid. Returns its exports, the compiled script (the build asks
 * it for cache data) and whether V8 took the cache.
 */
function load(bundle = BUNDLE, { useCache = true } = {}) {
  const bytes = readFileSync(bundle)
  const cachedData = useCache ? cachedDataFor(bytes, `${bundle}.cache`) : undefined
  const script = new Script(Module.wrap(bytes.toString('utf8')), { filename: bundle, cachedData })
  const mod = new Module(bundle, module)
  mod.filename = bundle
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, dirname(bundle))
  mod.loaded = true
  return { exports: mod.exports, script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected }
}

module.exports = { load, digestOf, BUNDLE, FAST_BUNDLE, SESSION_BUNDLE, READ_BUNDLE }

/** Runs the whole CLI (main() in src-main/cli/main.ts), on `stdin` (the read path's replay when it read some). */
function runWhole(stdin = process.stdin) {
  let cli
  try {
    cli = load()
  } catch (error) {
    if (error && error.code === 'ENOENT' && error.path === BUNDLE) {
      process.stderr.write('keyhold: INTERNAL: the CLI is not built yet. Run `npm install` (or `npm run build:cli`) in the Keyhold folder first.\n')
      process.exit(1)
    }
    throw error
  }
  cli.exports.main(process.argv.slice(2), { stdin })
}

/**
 * Whether the read path could take `argv` at all (what it needs of a line, checked without
 * loading it: most commands are not one it takes, and its bundle is 600 KB).
 */
const mayRead = (argv) => argv.includes('--password-stdin') && argv.includes('secret') && (argv.includes('list') || argv.includes('get'))

/** A command for the vault file: the read path when it takes the line, else the whole CLI. */
function runFile() {
  if (!mayRead(process.argv.slice(2))) return runWhole()
  let read
  try {
    read = load(READ_BUNDLE)
  } catch {
    // Not built (an older build): the whole CLI does everything.
    return runWhole()
  }
  read.exports.runRead(process.argv.slice(2)).then(
    (outcome) => {
      if (outcome.declined) runWhole(outcome.stdin)
      else process.exitCode = outcome.status
    },
    // runRead never rejects after reading standard input; before, the whole CLI has it all.
    () => runWhole(),
  )
}

if (require.main === module) {
  let fast
  try {
    fast = load(FAST_BUNDLE)
  } catch {
    // Not built (an older build): the whole CLI does everything.
  }
  if (!fast) runFile()
  else
    fast.exports.runFast(process.argv.slice(2), () => load(SESSION_BUNDLE).exports).then(
      (status) => {
        if (status === undefined) runFile()
        else process.exitCode = status
      },
      // The fast path could not run (its session bundle missing, say): the whole CLI does it.
      () => runWhole(),
    )
}
