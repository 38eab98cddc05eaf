// Builds the browser extension (extension/) twice from the same sources, ready to load unpacked:
// out/extension/ for Chromium-based browsers (Chrome, Chromium, Edge, Brave) and
// out/extension-firefox/ for Firefox. The TypeScript entry points are bundled by esbuild (with
// src-shared and the noble and zod code they use; no remote code, nothing loaded at run time),
// the pages and stylesheet copied, and each browser's manifest derived from extension/manifest.json
// (Chromium's, as it ships). The manifests' version is package.json's. Runs in `npm run build` and
// before the browser tests.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const read = (path) => JSON.parse(readFileSync(`${root}${path}`, 'utf8'))

/**
 * Every permission the extension asks for, and why. The build refuses a manifest that asks for
 * anything else, so this list and extension/manifest.json cannot drift apart. No host
 * permissions and no content scripts.
 */
const PERMISSIONS = {
  // Start `keyhold native-host`, the extension's only way to Keyhold (docs/pairing-protocol.md §2.3).
  nativeMessaging: 'both',
  // Fill: the click on the toolbar button lets the popup write into that one tab, once asked.
  activeTab: 'both',
  // Fill: runs fillFocusedField in that tab (chrome.scripting.executeScript).
  scripting: 'both',
  // The one PairedIdentity (identity-store.ts); nothing read from the vault.
  storage: 'both',
  // Copy, and emptying the clipboard from a page nobody looks at (dom-clipboard.ts).
  clipboardWrite: 'both',
  // The clear after Keyhold's clipboard delay reads the clipboard back to compare its SHA-256 with the copy's.
  clipboardRead: 'both',
  // Chromium's worker has no DOM: the clipboard watch runs in an offscreen document. Firefox's
  // background page has a DOM of its own and no offscreen API.
  offscreen: 'chromium',
}

/** The oldest Firefox the build targets: the 128 ESR line has all the extension uses (MV3 event pages, module background scripts, scripting.executeScript with func and args). */
const FIREFOX_MIN = 128

/** Chromium's manifest: extension/manifest.json as written, with package.json's version. */
function chromiumManifest(source, version) {
  const unknown = source.permissions.filter((p) => !(p in PERMISSIONS))
  const missing = Object.keys(PERMISSIONS).filter((p) => !source.permissions.includes(p))
  if (unknown.length || missing.length)
    throw new Error(`extension/manifest.json's permissions differ from PERMISSIONS in scripts/build-extension.mjs (unknown: ${unknown.join(', ') || 'none'}; missing: ${missing.join(', ') || 'none'}). Say why each is there.`)
  return { ...source, version }
}

/**
 * Firefox's manifest from Chromium's: the id Keyhold's host manifest allows
 * (`allowed_extensions`), an event page (`background.scripts`) where Chromium has a service
 * worker, and none of Chromium's own keys (`key` fixes Chromium's id; `minimum_chrome_version`;
 * the `offscreen` permission).
 */
function firefoxManifest(chromium) {
  const { key: _key, minimum_chrome_version: _minimum, background, permissions, ...shared } = chromium
  return {
    ...shared,
    permissions: permissions.filter((p) => PERMISSIONS[p] === 'both'),
    background: { scripts: [background.service_worker], type: background.type },
    browser_specific_settings: {
      gecko: {
        // FIREFOX_EXTENSION_ID in extension/src/ids.ts and src-main/core/browser/native-hosts.ts.
        id: 'extension@keyhold.app',
        strict_min_version: `${FIREFOX_MIN}.0`,
        // It sends nothing anywhere: it talks only to Keyhold on this computer.
        data_collection_permissions: { required: ['none'] },
      },
    },
  }
}

const TARGETS = [
  {
    outdir: `${root}out/extension`,
    entryPoints: { popup: 'extension/src/popup/popup.ts', background: 'extension/src/background/background.ts', offscreen: 'extension/src/offscreen/offscreen.ts' },
    pages: ['popup.html', 'popup.css', 'offscreen.html'],
    target: 'chrome120',
    manifest: (source) => source,
  },
  {
    outdir: `${root}out/extension-firefox`,
    entryPoints: { popup: 'extension/src/popup/popup.ts', background: 'extension/src/background/background.ts' },
    pages: ['popup.html', 'popup.css'],
    target: `firefox${FIREFOX_MIN}`,
    manifest: firefoxManifest,
  },
]

const manifest = chromiumManifest(read('extension/manifest.json'), read('package.json').version)
for (const { outdir, entryPoints, pages, target, manifest: derive } of TARGETS) {
  rmSync(outdir, { recursive: true, force: true })
  mkdirSync(outdir, { recursive: true })
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    format: 'esm',
    // The popup and the background share one chunk (the protocol client, noble, zod) instead of two copies.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'browser',
    target,
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    logLevel: 'warning',
  })
  for (const file of pages) copyFileSync(`${root}extension/${file}`, `${outdir}/${file}`)
  writeFileSync(`${outdir}/manifest.json`, `${JSON.stringify(derive(manifest), null, 2)}\n`)
}
