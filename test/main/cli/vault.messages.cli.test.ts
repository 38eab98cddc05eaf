import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyhold } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

/** What `keyhold init` and `info` say (issue 18, item 12): a missing folder is said, not made behind the person's back; counts are labelled for people. */
describe('keyhold init and info messages', () => {
  let dir: string
  let cleanup: () => void
  const init = (vault: string, ...more: string[]) =>
    keyhold(['--vault', vault, '--password-stdin', 'init', '--kdf-memory', '19', '--kdf-iterations', '2', ...more], `${PASSWORD}\n`)

  beforeAll(() => void ({ dir, cleanup } = tempDir()))
  afterAll(() => cleanup())

  it('init says which folder is missing and creates nothing; with --parents it creates the folders (0700) and the vault', () => {
    const folder = join(dir, 'vaults', 'work')
    const vault = join(folder, 'work.keyhold')
    expect(init(vault)).toMatchObject({
      status: 1,
      stderr: `keyhold: INVALID_INPUT: The folder ${folder} does not exist. Create it, or add --parents to create it with the vault. Nothing was created.\n`,
    })
    expect(existsSync(join(dir, 'vaults'))).toBe(false)
    expect(init(vault, '--parents')).toMatchObject({ status: 0, stdout: `Created vault ${vault}\n`, stderr: '' })
    expect(statSync(folder).mode & 0o777).toBe(0o700)
  })

  it('info labels the counts as the app does: API secrets, Authorization keys, Application keys (--json keeps its keys)', () => {
    const vault = join(dir, 'info.keyhold')
    expect(init(vault).status).toBe(0)
    const info = keyhold(['--vault', vault, '--password-stdin', 'info'], `${PASSWORD}\n`)
    expect(info).toMatchObject({ status: 0, stderr: '' })
    expect(info.stdout).toMatch(/\nAPI secrets +0\nAuthorization keys +0\nApplication keys +0\n$/)
    expect(info.stdout).not.toMatch(/appKeys|^apps|^secrets/m)
    const json = JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'info'], `${PASSWORD}\n`).stdout) as { counts: Record<string, number> }
    expect(json.counts).toEqual({ appKeys: 0, secrets: 0, apps: 0 })
  })
})
