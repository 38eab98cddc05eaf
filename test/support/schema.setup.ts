import { chmodSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SCHEMA } from '../../src-main/core/schema'
import { useSchema } from '../../src-main/core/vault/database'

// Tests that open vaults without createServices (the vault engine's own) use the app's schema,
// as createServices sets it (see useSchema).
useSchema(SCHEMA)

// Agents started by tests (the app's core in a worker, the bridge) listen in a folder of this
// test file's own, never in the person's $XDG_RUNTIME_DIR.
if (!process.env.KEYHOLD_AGENT_DIR) {
  const folder = mkdtempSync(join(tmpdir(), 'keyhold-agent-'))
  chmodSync(folder, 0o700)
  process.env.KEYHOLD_AGENT_DIR = folder
}
