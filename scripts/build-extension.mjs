// Builds the browser extension (extension/) into out/extension/, ready for "Load unpacked":
// the TypeScript entry points bundled by esbuild (with src-shared and the noble and zod code they
// use; no remote code, nothing loaded at run time), and the manifest, pages and stylesheet copied.
// The manifest's version is package.json's. Runs in `npm run build` and before the browser tests.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = `${root}out/extension`
const STATIC = ['popup.html', 'popup.css', 'offscreen.html']

rmSync(outdir, { recursive: true, force: true })
mkdirSync(outdir, { recursive: true })
await build({
  absWorkingDir: root,
  entryPoints: {
    popup: 'extension/src/popup/popup.ts',
    background: 'extension/src/background/background.ts',
    offscreen: 'extension/src/offscreen/offscreen.ts',
  },
  outdir,
  bundle: true,
  format: 'esm',
  // The popup and the worker share one chunk (the protocol client, noble, zod) instead of two copies.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'browser',
  target: ['chrome120', 'firefox121'],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'eof',
  logLevel: 'warning',
})
for (const file of STATIC) copyFileSync(`${root}extension/${file}`, `${outdir}/${file}`)
const manifest = JSON.parse(readFileSync(`${root}extension/manifest.json`, 'utf8'))
manifest.version = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version
writeFileSync(`${outdir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`)
