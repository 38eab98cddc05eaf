import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppKeySummary, GeneratedAppKey } from '../../../src-shared/types/app-keys'
import type { SaveFileDialog } from '../../../src-main/core/ports'
import { createServices } from '../../../src-main/core/services'
import { REAUTH_WINDOW_MS } from '../../../src-main/core/vault/vault.service'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { FAST_KDF, FakeClock, PASSWORD, tempDir } from '../../support/vault'

/** A save dialog that answers with a fixed path (or cancels), recording what it was asked. */
class FakeSaveDialog implements SaveFileDialog {
  asked: Array<{ title: string; defaultName: string }> = []
  constructor(public answer: string | null) {}
  async choosePath(options: { title: string; defaultName: string }): Promise<string | null> {
    this.asked.push(options)
    return this.answer
  }
}

describe('application keys over IPC', () => {
  let dir: string
  let cleanup: () => void
  let path: string
  let dialog: FakeSaveDialog
  let dispatch: Dispatch
  let clock: FakeClock
  let services: ReturnType<typeof createServices>

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
    clock = new FakeClock()
    dialog = new FakeSaveDialog(join(dir, 'export.csv'))
    services = createServices({ vaultPath: path, keyStore: new MemoryKeyStore(), kdf: FAST_KDF, clock, saveFileDialog: dialog })
    await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
    dispatch = createAppDispatch(services)
  })
  afterEach(() => {
    services.vault.lock()
    cleanup()
  })

  const value = <T>(result: Awaited<ReturnType<Dispatch>>): T => {
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
    return result.value as T
  }

  const bad: Array<[string, string, unknown]> = [
    ['a label over 200 characters', 'app-keys:generate', { label: 'x'.repeat(201), roleIds: [] }],
    ['a label with a NUL', 'app-keys:generate', { label: 'a\u0000b', roleIds: [] }],
    ['a label on two lines', 'app-keys:generate', { label: 'Deploy bot\nstaging only', roleIds: [] }],
    ['a label with a tab', 'app-keys:generate', { label: 'Deploy\tbot', roleIds: [] }],
    ['a label with a carriage return', 'app-keys:generate', { label: 'Deploy bot\r', roleIds: [] }],
    ['roles that are not a list', 'app-keys:generate', { roleIds: 'secrets-reader' }],
    ['more than 50 roles', 'app-keys:generate', { roleIds: Array.from({ length: 51 }, () => 'secrets-reader') }],
    ['an extra field', 'app-keys:generate', { roleIds: [], token: 'mine' }],
    ['an empty key', 'app-keys:add-external', { key: '  ', roleIds: [] }],
    ['a key with a space', 'app-keys:add-external', { key: 'my key', roleIds: [] }],
    ['a key starting with a dash', 'app-keys:add-external', { key: '-rf', roleIds: [] }],
    ['a key over 200 characters', 'app-keys:add-external', { key: 'k'.repeat(201), roleIds: [] }],
    ['an account on two lines', 'app-keys:add-external', { key: 'partner', account: 'a\nb', roleIds: [] }],
    ['a role without permissions', 'roles:create', { name: 'Empty', permissions: [] }],
    ['an unknown permission', 'roles:create', { name: 'Root', permissions: ['vault:delete'] }],
    ['tags on a role that cannot read secrets', 'roles:create', { name: 'Odd', permissions: ['apps:read'], tags: ['prod'] }],
    ['an empty role name', 'roles:create', { name: ' ', permissions: ['apps:read'] }],
    ['a made-up copy handle', 'app-keys:copy-token', { handle: '../../etc/passwd' }],
    ['an unknown list filter', 'app-keys:list', { type: 'all' }],
  ]
  for (const [name, channel, input] of bad) {
    it(`answers INVALID_INPUT to ${name} on ${channel} and changes nothing`, async () => {
      const before = readFileSync(path)
      const result = await dispatch(channel, input)
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
      expect(readFileSync(path).equals(before)).toBe(true)
      expect(value<AppKeySummary[]>(await dispatch('app-keys:list', {}))).toEqual([])
    })
  }

  it('says a label must be a single line', async () => {
    expect(await dispatch('app-keys:generate', { label: 'a\nb', roleIds: [] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('The label must be a single line without control characters.') },
    })
  })

  it('still lists and exports a label stored on several lines before labels were one line', async () => {
    // The service takes what the contract let through, as an older Keyhold's contract did.
    const label = 'Deploy bot\nstaging\tonly\r\n'
    const stored = await services.appKeys.generate({ label, roleIds: ['secrets-reader'] })
    expect(value<AppKeySummary[]>(await dispatch('app-keys:list', {})).map((k) => k.label)).toEqual([label])
    value(await dispatch('app-keys:export-csv', {}))
    expect(parse(readFileSync(join(dir, 'export.csv'), 'utf8'))[1]).toEqual(expect.arrayContaining([stored.key.key, label]))
  })

  it('does not echo a rejected value in the error message', async () => {
    const result = await dispatch('app-keys:generate', { label: `sk_live_SECRET${'x'.repeat(300)}`, roleIds: [] })
    expect(result.ok).toBe(false)
    expect(JSON.stringify(result)).not.toContain('sk_live_SECRET')
  })

  it('returns the token in the generate answer only; lists never carry it', async () => {
    const generated = value<GeneratedAppKey>(await dispatch('app-keys:generate', { label: 'deploy', roleIds: ['secrets-reader'] }))
    expect(generated.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const list = await dispatch('app-keys:list', {})
    expect(JSON.stringify(list)).not.toContain(generated.token)
    expect(value<AppKeySummary[]>(list)).toEqual([generated.key])
    expect(value<AppKeySummary[]>(await dispatch('app-keys:list', { type: 'external' }))).toEqual([])
  })

  it('answers REAUTH_REQUIRED after 5 minutes, and works again after vault:confirm-password', async () => {
    clock.advance(REAUTH_WINDOW_MS + 1)
    expect(await dispatch('app-keys:add-external', { key: 'partner', roleIds: ['apps-reader'] })).toMatchObject({
      ok: false,
      error: { code: 'REAUTH_REQUIRED' },
    })
    expect(value(await dispatch('vault:confirm-password', { password: PASSWORD }))).toBeNull()
    expect(value<AppKeySummary>(await dispatch('app-keys:add-external', { key: 'partner', roleIds: ['apps-reader'] })).status).toBe('active')
  })

  it('runs the whole key life cycle', async () => {
    const generated = value<GeneratedAppKey>(await dispatch('app-keys:generate', { roleIds: [] }))
    const key = generated.key.key
    expect(value<AppKeySummary>(await dispatch('app-keys:set-roles', { key, roleIds: ['apps-reader'] })).roles).toEqual([
      { id: 'apps-reader', name: 'Apps reader' },
    ])
    expect(value<AppKeySummary>(await dispatch('app-keys:deactivate', { key })).status).toBe('inactive')
    expect(value<AppKeySummary>(await dispatch('app-keys:activate', { key })).status).toBe('active')
    value(await dispatch('app-keys:add-external', { key: 'partner', account: 'Partner', roleIds: ['audit-reader'] }))
    expect(value<AppKeySummary>(await dispatch('app-keys:remove', { key: 'partner' })).status).toBe('removed')
    expect(await dispatch('app-keys:remove', { key })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    const role = value<{ id: string }>(await dispatch('roles:create', { name: 'Prod reader', permissions: ['secrets:read'], tags: ['prod'] }))
    expect(value<Array<{ name: string }>>(await dispatch('roles:list', {})).map((r) => r.name)).toContain('Prod reader')
    expect(value(await dispatch('roles:delete', { id: role.id }))).toBeNull()
  })

  it('exports through the save dialog to a 0600 file with the keys that have roles', async () => {
    const generated = value<GeneratedAppKey>(await dispatch('app-keys:generate', { label: '=SUM(1)', roleIds: ['secrets-reader'] }))
    value(await dispatch('app-keys:generate', { roleIds: [] }))
    const result = value<{ saved: boolean; path: string; count: number }>(await dispatch('app-keys:export-csv', {}))
    expect(result).toEqual({ saved: true, path: join(dir, 'export.csv'), count: 1 })
    expect(dialog.asked[0]).toMatchObject({ defaultName: 'keyhold-application-keys-2026-01-01.csv' })
    expect(statSync(result.path).mode & 0o777).toBe(0o600)
    const text = readFileSync(result.path, 'utf8')
    expect(text).not.toContain(generated.token)
    expect(parse(text)[1]).toEqual([generated.key.key, 'internal', "'=SUM(1)", 'This vault', 'active', 'API secrets reader', generated.key.createdAt, ''])
  })

  it('writes nothing when the save dialog is cancelled', async () => {
    dialog.answer = null
    expect(value(await dispatch('app-keys:export-csv', {}))).toEqual({ saved: false, path: null, count: 0 })
  })

  it('says what to do when Keyhold cannot write the chosen file', async () => {
    dialog.answer = join(dir, 'missing-folder', 'export.csv')
    expect(await dispatch('app-keys:export-csv', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/could not write/) } })
  })

  it('needs the unlocked vault', async () => {
    services.vault.lock()
    expect(await dispatch('app-keys:list', {})).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
    expect(await dispatch('app-keys:export-csv', {})).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } })
  })
})
