// Bundles the `keyhold` CLI (TypeScript under src-main/cli) into out/cli/keyhold.cjs, with its
// V8 code cache in out/cli/keyhold.cjs.cache (see bin/keyhold.js).
// Runs on `npm install` (prepare), in `npm run build`, and before the CLI tests.
//
// The pure-JavaScript dependencies are bundled in (whitespace and syntax minified, names kept),
// so a cold `keyhold` reads one file and takes its compiled code from the cache instead of
// resolving and compiling hundreds of files (zod alone took ~120 ms). Packages with native or
// WebAssembly parts stay external and load from node_modules.
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outfile = 'out/cli/keyhold.cjs'
// selfsigned (the phones' certificate, made once per vault) and ws (the phones' endpoint) load
// from node_modules on first use: most commands never need them, so the bundle stays small.
const EXTERNAL = ['@node-rs/argon2', 'keytar', 'electron', 'selfsigned', 'ws']

// A cache left from an older bundle would be refused anyway (it names the bundle's digest); remove it first.
rmSync(new URL(`../${outfile}.cache`, import.meta.url), { force: true })
await build({
  absWorkingDir: root,
  entryPoints: ['src-main/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  // bin/keyhold.js runs the bundle as a vm.Script (for its code cache), which has no import():
  // packages loaded on first use (`await import('selfsigned')`) load through require().
  supported: { 'dynamic-import': false },
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
})

// The code cache is made by the Node that builds, in a fresh process without flags, from the
// bundle after loading it and running `--help` (so the parsing and help code is compiled too).
// No cache (any failure here) only makes `keyhold` start slower.
const makeCache = `
const { readFileSync, renameSync, writeFileSync } = require('node:fs')
const { load, digestOf, BUNDLE } = require('./bin/keyhold.js')
const sink = { write: () => true }
const { exports: cli, script } = load(BUNDLE, { useCache: false })
cli.runCli(['--help'], { stdout: sink, stderr: sink, stdin: process.stdin, env: {} })
  .then(() => cli.runCli(['secret', 'list', '--help'], { stdout: sink, stderr: sink, stdin: process.stdin, env: {} }))
  .then(() => {
    writeFileSync(BUNDLE + '.cache.' + process.pid, Buffer.concat([digestOf(readFileSync(BUNDLE)), script.createCachedData()]))
    renameSync(BUNDLE + '.cache.' + process.pid, BUNDLE + '.cache')
  })
`
const made = spawnSync(process.execPath, ['-e', makeCache], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
if (made.status !== 0) process.stderr.write(`build-cli: no code cache for the CLI (it still works, starting slower):\n${made.stderr}\n`)
