import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseCode } from '../../../src-shared/apps/authorization-code'
import { parsePairingUri } from '../../../src-shared/apps/pairing-uri'
import type { AppSummary } from '../../../src-shared/types/apps'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

describe('keyhold app new, list, edit and revoke', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  const run = (...args: string[]) => keyhold(['--vault', vault, '--password-stdin', ...args], `${PASSWORD}\n`)
  const json = (...args: string[]) => {
    const result = run('--json', ...args)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    return JSON.parse(result.stdout)
  }
  const list = (): AppSummary[] => json('app', 'list')

  beforeEach(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'apps.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })
  afterEach(() => cleanup())

  it('creates a key and prints { id, code, uri, network } once with --json (network: null while nothing serves phones)', () => {
    const created = json('app', 'new', '--name', 'My phone', '--type', 'mobile', '--expires', '2099-12-31T18:00:00+01:00')
    expect(Object.keys(created).sort()).toEqual(['code', 'id', 'network', 'uri'])
    expect(created.network).toBeNull()
    expect(parseCode(created.code)).toMatchObject({ ok: true, code: created.code })
    expect(parsePairingUri(created.uri)).toMatchObject({
      ok: true,
      value: { version: 1, appId: created.id, code: created.code, expiresAt: '2099-12-31T17:00:00.000Z' },
    })
    expect(list()).toEqual([
      expect.objectContaining({ id: created.id, name: 'My phone', type: 'mobile', status: 'pending', expiresAt: '2099-12-31T17:00:00.000Z', lastUsedAt: null }),
    ])
    // An Extension key has no network part.
    expect(Object.keys(json('app', 'new', '--name', 'Browser', '--type', 'extension')).sort()).toEqual(['code', 'id', 'uri'])
  })

  it('prints the manual code, the QR drawn in the terminal and the once-only warning', () => {
    const result = run('app', 'new', '--name', 'Browser', '--type', 'extension')
    expect(result).toMatchObject({ status: 0, stderr: '' })
    const code = /Or enter this code: (\S+)/.exec(result.stdout)?.[1]
    expect(code && parseCode(code).ok).toBe(true)
    expect(result.stdout).toMatch(/[█▀▄]{7}/)
    expect(result.stdout).toContain('shown only this once')
    expect(result.stdout).toMatch(/revoke it \(keyhold app revoke [0-9a-f-]{36}\) and create a new one/)
    expect(result.stdout).toContain('Expires: never (until revoked)')
    expect(result.stdout.split(code!).length - 1).toBe(1)
  })

  it('lists every application, revoked and expired ones included, as a table or JSON', () => {
    expect(run('app', 'list').stdout).toMatch(/No applications yet/)
    expect(list()).toEqual([])
    const a = json('app', 'new', '--name', 'Phone', '--type', 'mobile')
    const b = json('app', 'new', '--name', 'Browser', '--type', 'extension', '--expires', '2099-01-01T00:00Z')
    json('app', 'revoke', a.id)
    const table = run('app', 'list').stdout
    expect(table.split('\n')[0]).toMatch(/^ID\s+NAME\s+TYPE\s+CREATED\s+EXPIRES\s+STATUS\s+LAST USED$/)
    expect(table).toMatch(new RegExp(`${a.id}\\s+Phone\\s+Mobile app\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\s+never\\s+revoked\\s+never`))
    expect(table).toMatch(new RegExp(`${b.id}\\s+Browser\\s+Extension\\s+.+2099-01-01 00:00 UTC\\s+pending`))
    expect(list().map((app) => app.status).sort()).toEqual(['pending', 'revoked'])
  })

  it('edits the name and the expiration, and removes the expiration with --no-expiry', () => {
    const { id } = json('app', 'new', '--name', 'Phone', '--type', 'mobile')
    expect(json('app', 'edit', id, '--name', 'Work phone', '--expires', '2099-05-01T08:00:00Z')).toMatchObject({
      id,
      name: 'Work phone',
      expiresAt: '2099-05-01T08:00:00.000Z',
    })
    const human = run('app', 'edit', id, '--no-expiry')
    expect(human).toMatchObject({ status: 0, stderr: '' })
    expect(human.stdout).toMatch(/Updated "Work phone": expires never \(until revoked\), status pending\./)
    expect(list()[0]).toMatchObject({ name: 'Work phone', expiresAt: null, type: 'mobile' })
  })

  it('revokes for good and records when', () => {
    const { id } = json('app', 'new', '--name', 'Phone', '--type', 'mobile')
    const revoked = run('app', 'revoke', id)
    expect(revoked).toMatchObject({ status: 0, stderr: '' })
    expect(revoked.stdout).toMatch(/^Revoked "Phone" on \d{4}-\d\d-\d\d \d\d:\d\d UTC\. This cannot be undone/)
    expect(list()[0]).toMatchObject({ status: 'revoked', revokedAt: expect.stringMatching(/^\d{4}-/) })
    const again = run('app', 'revoke', id)
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/^keyhold: CONFLICT: "Phone" was already revoked on [^\n]+\n$/)
    expect(run('app', 'edit', id, '--name', 'Back').stderr).toMatch(/^keyhold: CONFLICT: /)
  })

  it('refuses bad input with one-line typed errors and changes nothing', () => {
    const refused: Array<[string[], RegExp]> = [
      [['app', 'new', '--name', 'Phone', '--type', 'desktop'], /^keyhold: INVALID_INPUT: .*Mobile app \(mobile\) or Extension \(extension\)/],
      [['app', 'new', '--name', ' ', '--type', 'mobile'], /^keyhold: INVALID_INPUT: .*name is mandatory/],
      [['app', 'new', '--name', 'Phone', '--type', 'mobile', '--expires', '2020-01-01T00:00:00Z'], /^keyhold: INVALID_INPUT: The expiration date is in the past/],
      [['app', 'new', '--name', 'Phone', '--type', 'mobile', '--expires', '31/12/2099'], /^keyhold: INVALID_INPUT: .*ISO-8601/],
      [['app', 'edit', 'not-an-id', '--name', 'X'], /^keyhold: INVALID_INPUT: .*application id is not valid/],
      [['app', 'edit', '00000000-0000-4000-8000-000000000000', '--name', 'X'], /^keyhold: NOT_FOUND: /],
      [['app', 'revoke', '00000000-0000-4000-8000-000000000000'], /^keyhold: NOT_FOUND: /],
    ]
    for (const [args, stderr] of refused) {
      const result = run(...args)
      expect(result.status, args.join(' ')).toBe(1)
      expect(result.stderr).toMatch(stderr)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stdout).toBe('')
    }
    expect(list()).toEqual([])
  })

  it('exits 2 on usage errors: missing flags, both --expires and --no-expiry, nothing to edit', () => {
    const { id } = json('app', 'new', '--name', 'Phone', '--type', 'mobile')
    for (const args of [
      ['app', 'new', '--type', 'mobile'],
      ['app', 'new', '--name', 'Phone'],
      ['app', 'edit', id],
      ['app', 'edit', id, '--expires', '2099-01-01T00:00Z', '--no-expiry'],
      ['app', 'revoke'],
      ['app', 'frobnicate'],
    ]) {
      const result = run(...args)
      expect(result.status, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/^keyhold: usage: /)
    }
    expect(list()[0]).toMatchObject({ name: 'Phone', expiresAt: null })
  })

  it('shows the app commands in help and counts applications in info', () => {
    expect(keyhold(['app', '--help']).stdout).toMatch(/new[\s\S]*list[\s\S]*edit[\s\S]*revoke/)
    json('app', 'new', '--name', 'Phone', '--type', 'mobile')
    expect(json('info').counts).toMatchObject({ apps: 1 })
  })
})
