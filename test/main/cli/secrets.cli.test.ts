import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { initVault, keyhold, type CliResult } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('keyhold secret', () => {
  let dir: string
  let vault: string
  eachInTempDir((made) => void ((dir = made), (vault = join(dir, 'cli.keyhold'))))
  beforeEach(() => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })

  /** `keyhold --vault V --password-stdin [--json] ARGS` with the master password (and more lines) on stdin. */
  const run = (args: string[], { json = false, lines = [] as string[] } = {}): CliResult =>
    keyhold(['--vault', vault, '--password-stdin', ...(json ? ['--json'] : []), ...args], [PASSWORD, ...lines].join('\n') + '\n')
  const json = <T = unknown>(args: string[], lines: string[] = []): T => {
    const result = run(args, { json: true, lines })
    expect(result, result.stderr).toMatchObject({ status: 0, stderr: '' })
    return JSON.parse(result.stdout) as T
  }
  const addStripe = () =>
    run(
      ['secret', 'add', '--name', 'Stripe payments', '--url', 'https://api.stripe.com/v1', '--client-id', 'ci_live_1', '--client-secret-stdin',
        '--identifier', 'stripe-prod', '--method', 'post', '--tag', 'prod', '--tag', 'Payments', '--notes', 'Rotate quarterly'],
      { lines: ['sk_live_CLI_SECRET_1'] },
    )

  it('adds an API secret, reading the client secret from line 2 of stdin, and says "API secret saved"', () => {
    const added = addStripe()
    expect(added.status).toBe(0)
    expect(added.stdout).toMatch(/^API secret saved: Stripe payments \([0-9a-f-]{36}\)\n$/)
    expect(added.stdout + added.stderr).not.toContain('sk_live_CLI_SECRET_1')
    expect(json(['secret', 'get', 'stripe-prod'])).toMatchObject({
      name: 'Stripe payments',
      url: 'https://api.stripe.com/v1',
      clientId: 'ci_live_1',
      clientSecret: 'sk_live_CLI_SECRET_1',
      identifier: 'stripe-prod',
      method: 'POST',
      tags: ['prod', 'Payments'],
      notes: 'Rotate quarterly',
    })
  })

  it('prints --json of add without the client secret', () => {
    const added = json<Record<string, unknown>>(
      ['secret', 'add', '--name', 'N', '--url', 'https://x.example', '--client-id', 'c', '--client-secret-stdin'],
      ['hidden-value-77'],
    )
    expect(Object.keys(added)).toEqual(['id', 'name', 'url', 'clientId', 'identifier', 'method', 'tags', 'notes', 'createdAt', 'updatedAt'])
    expect(JSON.stringify(added)).not.toContain('hidden-value-77')
  })

  it('prints just the client secret with get --field client-secret, and hides it in the human view', () => {
    addStripe()
    expect(run(['secret', 'get', 'STRIPE-PROD', '--field', 'client-secret'])).toMatchObject({ status: 0, stdout: 'sk_live_CLI_SECRET_1\n' })
    expect(run(['secret', 'get', 'stripe-prod', '--field', 'client-id']).stdout).toBe('ci_live_1\n')
    expect(run(['secret', 'get', 'stripe-prod', '--field', 'tags']).stdout).toBe('prod\nPayments\n')
    const human = run(['secret', 'get', 'stripe-prod'])
    expect(human.stdout).toMatch(/Client secret\s+\(hidden; --field client-secret prints it\)/)
    expect(human.stdout).not.toContain('sk_live_CLI_SECRET_1')
    expect(run(['secret', 'get', 'stripe-prod', '--field', 'password'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INVALID_INPUT: The field must be one of/) })
  })

  it('lists, searches and filters by tag, never printing a client secret', () => {
    addStripe()
    run(['secret', 'add', '--name', 'GitHub CI', '--url', 'https://api.github.com', '--client-id', 'gh', '--client-secret-stdin', '--tag', 'ci'], {
      lines: ['gh_SECRET_2'],
    })
    const all = json<Array<Record<string, unknown>>>(['secret', 'list'])
    expect(all.map((s) => s.name)).toEqual(['GitHub CI', 'Stripe payments'])
    expect(Object.keys(all[0]!)).toEqual(['id', 'name', 'url', 'clientId', 'identifier', 'method', 'tags', 'hasClientSecret', 'createdAt', 'updatedAt'])
    expect(json<unknown[]>(['secret', 'list', '--search', 'STRIPE'])).toHaveLength(1)
    expect(json<unknown[]>(['secret', 'list', '--tag', 'CI'])).toMatchObject([{ name: 'GitHub CI' }])
    expect(json<unknown[]>(['secret', 'list', '--search', 'nothing-like-this'])).toEqual([])
    // As the issue writes it: --json after the subcommand.
    expect(JSON.parse(run(['secret', 'list', '--search', 'stripe', '--json']).stdout)).toMatchObject([{ name: 'Stripe payments' }])
    const human = run(['secret', 'list'])
    expect(human.stdout).toMatch(/^NAME\s+REF\s+METHOD\s+URL\s+CLIENT ID\s+TAGS\s+UPDATED\n/)
    // REF: the Identifier, or else the start of the id.
    const github = all.find((s) => s.name === 'GitHub CI')!
    expect(human.stdout).toMatch(new RegExp(`\\nGitHub CI\\s+${(github.id as string).slice(0, 8)}\\s`))
    expect(human.stdout).toMatch(/\nStripe payments\s+stripe-prod\s/)
    expect(human.stdout).toMatch(/2 API secrets\n$/)
    for (const out of [JSON.stringify(all), human.stdout]) {
      expect(out).not.toContain('sk_live_CLI_SECRET_1')
      expect(out).not.toContain('gh_SECRET_2')
    }
  })

  it('finds a secret by its exact name, and by the start of its id that the list shows', () => {
    addStripe()
    expect(run(['secret', 'get', 'Stripe payments', '--field', 'client-id'])).toMatchObject({ status: 0, stdout: 'ci_live_1\n' })
    const { id } = json<{ id: string }>(['secret', 'get', 'Stripe payments'])
    expect(run(['secret', 'get', id.slice(0, 8), '--field', 'name']).stdout).toBe('Stripe payments\n')
    // A name is matched exactly: another case or a part of it is no name.
    expect(run(['secret', 'get', 'stripe payments'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: NOT_FOUND: There is no API secret with that id, Identifier or name/) })
    expect(run(['secret', 'get', 'Stripe']).status).toBe(1)
    // Fewer than 8 characters of an id are not taken as its start.
    expect(run(['secret', 'get', id.slice(0, 7)]).status).toBe(1)
  })

  it('refuses a name that two secrets have with CONFLICT listing their ids and Identifiers, changing nothing', () => {
    addStripe()
    expect(run(['secret', 'add', '--name', 'Stripe payments', '--url', 'https://b.example', '--client-id', 'b']).status).toBe(0)
    const ids = json<Array<{ id: string; name: string }>>(['secret', 'list']).map((s) => s.id)
    const before = sha(vault)
    for (const args of [['get', 'Stripe payments'], ['rm', 'Stripe payments'], ['edit', 'Stripe payments', '--notes', 'x']]) {
      const result = run(['secret', ...args])
      expect(result.status, args.join(' ')).toBe(1)
      expect(result.stderr).toMatch(/^keyhold: CONFLICT: 2 API secrets are named "Stripe payments": /)
      for (const id of ids) expect(result.stderr).toContain(id)
      expect(result.stderr).toContain('(Identifier stripe-prod)')
      expect(result.stderr).toMatch(/Give the id or the Identifier of the one you mean\.\n$/)
    }
    expect(sha(vault)).toBe(before)
    // The Identifier still tells them apart.
    expect(run(['secret', 'get', 'stripe-prod', '--field', 'url']).stdout).toBe('https://api.stripe.com/v1\n')
  })

  it('refuses a duplicate Identifier with CONFLICT and exit status 1, saving nothing', () => {
    addStripe()
    const before = sha(vault)
    const dup = run(['secret', 'add', '--name', 'Other', '--url', 'https://o.example', '--client-id', 'o', '--identifier', '  Stripe-PROD '])
    expect(dup.status).toBe(1)
    expect(dup.stderr).toMatch(/^keyhold: CONFLICT: The Identifier is already used by another API secret[^\n]*\n$/)
    expect(sha(vault)).toBe(before)
  })

  it('refuses bad input before asking for anything, with INVALID_INPUT', () => {
    const before = sha(vault)
    expect(run(['secret', 'add', '--name', 'x', '--url', 'ftp://x', '--client-id', 'c']).stderr).toMatch(/^keyhold: INVALID_INPUT: .*absolute http/)
    expect(run(['secret', 'add', '--name', 'x', '--url', 'https://x', '--client-id', 'c', '--method', 'FETCH']).stderr).toMatch(
      /^keyhold: INVALID_INPUT: .*method must be one of GET, POST/,
    )
    expect(run(['secret', 'add', '--name', ' ', '--url', 'https://x', '--client-id', 'c']).stderr).toMatch(/The name is required/)
    // No password on stdin: the bounds are checked before it would be read.
    const listing = (...args: string[]) => keyhold(['--vault', vault, '--password-stdin', 'secret', 'list', ...args], '').stderr
    expect(listing('--search', 'x'.repeat(201))).toMatch(/^keyhold: INVALID_INPUT: .*The search can have at most 200 characters/)
    expect(listing('--tag', 't'.repeat(51))).toMatch(/^keyhold: INVALID_INPUT: .*The tag can have at most 50 characters/)
    expect(sha(vault)).toBe(before)
  })

  it('treats a missing required flag as a usage error (exit 2)', () => {
    const missing = run(['secret', 'add', '--name', 'x', '--client-id', 'c'])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/^keyhold: usage: .*--url/)
  })

  it('edits by Identifier, keeping what is not given, and replaces or clears fields', () => {
    addStripe()
    const edited = json<Record<string, unknown>>(['secret', 'edit', 'stripe-prod', '--name', 'Stripe EU', '--tag', 'eu', '--client-secret-stdin'], ['rotated-3'])
    expect(edited).toMatchObject({ name: 'Stripe EU', tags: ['eu'], identifier: 'stripe-prod', method: 'POST', notes: 'Rotate quarterly' })
    expect(run(['secret', 'get', 'stripe-prod', '--field', 'client-secret']).stdout).toBe('rotated-3\n')
    expect(json(['secret', 'edit', 'stripe-prod', '--tag', '', '--method', '', '--identifier', ''])).toMatchObject({ tags: [], method: null, identifier: null })
  })

  it('deletes by id or Identifier, then says NOT_FOUND', () => {
    addStripe()
    const { id } = json<{ id: string }>(['secret', 'get', 'stripe-prod'])
    expect(run(['secret', 'rm', id])).toMatchObject({ status: 0, stdout: `Deleted API secret Stripe payments (${id})\n` })
    const again = run(['secret', 'rm', 'stripe-prod'])
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/^keyhold: NOT_FOUND: /)
  })

  it('asks for the master password first: a wrong one is WRONG_PASSWORD', () => {
    const wrong = keyhold(['--vault', vault, '--password-stdin', 'secret', 'list'], 'not the password\n')
    expect(wrong).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: WRONG_PASSWORD: /) })
  })

  describe('import', () => {
    const file = (name: string, text: string) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    }

    it('adds every object of a JSON array in one save', () => {
      const path = file(
        'in.json',
        JSON.stringify([
          { name: 'A', url: 'https://a.example', clientId: 'a', clientSecret: 'sa', identifier: 'a', method: 'get', tags: ['x', 'X', 'y'], notes: 'n' },
          { name: 'B', url: 'https://b.example', clientId: 'b', clientSecret: null, identifier: null, method: null },
        ]),
      )
      expect(json(['secret', 'import', path])).toMatchObject({ imported: 2, ids: [expect.any(String), expect.any(String)] })
      expect(json(['secret', 'list'])).toMatchObject([
        { name: 'A', method: 'GET', tags: ['x', 'y'], hasClientSecret: true },
        { name: 'B', method: null, identifier: null, hasClientSecret: false },
      ])
    })

    it('re-imports the --json output of get (its id and times are ignored)', () => {
      addStripe()
      const exported = run(['secret', 'get', 'stripe-prod'], { json: true }).stdout
      run(['secret', 'rm', 'stripe-prod'])
      expect(json(['secret', 'import', file('again.json', `[${exported}]`)])).toMatchObject({ imported: 1 })
      expect(run(['secret', 'get', 'stripe-prod', '--field', 'client-secret']).stdout).toBe('sk_live_CLI_SECRET_1\n')
    })

    it('reads CSV with a header row and tags separated by ";"', () => {
      const path = file(
        'in.csv',
        '\uFEFFname,url,clientId,clientSecret,identifier,method,tags,notes\n' +
          'Mailgun,https://api.mailgun.net/v3,mg,key-1,mailgun,POST,mail; prod ;,"multi\nline"\n' +
          '"Slack, bot",https://slack.com/api,sl,,,,,\n',
      )
      expect(json(['secret', 'import', path])).toMatchObject({ imported: 2 })
      expect(json(['secret', 'get', 'mailgun'])).toMatchObject({ tags: ['mail', 'prod'], notes: 'multi\nline', clientSecret: 'key-1', method: 'POST' })
      expect(json<Array<{ name: string; identifier: string | null; hasClientSecret: boolean }>>(['secret', 'list', '--search', 'slack'])).toMatchObject([
        { name: 'Slack, bot', identifier: null, hasClientSecret: false },
      ])
    })

    it('rejects the whole file at the first bad row, naming the row and the field, and adds nothing', () => {
      addStripe()
      const before = sha(vault)
      const path = file(
        'bad.json',
        JSON.stringify([
          { name: 'ok', url: 'https://ok.example', clientId: 'c' },
          { name: 'ok2', url: 'https://ok2.example', clientId: 'c' },
          { name: 'bad', url: 'not a url', clientId: 'c', clientSecret: 'BAD-ROW-SECRET' },
        ]),
      )
      const bad = run(['secret', 'import', path])
      expect(bad.status).toBe(1)
      expect(bad.stderr).toMatch(/^keyhold: INVALID_INPUT: Row 3: field url: The URL must be an absolute http/)
      expect(bad.stderr).not.toContain('BAD-ROW-SECRET')
      expect(sha(vault)).toBe(before)
      expect(json<unknown[]>(['secret', 'list'])).toHaveLength(1)
    })

    it('names the CSV row and line of a missing required field', () => {
      const path = file('bad.csv', 'name,url,clientId\nA,https://a.example,a\nB,https://b.example,\n')
      expect(run(['secret', 'import', path]).stderr).toMatch(/^keyhold: INVALID_INPUT: Row 2 \(line 3\): field clientId: The Client ID is required/)
      expect(json<unknown[]>(['secret', 'list'])).toEqual([])
    })

    it('says a left-out required key or column is required, not of the wrong type', () => {
      const noUrl = file('missing.json', JSON.stringify([{ name: 'A', url: 'https://a.example', clientId: 'a' }, { name: 'B', clientId: 'b' }]))
      expect(run(['secret', 'import', noUrl]).stderr).toMatch(/^keyhold: INVALID_INPUT: Row 2: field url: The URL is required\.\n$/)
      const csv = file('missing.csv', 'name,clientId\nA,a\n')
      expect(run(['secret', 'import', csv]).stderr).toMatch(/^keyhold: INVALID_INPUT: The CSV header has no url column\. Every API secret needs name, url, clientId/)
      expect(json<unknown[]>(['secret', 'list'])).toEqual([])
    })

    it('refuses a duplicate Identifier inside the file or against the vault with CONFLICT', () => {
      addStripe()
      const inside = file('dup.csv', 'name,url,clientId,identifier\nA,https://a.example,a,same\nB,https://b.example,b, SAME \n')
      expect(run(['secret', 'import', inside]).stderr).toMatch(/^keyhold: CONFLICT: Row 2 \(line 3\): The Identifier is the same as in row 1/)
      const clash = file('clash.json', JSON.stringify([{ name: 'A', url: 'https://a.example', clientId: 'a', identifier: 'STRIPE-PROD' }]))
      expect(run(['secret', 'import', clash]).stderr).toMatch(/^keyhold: CONFLICT: Row 1: The Identifier is already used/)
      expect(json<unknown[]>(['secret', 'list'])).toHaveLength(1)
    })

    it('refuses unknown keys and columns, and files that are not JSON or CSV, without echoing them', () => {
      expect(run(['secret', 'import', file('extra.json', '[{"name":"a","url":"https://a.example","clientId":"c","password":"x"}]')]).stderr).toMatch(
        /^keyhold: INVALID_INPUT: Row 1: unexpected field "password"/,
      )
      expect(run(['secret', 'import', file('col.csv', 'name,url,clientId,secret\na,https://a.example,c,s\n')]).stderr).toMatch(/unknown column "secret"/)
      const broken = run(['secret', 'import', file('broken.json', '[{"name": "LEAKY-VALUE-123" ')])
      expect(broken.stderr).toMatch(/^keyhold: INVALID_INPUT: The file is not valid JSON/)
      expect(broken.stderr).not.toContain('LEAKY-VALUE-123')
      expect(run(['secret', 'import', file('empty.json', '[]')]).stderr).toMatch(/no API secrets to import/)
      expect(run(['secret', 'import', join(dir, 'missing.csv')]).stderr).toMatch(/^keyhold: NOT_FOUND: /)
    })
  })

  it('leaves no plaintext of any value in the vault file or its .bak', () => {
    const values = {
      name: 'Plaintext-Scan-Name-4c1e',
      clientSecret: 'Plaintext-Scan-Secret-9b7d',
      notes: 'Plaintext-Scan-Notes-2f0a',
      canary: 'Plaintext-Scan-Deleted-Canary-77aa',
    }
    expect(
      run(['secret', 'add', '--name', values.name, '--url', 'https://scan.example', '--client-id', 'scan-client', '--client-secret-stdin', '--notes', values.notes], {
        lines: [values.clientSecret],
      }).status,
    ).toBe(0)
    expect(
      run(['secret', 'add', '--name', 'Canary', '--url', 'https://c.example', '--client-id', 'c', '--identifier', 'canary', '--client-secret-stdin'], {
        lines: [values.canary],
      }).status,
    ).toBe(0)
    expect(run(['secret', 'rm', 'canary']).status).toBe(0)
    for (const path of [vault, `${vault}.bak`]) {
      const bytes = readFileSync(path)
      for (const value of Object.values(values)) {
        expect(bytes.includes(Buffer.from(value, 'utf8')), `${value} in ${path}`).toBe(false)
        expect(bytes.includes(Buffer.from(value, 'utf16le')), `${value} (UTF-16) in ${path}`).toBe(false)
      }
    }
  })
})
