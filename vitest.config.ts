import { basename, resolve } from 'node:path'
import { buildSync } from 'esbuild'
import { defineConfig, type Plugin } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

const MODULE_PATH = '?modulePath'
const BUILT_PREFIX = '\0keyhold-module-path:'

/**
 * electron-vite's `import path from './x?modulePath'` for tests: x (e.g. the core's worker
 * thread) is bundled for Node into node_modules/.cache, and the import gives that file's path,
 * so a Worker started from it runs the real code, as it does from the electron-vite build.
 */
function modulePath(): Plugin {
  return {
    name: 'keyhold-module-path',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (!id.endsWith(MODULE_PATH)) return null
      const target = await this.resolve(id.slice(0, -MODULE_PATH.length), importer, { skipSelf: true })
      return target ? BUILT_PREFIX + target.id : null
    },
    load(id) {
      if (!id.startsWith(BUILT_PREFIX)) return null
      const entry = id.slice(BUILT_PREFIX.length)
      const outfile = resolve(__dirname, 'node_modules/.cache/keyhold-test', basename(entry).replace(/\.ts$/, '.cjs'))
      buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'warning' })
      return `export default ${JSON.stringify(outfile)}`
    },
  }
}

/**
 * Three projects mirror the tree: `main` (core, services, CLI, IPC wrapper and the shell
 * against a fake electron module, and the extension's pure parts, all under plain Node),
 * `renderer` (stores and components in happy-dom) and `e2e` (Debian's Chromium driven by
 * playwright-core through the test bridge, and the built extension over the real CLI in
 * Chromium and in Debian's Firefox ESR over WebDriver BiDi).
 */
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: { electron: resolve(__dirname, 'test/fakes/electron.ts') } },
        plugins: [modulePath()],
        test: {
          name: 'main',
          environment: 'node',
          include: ['test/main/**/*.test.ts', 'test/shared/**/*.test.ts', 'test/extension/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['test/support/build-cli.global.ts'],
          setupFiles: ['test/support/schema.setup.ts', 'test/support/data-folder.setup.ts'],
        },
      },
      {
        plugins: [vue()],
        define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/renderer/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A browser, an agent and a native host on a loaded 2-core machine: a state the page
          // reaches in 100 ms alone can take seconds when CI runs everything (1 s, the default,
          // failed a pairing once). A poll that never succeeds still fails, just later.
          expect: { poll: { timeout: 10_000 } },
          fileParallelism: false,
          globalSetup: ['test/support/build-renderer.global.ts', 'test/support/build-cli.global.ts', 'test/support/build-extension.global.ts'],
          setupFiles: ['test/support/data-folder.setup.ts'],
        },
      },
    ],
  },
})
