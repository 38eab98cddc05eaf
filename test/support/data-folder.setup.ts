import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Keyhold's data folder (<XDG_CONFIG_HOME>/Keyhold: the activity log's anchors and journal) is
// one of this test file's own, for the core in this process and the CLI it spawns, never the
// person's ~/.config. Spawned commands get it through their env (see test/support/cli.ts).
if (!process.env.KEYHOLD_TEST_CONFIG) {
  process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'keyhold-config-'))
  process.env.KEYHOLD_TEST_CONFIG = process.env.XDG_CONFIG_HOME
}
