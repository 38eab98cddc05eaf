import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initVault, keyhold, type CliResult } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

interface Got {
  name: string
  clientId: string
  clientSecret: string | null
  tags: string[]
  notes: string
  updatedAt: string
}

/**
 * What `keyhold secret …` says and does at the edges (issue 18, items 10 to 12): the option and
 * the value, never `tags.0`; an edit with nothing to change; the client secret kept by an
 * empty line and removed by --clear-client-secret; CSV headers as the form labels them; files
 * that are not an import format.
 */
describe('keyhold secret messages', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  const run = (args: string[], lines: string[] = []): CliResult =>
    keyhold(['--vault', vault, '--password-stdin', ...args], [PASSWORD, ...lines].join('\n') + '\n')
  const get = (ref: string): Got => {
    const result = run(['--json', 'secret', 'get', ref])
    expect(result, result.stderr).toMatchObject({ status: 0, stderr: '' })
    return JSON.parse(result.stdout) as Got
  }
  const add = (...args: string[]) => ['secret', 'add', '--name', 'Stripe', '--url', 'https://api.stripe.com', '--client-id', 'ci_1', ...args]
  const refused = (result: CliResult, line: string) => expect(result).toMatchObject({ status: 1, stdout: '', stderr: `keyhold: ${line}\n` })

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'secrets.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
    expect(run(add('--identifier', 'stripe', '--client-secret-stdin'), ['sk_kept']).status).toBe(0)
  })
  afterAll(() => cleanup())

  it('names the option and the value given, never a schema path or "Invalid input:"', () => {
    refused(run(add('--tag', 'prod', '--tag', 'eu;us')), 'INVALID_INPUT: --tag "eu;us": A tag cannot contain ";" (it separates tags in CSV files).')
    refused(run(add('--tag', 'a\tb')), 'INVALID_INPUT: --tag "a\\tb": The tag must be a single line without control characters.')
    refused(
      run(add('--method', 'FETCH')),
      'INVALID_INPUT: --method "FETCH": The method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, CONNECT, TRACE.',
    )
    refused(run(add('--name', 'n'.repeat(201))), 'INVALID_INPUT: --name (201 characters): The name can have at most 200 characters.')
    // SECURITY: a URL is never quoted: it could hold a password.
    refused(
      run(['secret', 'add', '--name', 'S', '--url', 'https://me:hunter2@api.example.com', '--client-id', 'c']),
      'INVALID_INPUT: --url: The URL cannot contain a user name or password: put them in Client ID and Client secret.',
    )
    refused(run(['secret', 'edit', 'stripe', '--tag', 'x;y']), 'INVALID_INPUT: --tag "x;y": A tag cannot contain ";" (it separates tags in CSV files).')
  })

  it('secret edit with nothing to change is a usage error that asks for no password and saves nothing', () => {
    const before = get('stripe')
    expect(keyhold(['--vault', vault, 'secret', 'edit', 'stripe'], '')).toMatchObject({
      status: 2,
      stderr:
        'keyhold: usage: nothing to change: pass --name, --url, --client-id, --client-secret-stdin, --clear-client-secret, --identifier, --method, --tag or --notes\n',
    })
    expect(get('stripe')).toEqual(before)
  })

  it('an empty client secret line keeps the stored one; --clear-client-secret removes it', () => {
    const before = get('stripe')
    expect(run(['secret', 'edit', 'stripe', '--client-secret-stdin'], [''])).toMatchObject({
      status: 2,
      stderr: 'keyhold: usage: nothing to change: the client secret line was empty, which keeps the stored one (--clear-client-secret removes it)\n',
    })
    expect(get('stripe')).toEqual(before)
    expect(run(['secret', 'edit', 'stripe', '--client-secret-stdin', '--notes', 'rotated'], [''])).toMatchObject({ status: 0, stderr: '' })
    expect(get('stripe')).toMatchObject({ clientSecret: 'sk_kept', notes: 'rotated' })
    expect(run(['secret', 'edit', 'stripe', '--clear-client-secret', '--client-secret-stdin'], ['x'])).toMatchObject({
      status: 2,
      stderr: 'keyhold: usage: give either --client-secret-stdin or --clear-client-secret, not both\n',
    })
    expect(run(['secret', 'edit', 'stripe', '--clear-client-secret'])).toMatchObject({ status: 0, stderr: '' })
    expect(get('stripe')).toMatchObject({ clientSecret: null, notes: 'rotated' })
  })

  it('imports a CSV whose header uses the form\'s labels, in any case and spacing', () => {
    const csv = join(dir, 'labels.csv')
    writeFileSync(csv, 'Name, URL ,Client ID,CLIENT SECRET,identifier,Method,Tags,notes\nMailgun,https://api.mailgun.net,api,key-1,mailgun,post,mail;eu,n\n')
    expect(run(['secret', 'import', csv])).toMatchObject({ status: 0, stdout: 'Imported 1 API secret.\n', stderr: '' })
    expect(get('mailgun')).toMatchObject({ name: 'Mailgun', clientId: 'api', clientSecret: 'key-1', tags: ['mail', 'eu'], notes: 'n' })
    const twice = join(dir, 'twice.csv')
    writeFileSync(twice, 'name,url,clientId,Client ID\na,https://a.example,c,d\n')
    refused(run(['secret', 'import', twice]), 'INVALID_INPUT: The CSV header names the clientId column twice.')
  })

  it('refuses a .txt file, listing the formats it imports, before asking for the master password', () => {
    const txt = join(dir, 'secrets.txt')
    writeFileSync(txt, 'name,url,clientId\na,https://a.example,c\n')
    expect(keyhold(['--vault', vault, 'secret', 'import', txt], '')).toMatchObject({
      status: 1,
      stderr:
        "keyhold: INVALID_INPUT: secrets.txt is a .txt file. Keyhold imports .json files (Keyhold's own, or Bitwarden's export), .csv files (Keyhold's own, KeePassXC's or 1Password's) and .xml files (KeePassXC's). Save it in one of these formats, then import it.\n",
    })
  })
})
