// Bundles the `keyhold` CLI (TypeScript under src-main/cli) into out/cli/keyhold.cjs, its
// fast path through an unlocked agent into out/cli/keyhold-fast.cjs (the routing) and
// out/cli/keyhold-session.cjs (the session), and its read path from the vault's catalog into
// out/cli/keyhold-read.cjs, each with its V8 code cache beside it (.cache; see bin/keyhold.js).
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
// The terminal's fast path (src-main/cli/fast.ts): the routing alone, then, when an unlocked
// agent runs the command, the session's bundle (fast-session.ts) relays it; neither holds the
// commands, sql.js or the vault engine.
const fastfile = 'out/cli/keyhold-fast.cjs'
const sessionfile = 'out/cli/keyhold-session.cjs'
// The read path (src-main/cli/read-path.ts): `secret list` and `secret get` served from the
// vault's catalog, without commander or sql.js (zod is in it, for the header's one schema in
// format.ts: docs/vault-catalog.md §5).
const readfile = 'out/cli/keyhold-read.cjs'
// selfsigned (the phones' certificate, made once per vault) and ws (the phones' endpoint) load
// from node_modules on first use: most commands never need them, so the bundle stays small.
const EXTERNAL = ['@node-rs/argon2', 'keytar', 'electron', 'selfsigned', 'ws']

for (const [entry, out] of [['src-main/cli/main.ts', outfile], ['src-main/cli/fast.ts', fastfile], ['src-main/cli/fast-session.ts', sessionfile], ['src-main/cli/read-path.ts', readfile]]) {
  // A cache left from an older bundle would be refused anyway (it names the bundle's digest); remove it first.
  rmSync(new URL(`../${out}.cache`, import.meta.url), { force: true })
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: out,
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
    metafile: out === readfile,
  }).then((result) => {
    // The read path's point is what it does not load: an import that pulls one of these in fails the build.
    const pulled = new Set(Object.keys(result.metafile?.inputs ?? {}).flatMap((input) => /node_modules\/(commander|sql\.js)\//.exec(input)?.[1] ?? []))
    if (pulled.size > 0) throw new Error(`${readfile} bundles ${[...pulled].join(', ')}, which its imports must not pull in (see docs/vault-catalog.md §5)`)
  })
}

// The code cache is made by the Node that builds, in a fresh process without flags, from the
// bundle after loading it and running `--help` (so the parsing and help code is compiled too).
// No cache (any failure here) only makes `keyhold` start slower.
const makeCache = `
const { readFileSync, renameSync, writeFileSync } = require('node:fs')
const { load, digestOf, BUNDLE, FAST_BUNDLE, SESSION_BUNDLE, READ_BUNDLE } = require('./bin/keyhold.js')
const sink = { write: () => true }
const { exports: cli, script } = load(BUNDLE, { useCache: false })
cli.runCli(['--help'], { stdout: sink, stderr: sink, stdin: process.stdin, env: {} })
  .then(() => cli.runCli(['secret', 'list', '--help'], { stdout: sink, stderr: sink, stdin: process.stdin, env: {} }))
  .then(() => {
    writeFileSync(BUNDLE + '.cache.' + process.pid, Buffer.concat([digestOf(readFileSync(BUNDLE)), script.createCachedData()]))
    renameSync(BUNDLE + '.cache.' + process.pid, BUNDLE + '.cache')
    // The fast path's bundle, after asking it to route a line (no vault there: nothing is opened).
    const fast = load(FAST_BUNDLE, { useCache: false })
    const session = load(SESSION_BUNDLE, { useCache: false })
    const read = load(READ_BUNDLE, { useCache: false })
    return fast.exports.runFast(['--vault', '/nonexistent/keyhold-build.keyhold', 'secret', 'list'], () => session.exports, { stdout: sink, stderr: sink, stdin: process.stdin, env: {} })
      // The read path's, after it read a line (no vault there: it declines before standard input).
      .then(() => read.exports.runRead(['--vault', '/nonexistent/keyhold-build.keyhold', '--password-stdin', 'secret', 'list', '--search', 'x'], { stdout: sink, stdin: process.stdin, env: {} }))
      .then(() => {
      for (const [bundle, script] of [[FAST_BUNDLE, fast.script], [SESSION_BUNDLE, session.script], [READ_BUNDLE, read.script]]) {
        writeFileSync(bundle + '.cache.' + process.pid, Buffer.concat([digestOf(readFileSync(bundle)), script.createCachedData()]))
        renameSync(bundle + '.cache.' + process.pid, bundle + '.cache')
      }
    })
  })
`
const made = spawnSync(process.execPath, ['-e', makeCache], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
if (made.status !== 0) process.stderr.write(`build-cli: no code cache for the CLI (it still works, starting slower):\n${made.stderr}\n`)
