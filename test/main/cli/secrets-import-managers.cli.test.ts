import { createHash } from 'node:crypto'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { initVault, keyhold, type CliResult } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'

const DATA = join(__dirname, '../../data/imports')
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

interface Exported {
  name: string
  url: string
  clientId: string
  clientSecret: string | null
  tags: string[]
  notes: string
}

describe('keyhold secret import from other password managers', () => {
  let dir: string
  let vault: string
  eachInTempDir((made) => void ((dir = made), (vault = join(dir, 'cli.keyhold'))))
  beforeEach(() => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })

  const run = (args: string[], { json = false } = {}): CliResult =>
    keyhold(['--vault', vault, '--password-stdin', ...(json ? ['--json'] : []), ...args], `${PASSWORD}\n`)
  const all = () => JSON.parse(run(['secret', 'export', '--format', 'json']).stdout) as Exported[]
  const file = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }
  /** A sample under another name, so that only its content can tell where it is from. */
  const sample = (name: string, as = name) => {
    const path = join(dir, as)
    copyFileSync(join(DATA, name), path)
    return path
  }

  it("reads KeePassXC's XML export: fields, group path and tags, and leaves out what cannot be an API secret", () => {
    const result = run(['secret', 'import', sample('keepassxc.xml')])
    expect(result).toMatchObject({ status: 0, stderr: '' })
    expect(result.stdout).toBe(
      'Imported 2 API secrets from KeePassXC.\n' +
        "Skipped 4: 'Wi-Fi' has no URL; 'Jump host' was refused: field url: The URL must be an absolute http:// or https:// address, such as https://api.example.com/v1; " +
        "'Status page' has no user name or password; 'Old Mailgun' is in the Recycle Bin.\n",
    )
    expect(all()).toEqual([
      { name: 'GitHub Actions', url: 'https://api.github.com', clientId: 'gh-app-7', clientSecret: '0042', identifier: null, method: null, tags: ['Work', 'APIs', 'ci'], notes: '' },
      {
        name: 'Stripe live',
        url: 'https://api.stripe.com/v1',
        clientId: 'ci_stripe_xml',
        // Kept exactly: entities decoded, spaces kept, never trimmed.
        clientSecret: '  sk_xml_007 & <kept> ',
        identifier: null,
        method: null,
        tags: ['payments', 'prod'],
        notes: 'Rotate every quarter.\r\nOwner: payments team & finance',
      },
    ])
    // An entry's history is not imported, nor is anything from the Recycle Bin.
    const text = JSON.stringify(all())
    for (const value of ['OLD-HISTORY-PASSWORD', 'deleted-secret', 'wifi-pass-1', 'putty-secret']) expect(text).not.toContain(value)
    expect(result.stdout).not.toMatch(/wifi-pass-1|putty-secret|deleted-secret/)
  })

  it("reads KeePassXC's CSV export, the group path below the root as tags", () => {
    const result = run(['secret', 'import', sample('keepassxc.csv', 'export.csv')])
    expect(result.stdout).toBe("Imported 2 API secrets from KeePassXC.\nSkipped 2: 'Wi-Fi' has no URL; 'Old Mailgun' is in the Recycle Bin.\n")
    expect(all()).toMatchObject([
      { name: 'GitHub Actions', url: 'https://api.github.com', clientId: 'gh-app-7', clientSecret: '0042', tags: ['Work', 'APIs'] },
      { name: 'Stripe live', clientId: 'ci_stripe_csv', clientSecret: 'sk_csv_"quoted", kept ', tags: [], notes: 'Rotate every quarter.\nOwner: payments team' },
    ])
  })

  it("reads Bitwarden's JSON export: logins only, the folder as a tag, the first URI", () => {
    const result = run(['secret', 'import', sample('bitwarden.json', 'export.json')], { json: true })
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      imported: 1,
      ids: [expect.any(String)],
      from: 'bitwarden',
      skipped: [
        { name: 'Visa', reason: 'is a card, not a login' },
        { name: 'Recovery codes', reason: 'is a secure note, not a login' },
        { name: 'Me', reason: 'is an identity, not a login' },
        { name: 'Wi-Fi', reason: 'has no URL' },
      ],
    })
    expect(all()).toEqual([
      { name: 'Stripe live', url: 'https://api.stripe.com/v1', clientId: 'ci_stripe_bw', clientSecret: 'sk_bw_live_01 ', identifier: null, method: null, tags: ['Payments'], notes: 'Rotate every quarter.' },
    ])
    expect(result.stdout).not.toMatch(/4111111111111111|1111-2222|wifi-pass-1/)
  })

  it("reads 1Password's CSV export, tags separated by commas", () => {
    const result = run(['secret', 'import', sample('1password.csv', 'export.csv')])
    expect(result.stdout).toBe("Imported 2 API secrets from 1Password.\nSkipped 2: 'Wi-Fi' has no URL; 'Bank letter' has no user name or password.\n")
    expect(all()).toMatchObject([
      { name: 'GitHub Actions', url: 'https://api.github.com', clientId: 'gh-app-7', clientSecret: '0042', tags: ['ci'], notes: '' },
      { name: 'Stripe live', clientId: 'ci_stripe_1p', clientSecret: 'sk_1p_live_01', tags: ['payments', 'prod'], notes: 'Rotate every quarter.' },
    ])
  })

  it('imports an entry with a user name and no password without a client secret, and leaves out one with no user name', () => {
    const csv = file('x.csv', 'Title,Url,Username,Password,Notes\nNo secret,https://n.example,user,,\nNo user,https://u.example,,pw-ONLY-1,\n')
    const result = run(['secret', 'import', csv, '--from', '1password'])
    expect(result.stdout).toBe("Imported 1 API secret from 1Password.\nSkipped 1: 'No user' has no user name (it becomes the Client ID, which every API secret needs).\n")
    expect(all()).toMatchObject([{ name: 'No secret', clientId: 'user', clientSecret: null }])
    expect(result.stdout).not.toContain('pw-ONLY-1')
  })

  it('takes --from over the content, and refuses a program it does not know', () => {
    expect(run(['secret', 'import', sample('keepassxc.csv'), '--from', 'keepassxc']).status).toBe(0)
    const bad = run(['secret', 'import', sample('1password.csv'), '--from', 'lastpass'])
    expect(bad).toMatchObject({ status: 1, stderr: 'keyhold: INVALID_INPUT: --from must be one of keyhold, keepassxc, bitwarden, 1password.\n' })
    const wrong = run(['secret', 'import', sample('1password.csv'), '--from', 'bitwarden'])
    expect(wrong.stderr).toMatch(/^keyhold: INVALID_INPUT: The file is not valid JSON, so it is not Bitwarden's JSON export\. Export it again from Bitwarden/)
    const notKeepass = run(['secret', 'import', file('site.csv', 'Title,Login,Secret\nA,u,p\n'), '--from', 'keepassxc'])
    expect(notKeepass.stderr).toMatch(/^keyhold: INVALID_INPUT: The CSV file has no "username", "password", "url" column, so it is not KeePassXC's CSV export/)
  })

  it('asks for --from, naming the choices, when the content does not tell', () => {
    const before = sha(vault)
    const unknown = run(['secret', 'import', file('passwords.csv', 'site,login,secret\nx,y,z\n')])
    expect(unknown).toMatchObject({
      status: 1,
      stderr: `keyhold: INVALID_INPUT: Keyhold cannot tell which program wrote ${join(dir, 'passwords.csv')}. Name it with --from: keyhold, keepassxc, bitwarden, 1password.\n`,
    })
    expect(sha(vault)).toBe(before)
  })

  it('imports nothing when no entry can be an API secret, and says why', () => {
    const before = sha(vault)
    const csv = file('none.csv', 'Title,Url,Username,Password\nA,,u,p-NONE-1\nB,https://b.example,,\n')
    const result = run(['secret', 'import', csv])
    expect(result.stderr).toBe("keyhold: INVALID_INPUT: None of the 2 entries of the file can be an API secret, so nothing was imported: 'A' has no URL; 'B' has no user name or password.\n")
    expect(sha(vault)).toBe(before)
  })

  it('refuses an encrypted Bitwarden export, and says which export to make', () => {
    const result = run(['secret', 'import', file('bw.json', JSON.stringify({ encrypted: true, passwordProtected: true, salt: 'x', data: '2.AAAA|BBBB' }))])
    expect(result.stderr).toMatch(/^keyhold: INVALID_INPUT: This Bitwarden export is encrypted, and Keyhold reads only the unencrypted one\. Export it again from Bitwarden/)
  })

  it('refuses KeePass XML with a DOCTYPE, values encrypted for a database, or broken XML, naming only the line', () => {
    const before = sha(vault)
    const bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><KeePassFile><Root><Group><Name>&b;</Name></Group></Root></KeePassFile>'
    expect(run(['secret', 'import', file('bomb.xml', bomb)]).stderr).toMatch(/^keyhold: INVALID_INPUT: The XML file declares a DOCTYPE/)
    const inner = readFileSync(join(DATA, 'keepassxc.xml'), 'utf8').replace('<Value ProtectInMemory="True">wifi-pass-1</Value>', '<Value Protected="True">c2VjcmV0</Value>')
    expect(run(['secret', 'import', file('inner.xml', inner)]).stderr).toMatch(/^keyhold: INVALID_INPUT: The XML file holds values encrypted for its database \(Protected="True"\)/)
    const broken = run(['secret', 'import', file('broken.xml', '<KeePassFile>\n<Root>\n<Group><Name>LEAKY-XML-VALUE</Name></Root></KeePassFile>')])
    expect(broken.stderr).toMatch(/^keyhold: INVALID_INPUT: The file is not well-formed XML \(line 3\)\./)
    expect(broken.stderr).not.toContain('LEAKY')
    expect(sha(vault)).toBe(before)
  })

  it("still reads Keyhold's own files by their content, with the same output", () => {
    // A file without an extension is read by its content (a .txt is refused: secrets.messages.cli.test.ts).
    const csv = file('mine', 'name,url,clientId\nA,https://a.example,a\n')
    expect(run(['secret', 'import', csv])).toMatchObject({ status: 0, stdout: 'Imported 1 API secret.\n' })
    expect(JSON.parse(run(['secret', 'import', file('mine.json', '[{"name":"B","url":"https://b.example","clientId":"b"}]')], { json: true }).stdout)).toEqual({
      imported: 1,
      ids: [expect.any(String)],
    })
  })
})
