import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: `${__dirname}/../..` })

async function electronImportErrors(filePath: string, source = 'electron'): Promise<number> {
  const [result] = await eslint.lintText(`import { app } from '${source}'\nexport const name = app.name\n`, { filePath })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length
}

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
