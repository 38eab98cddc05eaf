#!/usr/bin/env node
'use strict'
try {
  require.resolve('../out/cli/keyhold.cjs')
} catch {
  process.stderr.write('keyhold: INTERNAL: the CLI is not built yet. Run `npm install` (or `npm run build:cli`) in the Keyhold folder first.\n')
  process.exit(1)
}
require('../out/cli/keyhold.cjs')
