import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { beforeEach, describe, expect, it } from 'vitest'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'

describe('keyhold key and keyhold role', () => {
  let dir: string
  let vault: string
  eachInTempDir((made) => void ((dir = made), (vault = join(dir, 'keys.keyhold'))))
  beforeEach(() => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })

  /** `keyhold --vault V --password-stdin ARGS` with the master password (and any further lines) on stdin. */
  const run = (args: string[], ...lines: string[]) => keyhold(['--vault', vault, '--password-stdin', ...args], [PASSWORD, ...lines].join('\n') + '\n')
  const json = <T>(args: string[], ...lines: string[]): T => {
    const result = run(['--json', ...args], ...lines)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    return JSON.parse(result.stdout) as T
  }
  const generate = (...args: string[]) => json<{ key: string; token: string }>(['key', 'generate', ...args])
  const check = (key: string, permission: string, token?: string, ...more: string[]) =>
    run(['key', 'check', key, '--permission', permission, ...more, ...(token === undefined ? [] : ['--token-stdin'])], ...(token === undefined ? [] : [token]))

  it('generate --json prints exactly { key, token }, and only a keyed hash is stored', async () => {
    const out = generate('--label', 'CI deploy', '--role', 'API secrets reader')
    expect(Object.keys(out).sort()).toEqual(['key', 'token'])
    expect(out.key).toMatch(/^keyhold-[0-9a-f]{6}-[a-z2-9]{12}$/)
    expect(out.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const image = await decryptImage(vault, PASSWORD)
    expect(image.includes(Buffer.from(out.token))).toBe(false)
    expect(run(['--json', 'key', 'list']).stdout).not.toContain(out.token)
  })

  it('generate prints the key and the token once, saying it will not be shown again', () => {
    const result = run(['key', 'generate'])
    expect(result.status).toBe(0)
    const key = /^Key:\s+(\S+)$/m.exec(result.stdout)![1]!
    expect(result.stdout).toMatch(/^Token:\s+[A-Za-z0-9_-]{43}$/m)
    expect(result.stdout).toMatch(/shown only this once/)
    expect(result.stdout).toMatch(/no roles, so it may do nothing/)
    const list = json<Array<{ key: string; label: string; roles: unknown[] }>>(['key', 'list', '--internal'])
    expect(list).toEqual([expect.objectContaining({ key, label: key, roles: [] })])
  })

  it('check exits 0 when allowed and 1 with FORBIDDEN otherwise; the token is line 2 of stdin', () => {
    const { key, token } = generate('--role', 'secrets-reader')
    const allowed = check(key, 'secrets:read', token)
    expect(allowed).toMatchObject({ status: 0, stderr: '' })
    expect(allowed.stdout).toMatch(/^Allowed: .* may secrets:read \(API secrets reader\)\.\n$/)
    expect(allowed.stdout).not.toContain(token)
    for (const [permission, presented, reason] of [
      ['secrets:read', 'wrong-token', /token does not match/],
      ['secrets:read', undefined, /present its token/],
      ['secrets:write', token, /grants secrets:write/],
    ] as const) {
      const denied = check(key, permission, presented)
      expect(denied.status).toBe(1)
      expect(denied.stderr).toMatch(/^keyhold: FORBIDDEN: [^\n]+\n$/)
      expect(denied.stderr).toMatch(reason)
      expect(denied.stderr).not.toContain(token)
    }
    expect(check('keyhold-000000-unknownkey00', 'secrets:read', token).stderr).toMatch(/^keyhold: FORBIDDEN: There is no application key/)
  })

  it('deactivate denies the key; activate restores it with a warning', () => {
    const { key, token } = generate('--role', 'apps-reader')
    expect(run(['key', 'deactivate', key]).stdout).toMatch(/^Deactivated .*inactive/)
    expect(check(key, 'apps:read', token).stderr).toMatch(/^keyhold: FORBIDDEN: .*deactivated/)
    const activated = run(['key', 'activate', key])
    expect(activated.status).toBe(0)
    expect(activated.stdout).toMatch(/Warning: Anyone with the token of this key regains access\./)
    expect(check(key, 'apps:read', token).status).toBe(0)
    expect(run(['key', 'remove', key]).stderr).toMatch(/^keyhold: INVALID_INPUT: .*deactivated, not removed/)
  })

  it('add-external, remove, and add again: the removed key is denied, then restored', () => {
    const added = json<{ key: string; account: string; status: string }>(['key', 'add-external', 'vtexappkey-acme-ABC', '--account', 'acme', '--role', 'Audit reader'])
    expect(added).toMatchObject({ key: 'vtexappkey-acme-ABC', account: 'acme', status: 'active' })
    expect(check('vtexappkey-acme-ABC', 'audit:read')).toMatchObject({ status: 0 })
    expect(run(['key', 'add-external', 'vtexappkey-acme-ABC']).stderr).toMatch(/^keyhold: CONFLICT: .*already added/)
    expect(run(['key', 'deactivate', 'vtexappkey-acme-ABC']).stderr).toMatch(/^keyhold: INVALID_INPUT: .*removed, not deactivated/)
    expect(run(['key', 'remove', 'vtexappkey-acme-ABC']).status).toBe(0)
    expect(check('vtexappkey-acme-ABC', 'audit:read').stderr).toMatch(/^keyhold: FORBIDDEN: .*was removed/)
    expect(run(['key', 'add-external', 'vtexappkey-acme-ABC', '--role', 'audit-reader']).status).toBe(0)
    expect(check('vtexappkey-acme-ABC', 'audit:read').status).toBe(0)
    expect(json<unknown[]>(['key', 'list', '--external'])).toHaveLength(1)
    expect(json<unknown[]>(['key', 'list', '--internal'])).toHaveLength(0)
  })

  it('roles KEY --add/--remove changes the roles; without flags it shows them', () => {
    const { key, token } = generate()
    expect(check(key, 'apps:read', token).stderr).toMatch(/no roles/)
    const changed = json<{ roles: Array<{ id: string }> }>(['key', 'roles', key, '--add', 'apps-reader', '--add', 'Audit reader'])
    expect(changed.roles.map((r) => r.id)).toEqual(['apps-reader', 'audit-reader'])
    expect(json<{ roles: Array<{ id: string }> }>(['key', 'roles', key, '--remove', 'apps-reader']).roles.map((r) => r.id)).toEqual(['audit-reader'])
    expect(run(['key', 'roles', key]).stdout).toMatch(/roles: Audit reader/)
    expect(run(['key', 'roles', key, '--add', 'Superuser']).stderr).toMatch(/^keyhold: NOT_FOUND: There is no role "Superuser"/)
  })

  it('role create with tags scopes reads; check looks the --resource secret and its tags up in the vault', () => {
    const role = json<{ id: string; tags: string[] }>(['role', 'create', 'Prod reader', '--permission', 'secrets:read', '--tag', 'prod'])
    expect(role.tags).toEqual(['prod'])
    const secret = (name: string, identifier: string, tag: string) =>
      json<{ id: string }>(['secret', 'add', '--name', name, '--url', 'https://api.example.com', '--client-id', 'client', '--identifier', identifier, '--tag', tag])
    const prod = secret('Prod DB', 'prod-db', 'Prod')
    secret('Dev DB', 'dev-db', 'dev')
    const { key, token } = generate('--role', 'Prod reader')
    expect(check(key, 'secrets:read', token, '--resource', 'prod-db').status).toBe(0)
    expect(check(key, 'secrets:read', token, '--resource', prod.id).status).toBe(0)
    expect(check(key, 'secrets:read', token, '--resource', 'dev-db').stderr).toMatch(/^keyhold: FORBIDDEN: .*tagged "prod"; secret .* is not/)
    expect(check(key, 'secrets:read', token).stderr).toMatch(/^keyhold: FORBIDDEN: .*name the secret/)
    expect(check(key, 'secrets:read', token, '--resource', 'nothing-here').stderr).toMatch(/^keyhold: NOT_FOUND: There is no API secret/)
  })

  it('role list shows the roles; role delete deletes a custom role no key holds', () => {
    json(['role', 'create', 'Prod reader', '--permission', 'secrets:read', '--tag', 'prod'])
    const { key } = generate('--role', 'Prod reader')
    const roles = run(['role', 'list'])
    expect(roles.stdout).toMatch(/secrets-reader\s+API secrets reader \(built-in\)\s+secrets:read\s+\(all secrets\)\s+0/)
    expect(roles.stdout).toMatch(/Prod reader\s+secrets:read\s+prod\s+1/)
    expect(run(['role', 'delete', 'Prod reader']).stderr).toMatch(/^keyhold: CONFLICT: .*held by 1 key/)
    expect(run(['key', 'roles', key, '--remove', 'Prod reader']).status).toBe(0)
    expect(run(['role', 'delete', 'prod READER']).stdout).toBe('Deleted role "Prod reader".\n')
    expect(run(['role', 'delete', 'API secrets reader']).stderr).toMatch(/^keyhold: INVALID_INPUT: .*built-in/)
  })

  it('export-csv writes the audit CSV to standard output, or to --out with mode 0600', () => {
    const { key, token } = generate('--label', '@risky, "quoted"', '--role', 'secrets-editor')
    generate()
    const stdout = run(['key', 'export-csv'])
    expect(stdout.status).toBe(0)
    expect(stdout.stdout).not.toContain(token)
    const rows = parse(stdout.stdout) as string[][]
    expect(rows[0]).toEqual(['Key', 'Type', 'Label', 'Account', 'Status', 'Roles', 'Created', 'Last used'])
    expect(rows.slice(1).map((r) => r.slice(0, 6))).toEqual([[key, 'internal', `'@risky, "quoted"`, 'This vault', 'active', 'API secrets editor']])
    const out = join(dir, 'audit.csv')
    expect(run(['key', 'export-csv', '--out', out]).stdout).toBe(`Exported 1 key with access to ${out}\n`)
    expect(readFileSync(out, 'utf8')).toBe(stdout.stdout)
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('refuses bad input with INVALID_INPUT or a usage error, changing nothing', () => {
    const before = readFileSync(vault)
    expect(run(['key', 'add-external', 'has space']).stderr).toMatch(/^keyhold: INVALID_INPUT: /)
    expect(run(['key', 'generate', '--label', 'x'.repeat(201)]).stderr).toMatch(/^keyhold: INVALID_INPUT: .*at most 200/)
    expect(run(['key', 'check', 'k', '--permission', 'vault:delete']).stderr).toMatch(/^keyhold: INVALID_INPUT: .*permission must be one of/)
    expect(run(['role', 'create', 'X', '--permission', 'apps:read', '--tag', 'prod']).stderr).toMatch(/^keyhold: INVALID_INPUT: .*secrets:read/)
    expect(run(['key', 'list', '--internal', '--external'])).toMatchObject({ status: 2 })
    expect(run(['key', 'check', 'k', '--permission', 'apps:read', '--tag', 'x'])).toMatchObject({ status: 2 })
    expect(run(['key', 'check', 'k'])).toMatchObject({ status: 2 })
    expect(run(['key', 'activate', 'nobody']).stderr).toMatch(/^keyhold: NOT_FOUND: /)
    expect(readFileSync(vault).equals(before)).toBe(true)
  })

  it('needs the master password', () => {
    const wrong = keyhold(['--vault', vault, '--password-stdin', 'key', 'generate'], 'wrong password\n')
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(/^keyhold: WRONG_PASSWORD: /)
  })

  it("add-external --public-key keeps the issuer's key, so the key can connect; without one it says it cannot", () => {
    const signed = run(['key', 'add-external', 'partner-signed', '--role', 'apps-reader', '--public-key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea x@y'])
    expect(signed).toMatchObject({ status: 0, stderr: '' })
    expect(signed.stdout).not.toMatch(/cannot connect/)
    const plain = run(['key', 'add-external', 'partner-plain', '--role', 'apps-reader'])
    expect(plain.stdout).toMatch(/Without the issuer's public key \(--public-key\) it is kept for audits and cannot connect to the agent\./)
    const listed = JSON.parse(run(['--json', 'key', 'list', '--external']).stdout) as Array<{ key: string; hasPublicKey: boolean }>
    expect(listed.map((k) => [k.key, k.hasPublicKey])).toEqual([
      ['partner-signed', true],
      ['partner-plain', false],
    ])
    const bad = run(['key', 'add-external', 'partner-bad', '--role', 'apps-reader', '--public-key', 'ssh-rsa AAAA'])
    expect(bad).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INVALID_INPUT: .*Ed25519/) })
  })
})
