// Bundles the `keyhold` CLI (TypeScript under src-main/cli) into out/cli/keyhold.cjs.
// Runs on `npm install` (prepare), in `npm run build`, and before the CLI tests.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
await build({
  absWorkingDir: root,
  entryPoints: ['src-main/cli/main.ts'],
  outfile: 'out/cli/keyhold.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
})
