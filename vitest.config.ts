import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

/**
 * Three projects mirror the tree: `main` (core, services, CLI, IPC wrapper and the shell
 * against a fake electron module, all under plain Node), `renderer` (stores and components
 * in happy-dom) and `e2e` (Debian's Chromium driven by playwright-core through the test bridge).
 */
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: { electron: resolve(__dirname, 'test/fakes/electron.ts') } },
        test: {
          name: 'main',
          environment: 'node',
          include: ['test/main/**/*.test.ts', 'test/shared/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['test/support/build-cli.global.ts'],
        },
      },
      {
        plugins: [vue()],
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
          fileParallelism: false,
          globalSetup: ['test/support/build-renderer.global.ts'],
        },
      },
    ],
  },
})
