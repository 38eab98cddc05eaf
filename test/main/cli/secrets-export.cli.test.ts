import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { beforeEach, describe, expect, it } from 'vitest'
import { initVault, keyhold, type CliResult } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

/** Every field of an API secret, with values a spreadsheet would run and a CSV must quote. */
const TRICKY = {
  name: '=HYPERLINK("https://evil.example","click")',
  url: 'https://api.tricky.example/v1?a=1&b=2',
  clientId: '@client, "quoted"',
  clientSecret: "-sk_EXPORT_SECRET_1 'with' \"quotes\", ",
  identifier: '+tricky',
  method: 'PATCH',
  tags: ['-dev', "'quoted", 'ops,eu'],
  notes: "'starts with an apostrophe\nline 2 =1+1\n\tindented",
}

describe('keyhold secret export', () => {
  let dir: string
  let vault: string
  eachInTempDir((made) => void ((dir = made), (vault = join(dir, 'cli.keyhold'))))
  beforeEach(() => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })

  const run = (args: string[], { lines = [] as string[], json = false, at = vault } = {}): CliResult =>
    keyhold(['--vault', at, '--password-stdin', ...(json ? ['--json'] : []), ...args], [PASSWORD, ...lines].join('\n') + '\n')
  const add = (secret: typeof TRICKY | Record<string, string>, at = vault) => {
    const s = secret as Record<string, unknown>
    const flags = ['name', 'url', 'clientId', 'identifier', 'method', 'notes'].flatMap((key) =>
      s[key] === undefined ? [] : [`--${key === 'clientId' ? 'client-id' : key}`, String(s[key])],
    )
    const tags = ((s.tags as string[] | undefined) ?? []).flatMap((tag) => ['--tag', tag])
    const result = run(['secret', 'add', ...flags, ...tags, ...(s.clientSecret ? ['--client-secret-stdin'] : [])], { lines: s.clientSecret ? [String(s.clientSecret)] : [], at })
    expect(result, result.stderr).toMatchObject({ status: 0 })
  }
  const exported = (at = vault) => JSON.parse(run(['secret', 'export', '--format', 'json'], { at }).stdout) as Array<Record<string, unknown>>

  it('prints every API secret with its client secret as JSON in the keys import reads, in name order', () => {
    add({ name: 'Zed last', url: 'https://z.example', clientId: 'z' })
    add(TRICKY)
    const result = run(['secret', 'export', '--format', 'json'])
    expect(result).toMatchObject({ status: 0, stderr: '' })
    expect(JSON.parse(result.stdout)).toEqual([
      TRICKY,
      { name: 'Zed last', url: 'https://z.example', clientId: 'z', clientSecret: null, identifier: null, method: null, tags: [], notes: '' },
    ])
  })

  for (const format of ['json', 'csv']) {
    it(`imports its ${format} export into another vault with every field as it was`, () => {
      add(TRICKY)
      add({ name: 'Plain', url: 'https://plain.example', clientId: 'p', clientSecret: 'p-secret' })
      const file = join(dir, `secrets.${format}`)
      expect(run(['secret', 'export', '--format', format, '--out', file]).status).toBe(0)
      const other = join(dir, 'other.keyhold')
      expect(initVault(other, PASSWORD).status).toBe(0)
      expect(run(['secret', 'import', file], { at: other })).toMatchObject({ status: 0, stdout: 'Imported 2 API secrets.\n' })
      expect(exported(other)).toEqual(exported())
    })
  }

  it('neutralises every CSV cell a spreadsheet would run, as the other exports do', () => {
    add(TRICKY)
    const csv = run(['secret', 'export', '--format', 'csv']).stdout
    const [header, row] = parseCsv(csv) as string[][]
    expect(header).toEqual(['name', 'url', 'clientId', 'clientSecret', 'identifier', 'method', 'tags', 'notes'])
    expect(row).toEqual([
      `'${TRICKY.name}`,
      TRICKY.url,
      `'${TRICKY.clientId}`,
      `'${TRICKY.clientSecret}`,
      `'${TRICKY.identifier}`,
      'PATCH',
      `'-dev;'quoted;ops,eu`,
      `'${TRICKY.notes}`,
    ])
    for (const cell of row!) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
  })

  it('writes --out with mode 0600, says where, and refuses to replace it without --force', () => {
    add(TRICKY)
    const file = join(dir, 'out.csv')
    const first = run(['secret', 'export', '--format', 'csv', '--out', file])
    expect(first).toMatchObject({ status: 0, stdout: `Exported 1 API secret, with its client secret, to ${file} (readable only by you). Delete it when it is no longer needed.\n` })
    expect(first.stdout).not.toContain('EXPORT_SECRET')
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
    const before = sha(file)
    add({ name: 'Second', url: 'https://s.example', clientId: 's' })
    const again = run(['secret', 'export', '--format', 'csv', '--out', file])
    expect(again).toMatchObject({ status: 1, stderr: `keyhold: CONFLICT: ${file} already exists. Choose another file, or add --force to replace it.\n` })
    expect(sha(file)).toBe(before)
    const forced = run(['secret', 'export', '--format', 'json', '--out', file, '--force'], { json: true })
    expect(JSON.parse(forced.stdout)).toEqual({ exported: 2, format: 'json', path: file })
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(2)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('refuses a bad format, a folder and a missing folder before asking for the master password', () => {
    const before = sha(vault)
    const noPassword = (args: string[]) => keyhold(['--vault', vault, '--password-stdin', 'secret', 'export', ...args], '')
    expect(noPassword(['--format', 'xml'])).toMatchObject({ status: 1, stderr: 'keyhold: INVALID_INPUT: --format must be one of json, csv.\n' })
    mkdirSync(join(dir, 'folder'))
    expect(noPassword(['--format', 'csv', '--out', join(dir, 'folder'), '--force']).stderr).toBe(`keyhold: INVALID_INPUT: ${join(dir, 'folder')} is a folder. Give the path of the file to write.\n`)
    expect(noPassword(['--format', 'csv', '--out', join(dir, 'nope', 'x.csv')]).stderr).toMatch(/^keyhold: INVALID_INPUT: The folder \S+nope does not exist\./)
    writeFileSync(join(dir, 'taken.csv'), 'keep me')
    expect(noPassword(['--format', 'csv', '--out', join(dir, 'taken.csv')]).stderr).toMatch(/^keyhold: CONFLICT: /)
    expect(readFileSync(join(dir, 'taken.csv'), 'utf8')).toBe('keep me')
    expect(noPassword(['--out', 'x.csv']).status).toBe(2)
    expect(sha(vault)).toBe(before)
  })

  it('records secrets.exported with the format and the count, and never a value', () => {
    add(TRICKY)
    run(['secret', 'export', '--format', 'csv'])
    const entries = JSON.parse(run(['audit', 'list', '--event', 'secrets.exported'], { json: true }).stdout) as Array<Record<string, unknown>>
    expect(entries).toMatchObject([{ event: 'secrets.exported', actor: { type: 'cli' }, outcome: 'ok', detail: { format: 'csv', count: 1 } }])
    expect(JSON.stringify(entries)).not.toContain('EXPORT_SECRET')
  })

  it('asks for the master password: a wrong one exports nothing', () => {
    add(TRICKY)
    const wrong = keyhold(['--vault', vault, '--password-stdin', 'secret', 'export', '--format', 'json'], 'not the password\n')
    expect(wrong).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/^keyhold: WRONG_PASSWORD: /) })
  })
})
