import { parse } from 'csv-parse/sync'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppKeyId } from '../../../src-shared/types/app-keys'
import { CSV_COLUMNS, neutraliseCell } from '../../../src-main/core/app-keys/app-keys.csv'
import { FakeClock, unlockedServices } from '../../support/vault'

const HEADER = ['Key', 'Type', 'Label', 'Account', 'Status', 'Roles', 'Created', 'Last used']

describe('the audit CSV of application keys', () => {
  let ctx: Awaited<ReturnType<typeof unlockedServices>>
  let appKeys: (typeof ctx)['services']['appKeys']
  const clock = new FakeClock()

  beforeEach(async () => {
    ctx = await unlockedServices({ clock })
    appKeys = ctx.services.appKeys
  })
  afterEach(() => ctx.cleanup())

  const records = (csv: string) => parse(csv, { relax_column_count: false }) as string[][]

  it('has the columns Key, Type, Label, Account, Status, Roles, Created, Last used', () => {
    expect([...CSV_COLUMNS]).toEqual(HEADER)
    expect(records(appKeys.exportCsv().csv)).toEqual([HEADER])
  })

  it('is RFC 4180: every field quoted, quotes doubled, CRLF between records', async () => {
    await appKeys.generate({ label: 'plain', roleIds: ['secrets-reader'] })
    const { csv } = appKeys.exportCsv()
    expect(csv.startsWith('"Key","Type","Label","Account","Status","Roles","Created","Last used"\r\n')).toBe(true)
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(csv.split('\r\n')).toHaveLength(3)
    for (const line of csv.split('\r\n').filter(Boolean)) expect(line).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*"){7}$/)
  })

  it('lists only the keys with roles (those with access), internal and external, with their details', async () => {
    const reader = await appKeys.generate({ label: 'CI', roleIds: ['secrets-reader', 'apps-reader'] })
    await appKeys.generate({ label: 'no roles', roleIds: [] })
    await appKeys.addExternal({ key: 'partner-1' as AppKeyId, account: 'Partner Inc', roleIds: ['audit-reader'] })
    await appKeys.addExternal({ key: 'partner-2' as AppKeyId, roleIds: ['audit-reader'] })
    await appKeys.remove('partner-2' as AppKeyId)
    await appKeys.deactivate(reader.key.key)
    await appKeys.check({ key: 'partner-1' }, 'audit:read')
    const rows = records(appKeys.exportCsv().csv)
    const created = new Date(clock.now()).toISOString()
    expect(rows).toEqual([
      HEADER,
      [reader.key.key, 'internal', 'CI', 'This vault', 'inactive', 'API secrets reader; Apps reader', created, ''],
      ['partner-1', 'external', '', 'Partner Inc', 'active', 'Audit reader', created, created],
    ])
  })

  it('keeps a label with quotes, commas and newlines (stored before labels were one line) in one cell', async () => {
    const label = 'He said "deploy, now"\nthen left,\r\n"twice"'
    await appKeys.generate({ label, roleIds: ['secrets-reader'] })
    const rows = records(appKeys.exportCsv().csv)
    expect(rows).toHaveLength(2)
    expect(rows[1]![2]).toBe(label)
  })

  const prefixes: Array<[string, string]> = [
    ['=', '=HYPERLINK("http://evil.example","click")'],
    ['+', '+1+cmd|\' /C calc\'!A0'],
    ['-', '-2+3'],
    ['@', '@SUM(A1:A2)'],
    ['a tab', '\t=1+1'],
    ['a carriage return', '\r=1+1'],
    ['a line feed before a formula', '\n=1+1'],
    ['a space before a formula', ' +1+1'],
    ['a no-break space before a formula', '\u00a0@SUM(A1:A2)'],
    ['several kinds of whitespace before a formula', ' \n\u00a0 -2+3'],
    ['a full-width =', '＝1+1'],
    ['a full-width +', '＋1+1'],
    ['a full-width -', '－2+3'],
    ['a full-width @', '＠SUM(A1:A2)'],
    ['whitespace before a full-width =', '\u00a0 ＝1+1'],
    ['a small form of =', '\ufe661+1'],
  ]
  for (const [name, label] of prefixes) {
    it(`neutralises a cell starting with ${name} with a leading quote`, async () => {
      await appKeys.generate({ label, roleIds: ['secrets-reader'] })
      const rows = records(appKeys.exportCsv().csv)
      expect(rows[1]![2]).toBe(`'${label}`)
    })
  }

  it('neutralises role names and accounts too, and leaves harmless cells alone', async () => {
    await appKeys.createRole({ name: '=cmd|calc', permissions: ['apps:read'] })
    await appKeys.addExternal({ key: 'partner-1' as AppKeyId, account: '@evil', roleIds: ['=cmd|calc'] })
    const row = records(appKeys.exportCsv().csv)[1]!
    expect(row[3]).toBe("'@evil")
    expect(row[5]).toBe("'=cmd|calc")
    for (const harmless of ['a=b', 'a ＝ b', ' b', '\nb', '\u00a0b', '']) expect(neutraliseCell(harmless)).toBe(harmless)
  })

  it('never contains a token or a token hash', async () => {
    const made = await Promise.all([1, 2, 3].map((i) => appKeys.generate({ label: `key ${i}`, roleIds: ['secrets-editor'] })))
    const hashes = ctx.services.vault.vault().read((db) =>
      (db.exec('SELECT token_hash FROM app_key')[0]?.values ?? []).map((r) => Buffer.from(r[0] as Uint8Array)),
    )
    const { csv, count } = appKeys.exportCsv()
    expect(count).toBe(3)
    for (const { token } of made) expect(csv).not.toContain(token)
    for (const hash of hashes) {
      for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(csv).not.toContain(hash.toString(encoding))
    }
  })
})
