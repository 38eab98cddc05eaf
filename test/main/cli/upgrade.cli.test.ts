import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LATEST_SCHEMA_VERSION } from '../../../src-main/core/schema'
import { keyhold } from '../../support/cli'
import { tempDir } from '../../support/vault'

const GOLDEN = join(__dirname, '../../data/vaults')

/**
 * A vault of an older schema is brought up to date when it is opened, and saved so once: the
 * next command (one that only reads, which never rewrites the vault) does not migrate it again.
 */
describe('a vault of an older schema, opened by commands that only read', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  let password: string

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'old.keyhold')
    copyFileSync(join(GOLDEN, 'schema-6.format-1.2.keyhold'), vault)
    password = (JSON.parse(readFileSync(join(GOLDEN, 'schema-6.format-1.2.json'), 'utf8')) as { password: string }).password
  })
  afterAll(() => cleanup())

  it('is saved at the latest schema by the first, and left byte for byte by the next', () => {
    const env = { KEYHOLD_NO_AGENT: '1' }
    const before = readFileSync(vault)
    const first = keyhold(['--vault', vault, '--password-stdin', '--json', 'secret', 'list'], `${password}\n`, env)
    expect(first).toMatchObject({ status: 0, stderr: '' })
    const saved = readFileSync(vault)
    expect(saved.equals(before), 'the first open saves the migrated vault').toBe(false)
    const second = keyhold(['--vault', vault, '--password-stdin', '--json', 'secret', 'list'], `${password}\n`, env)
    expect(second).toEqual(first)
    expect(readFileSync(vault).equals(saved), 'nothing left to migrate, so nothing is written').toBe(true)
    expect(JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'info'], `${password}\n`, env).stdout)).toMatchObject({ schemaVersion: LATEST_SCHEMA_VERSION })
  })
})
