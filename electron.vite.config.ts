import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

/**
 * Three bundles: main (Node, electron external), the sandboxed preload (one
 * self-contained CommonJS file, since a sandboxed preload cannot require modules),
 * and the renderer (Vue). Test-only code under test/ is never an entry.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/index.ts') },
        // Packages loaded on first use (`await import('qrcode')`) load through require(), as
        // every other package in main does, not through Node's ESM loader.
        output: { dynamicImportInCjs: false },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue()],
    // vue-i18n's feature flags: the Composition API only, no devtools. Its messages are
    // compiled to ASTs at run time without eval (the CSP has no 'unsafe-eval').
    define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
  },
})
