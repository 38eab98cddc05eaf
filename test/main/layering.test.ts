import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: `${__dirname}/../..` })

/** How many restricted imports the lint finds in a file at `filePath` that imports `source`. */
async function importErrors(filePath: string, source: string): Promise<number> {
  const [result] = await eslint.lintText(`import { app } from '${source}'\nexport const name = app.name\n`, { filePath })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length
}

const electronImportErrors = (filePath: string, source = 'electron') => importErrors(filePath, source)

describe('the layering lint rule', () => {
  for (const path of ['src-main/core/vault/example.ts', 'src-main/cli/example.ts', 'src-shared/example.ts', 'src-main/ipc/example.ts', 'src-renderer/example.ts']) {
    it(`rejects an electron import in ${path}`, async () => {
      expect(await electronImportErrors(path)).toBe(1)
      expect(await electronImportErrors(path, 'electron/main')).toBe(1)
    })
  }

  for (const path of ['src-main/index.ts', 'src-main/window.ts', 'src-main/preload/index.ts', 'src-main/adapters/example.ts', 'src-main/ipc/electron-ipc.ts']) {
    it(`allows an electron import in the shell file ${path}`, async () => {
      expect(await electronImportErrors(path)).toBe(0)
    })
  }
})

/** Each case: a file, the import it writes, and whether the lint lets it through. */
const LAYERS: Array<[file: string, source: string, allowed: boolean]> = [
  // The core never imports what calls it.
  ['src-main/core/example.ts', '../ipc/handle', false],
  ['src-main/core/secrets/example.ts', '../../ipc/handle', false],
  ['src-main/core/apps/example.ts', '../../cli/helpers', false],
  ['src-main/core/vault/example.ts', '../../worker/rpc', false],
  ['src-main/core/secrets/example.ts', '../../../src-shared/ipc/secrets.contract', true],
  // The CLI calls the core, never the Electron side's ipc/.
  ['src-main/cli/example.ts', '../ipc/handle', false],
  ['src-main/cli/example.ts', '../core/services', true],
  ['src-main/cli/example.ts', '../../src-shared/ipc/contract', true],
  // A feature uses another only through its service or types file.
  ['src-main/core/secrets/example.ts', '../apps/apps.repo', false],
  ['src-main/core/app-keys/example.ts', '../secrets/secrets.migration', false],
  ['src-main/core/app-keys/example.ts', '../secrets/secrets.service', true],
  ['src-main/core/app-keys/example.ts', '../secrets/secrets.types', true],
  ['src-main/core/apps/example.ts', '../vault/database', true],
  ['src-main/core/apps/example.ts', '../ports', true],
  ['src-main/core/apps/example.ts', './apps.repo', true],
  // The vault layer imports no feature, and of the core above it only ports.ts.
  ['src-main/core/vault/example.ts', '../secrets/secrets.migration', false],
  ['src-main/core/vault/example.ts', '../apps/apps.service', false],
  ['src-main/core/vault/example.ts', '../schema', false],
  ['src-main/core/vault/example.ts', '../ports', true],
  ['src-main/core/vault/example.ts', './database', true],
  ['src-main/core/vault/example.ts', '../../../src-shared/errors', true],
  // The core's composition (services.ts, schema.ts) wires the features together.
  ['src-main/core/example.ts', './secrets/secrets.migration', true],
]

describe('the layering inside main', () => {
  for (const [file, source, allowed] of LAYERS) {
    it(`${allowed ? 'allows' : 'rejects'} ${source} in ${file}`, async () => {
      expect(await importErrors(file, source)).toBe(allowed ? 0 : 1)
    })
  }
})
