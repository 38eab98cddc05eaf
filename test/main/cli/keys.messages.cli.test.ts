import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initVault, keyhold, type CliResult } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

/**
 * What `keyhold app …`, `key …` and `role …` say when they refuse (issue 18, items 10 to 12):
 * the command to run, never a screen's button; the option and the value given, never a
 * schema path; and a key already in the state asked for is said so, as `app revoke` says it.
 */
describe('keyhold app, key and role messages', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  const run = (...args: string[]): CliResult => keyhold(['--vault', vault, '--password-stdin', ...args], `${PASSWORD}\n`)
  const ok = (...args: string[]): string => {
    const result = run(...args)
    expect(result, result.stderr).toMatchObject({ status: 0, stderr: '' })
    return result.stdout
  }
  const refused = (result: CliResult, line: string) => expect(result).toMatchObject({ status: 1, stdout: '', stderr: `keyhold: ${line}\n` })

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'messages.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })
  afterAll(() => cleanup())

  it('names the option and the value given, with the values allowed, never a schema path', () => {
    refused(run('app', 'new', '--name', 'Phone', '--type', 'Mobile'), 'INVALID_INPUT: --type must be Mobile app (mobile) or Extension (extension), not "Mobile".')
    refused(
      run('app', 'new', '--name', 'Phone', '--type', 'mobile', '--expires', 'tomorrow'),
      'INVALID_INPUT: --expires "tomorrow": The expiration must be an ISO-8601 date and time with a time zone, e.g. 2026-12-31T18:00:00Z.',
    )
    refused(
      run('key', 'check', 'some-key', '--permission', 'secrets:reed'),
      'INVALID_INPUT: --permission must be one of secrets:read, secrets:write, apps:read or audit:read, not "secrets:reed".',
    )
    refused(
      run('role', 'create', 'deployers', '--permission', 'secrets:read', '--permission', 'write'),
      'INVALID_INPUT: --permission must be one of secrets:read, secrets:write, apps:read or audit:read, not "write".',
    )
    // A role's tag must be one an API secret can have, or it limits reads to nothing.
    refused(
      run('role', 'create', 'prod readers', '--permission', 'secrets:read', '--tag', 'a;b'),
      'INVALID_INPUT: --tag "a;b": A tag cannot contain ";": no API secret\'s tag can, so it would match none.',
    )
    refused(
      run('key', 'generate', '--label', 'x'.repeat(201)),
      'INVALID_INPUT: --label (201 characters): The label can have at most 200 characters.',
    )
    refused(
      run('app', 'edit', 'not-an-id', '--name', 'X'),
      'INVALID_INPUT: ID "not-an-id": The application id is not valid (ids look like 8f14e45f-ceea-4e7a-9f1b-3c4d5e6f7a8b; see `keyhold app list`).',
    )
  })

  it('says the command to run where the screen names a button, a page or a dialog', () => {
    refused(run('key', 'add-external', 'partner-1', '--role', 'nobody'), 'NOT_FOUND: There is no role "nobody". List the roles with `keyhold role list`.')
    ok('key', 'add-external', 'partner-1', '--role', 'secrets-reader')
    refused(
      run('key', 'add-external', 'partner-1', '--role', 'apps-reader'),
      'CONFLICT: partner-1 is already added. Change its roles with `keyhold key roles partner-1 --add ROLE --remove ROLE`.',
    )
    refused(
      run('key', 'deactivate', 'partner-1'),
      'INVALID_INPUT: partner-1 is a third-party key: third-party keys are removed, not deactivated. Remove it with `keyhold key remove partner-1`.',
    )
    refused(run('key', 'roles', 'nobody-key'), 'NOT_FOUND: There is no application key "nobody-key" in this vault. List the keys with `keyhold key list`.')
    const internal = /Key: +(\S+)/.exec(ok('key', 'generate', '--label', 'CI'))![1]!
    refused(
      run('key', 'remove', internal),
      `INVALID_INPUT: ${internal} is an internal key: internal keys are deactivated, not removed. Deactivate it with \`keyhold key deactivate ${internal}\`.`,
    )
    refused(
      run('key', 'add-external', internal),
      `CONFLICT: ${internal} is an internal key of this vault, not a third-party key. Change its roles with \`keyhold key roles ${internal} --add ROLE\`.`,
    )
    ok('key', 'remove', 'partner-1')
    refused(
      run('key', 'roles', 'partner-1', '--add', 'apps-reader'),
      'CONFLICT: partner-1 was removed. Add it again with its roles: `keyhold key add-external partner-1 --role ROLE`.',
    )
  })

  it('says a key is already deactivated or removed, and changes nothing, as app revoke does', () => {
    const key = /Key: +(\S+)/.exec(ok('key', 'generate', '--label', 'nightly'))![1]!
    ok('key', 'deactivate', key)
    ok('key', 'add-external', 'partner-2', '--role', 'apps-reader')
    ok('key', 'remove', 'partner-2')
    const before = readFileSync(vault)
    refused(run('key', 'deactivate', key), `CONFLICT: ${key} is already deactivated. Nothing changed.`)
    refused(run('key', 'remove', 'partner-2'), 'CONFLICT: partner-2 is already removed. Nothing changed.')
    expect(readFileSync(vault).equals(before)).toBe(true)
    // As app revoke says a second revoke.
    const app = (JSON.parse(ok('--json', 'app', 'new', '--name', 'Old phone', '--type', 'mobile')) as { id: string }).id
    ok('app', 'revoke', app)
    expect(run('app', 'revoke', app)).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: CONFLICT: "Old phone" was already revoked on .*\. Nothing changed\.\n$/) })
  })

  it('never makes an expired authorization key valid again: a new expiration or none is refused, a new name is not', async () => {
    const expires = new Date(Date.now() + 2_000).toISOString()
    const app = (JSON.parse(ok('--json', 'app', 'new', '--name', 'Soon', '--type', 'extension', '--expires', expires)) as { id: string }).id
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expires) - Date.now()) + 50))
    const said = 'CONFLICT: "Soon" has expired, which is final, so its expiration cannot be changed. Create a new key with `keyhold app new` instead.'
    refused(run('app', 'edit', app, '--expires', '2099-01-01T00:00:00Z'), said)
    refused(run('app', 'edit', app, '--no-expiry'), said)
    expect(ok('app', 'edit', app, '--name', 'Expired')).toMatch(/^Updated "Expired": expires .*, status expired\.\n$/)
  })

  it('key export-csv --out refuses to replace a file without --force, before asking for the master password', () => {
    const out = join(dir, 'keys.csv')
    writeFileSync(out, 'kept\n')
    expect(keyhold(['--vault', vault, 'key', 'export-csv', '--out', out], '')).toMatchObject({
      status: 1,
      stderr: `keyhold: CONFLICT: ${out} already exists. Choose another file, or add --force to replace it.\n`,
    })
    expect(readFileSync(out, 'utf8')).toBe('kept\n')
    expect(ok('key', 'export-csv', '--out', out, '--force')).toMatch(/^Exported \d+ keys? with access to /)
    expect(readFileSync(out, 'utf8')).toMatch(/^"Key","Type","Label"/)
    const fresh = join(dir, 'fresh.csv')
    ok('key', 'export-csv', '--out', fresh)
    expect(existsSync(fresh)).toBe(true)
  })
})
