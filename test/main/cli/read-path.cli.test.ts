import { spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodePreamble, imageEnd } from '../../../src-main/core/vault/format'
import { initVault, keyhold, type CliResult } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

const WHOLE = join(__dirname, '../../../out/cli/keyhold.cjs')
const GOLDEN = join(__dirname, '../../data/vaults')

/** The whole CLI alone (out/cli/keyhold.cjs run directly: no fast path, no read path), as keyhold() runs bin/keyhold.js. */
function whole(args: string[], input: string): CliResult {
  const result = spawnSync(process.execPath, [WHOLE, ...args], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/** The activity journal's entries for every vault (the data folder the spawned commands share with this file). */
function journalEntries(): Array<{ id: string; event: string; target?: { type: string; id: string }; actor: { type: string }; detail: Record<string, unknown> }> {
  try {
    const all = JSON.parse(readFileSync(join(process.env.XDG_CONFIG_HOME!, 'Keyhold', 'activity-journal.json'), 'utf8')) as Record<string, { entries: [] }>
    return Object.values(all).flatMap((vault) => vault.entries)
  } catch {
    return []
  }
}

describe('keyhold read path (secret list and get from the catalog)', () => {
  let dir: string
  let vault: string
  const ids: Record<string, string> = {}

  const add = (lines: string[], ...args: string[]) => {
    const added = keyhold(['--vault', vault, '--password-stdin', 'secret', 'add', ...args], [PASSWORD, ...lines].join('\n') + '\n')
    expect(added.status, added.stderr).toBe(0)
    return /\(([0-9a-f-]{36})\)$/.exec(added.stdout.trim())![1]!
  }

  beforeAll(() => {
    dir = tempDir().dir
    vault = join(dir, 'read.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
    ids.stripe = add(['sk_live_READ_1'], '--name', 'Stripe payments', '--url', 'https://api.stripe.com/v1', '--client-id', 'ci_live_1', '--client-secret-stdin',
      '--identifier', 'Stripe-Prod', '--method', 'post', '--tag', 'prod', '--tag', 'Payments', '--notes', 'Rotate quarterly\nsecond line')
    ids.strasse = add([], '--name', 'Straße Zahlung', '--url', 'https://zahlung.example.de', '--client-id', 'STRASSE-ID', '--tag', 'Zahlungen')
    ids.ecole = add(['é-secret'], '--name', 'ÉCOLE api', '--url', 'https://ecole.example.fr', '--client-id', 'ecole', '--client-secret-stdin', '--method', 'GET')
    // An Identifier that is another secret's name: the Identifier wins.
    ids.deployKey = add([], '--name', 'Deploy key', '--url', 'https://deploy.example.com', '--client-id', 'd1', '--identifier', 'deploy', '--tag', 'ci')
    ids.deployNamed = add([], '--name', 'deploy', '--url', 'https://other.example.com', '--client-id', 'd2')
    // Two of one name: CONFLICT by name.
    ids.twin1 = add([], '--name', 'Twin', '--url', 'https://twin.example.com', '--client-id', 't1')
    ids.twin2 = add([], '--name', 'Twin', '--url', 'https://twin.example.com', '--client-id', 't2', '--tag', 'CI')
  })

  const line = (args: string[], extra: string[] = []) => ['--vault', vault, '--password-stdin', ...extra, ...args]
  /** The read path (through bin/keyhold.js) and the whole CLI on the same line and input: the same bytes and status. */
  const same = (args: string[], { input = `${PASSWORD}\n`, extra = [] as string[] } = {}): CliResult => {
    const read = keyhold(line(args, extra), input)
    expect(read).toEqual(whole(line(args, extra), input))
    return read
  }

  const LINES: Array<[string, string[]]> = [
    ['list', ['secret', 'list']],
    ['list --json', ['--json', 'secret', 'list']],
    ['list --search, one term', ['secret', 'list', '--search', 'stripe']],
    ['list --search, several terms', ['secret', 'list', '--search', 'api  EXAMPLE']],
    ['list --search=, a term in the tags', ['secret', 'list', '--search=payments']],
    ['list --search, Unicode and case folding', ['secret', 'list', '--search', 'STRASSE']],
    ['list --search, accents as typed', ['secret', 'list', '--search', 'école']],
    ['list --search, no match', ['secret', 'list', '--search', 'nothing-like-this']],
    ['list --search, empty', ['secret', 'list', '--search', '']],
    ['list --tag', ['secret', 'list', '--tag', 'ci']],
    ['list --tag, blank', ['secret', 'list', '--tag', '  ']],
    ['list --search and --tag', ['secret', 'list', '--search', 'deploy', '--tag', 'CI']],
    ['list, options after the command', ['secret', 'list', '--json', '--tag=payments', '--no-agent']],
    ['get by full id', ['secret', 'get', 'ID:stripe']],
    ['get by short id', ['secret', 'get', 'SHORT:strasse']],
    ['get by Identifier in another case', ['secret', 'get', 'stripe-prod']],
    ['get by exact name', ['secret', 'get', 'ÉCOLE api']],
    ['get: an Identifier wins over a name', ['secret', 'get', 'deploy']],
    ['get --json (with the client secret)', ['--json', 'secret', 'get', 'Stripe-Prod']],
    ['get --json of one without a client secret', ['secret', 'get', 'Straße Zahlung', '--json']],
    ...['id', 'name', 'url', 'client-id', 'identifier', 'method', 'tags', 'notes', 'created-at', 'updated-at', 'client-secret'].flatMap((field): Array<[string, string[]]> => [
      [`get --field ${field}`, ['secret', 'get', 'stripe-prod', '--field', field]],
      [`get --json --field=${field}`, ['--json', 'secret', 'get', `--field=${field}`, 'ÉCOLE api']],
    ]),
    ['get --field client-secret of one without', ['secret', 'get', 'deploy', '--field', 'client-secret']],
  ]
  const refs = (args: string[]) => args.map((arg) => arg.replace(/^ID:(.*)$/, (_, name: string) => ids[name]!).replace(/^SHORT:(.*)$/, (_, name: string) => ids[name]!.slice(0, 8)))

  it.each(LINES)('prints what the whole CLI prints: %s', (_, args) => {
    expect(same(refs(args)).status).toBe(0)
  })

  it.each<[string, string[], string]>([
    ['a wrong password', ['secret', 'list'], 'not the password\n'],
    ['no password line', ['secret', 'get', 'stripe-prod'], ''],
    ['a password line that is not UTF-8', ['secret', 'list'], '\xff\xfe\n'],
    ['a REF that names none (NOT_FOUND; the read path answers it)', ['secret', 'get', 'no-such-secret'], `${PASSWORD}\n`],
    ['a name two secrets have (CONFLICT; the read path answers it)', ['secret', 'get', 'Twin'], `${PASSWORD}\n`],
    ['a field get does not have', ['secret', 'get', 'stripe-prod', '--field', 'password'], `${PASSWORD}\n`],
    ['a search over its bound', ['secret', 'list', '--search', 'x'.repeat(201)], `${PASSWORD}\n`],
    ['an option it does not take', ['secret', 'list', '--sort', 'updated'], `${PASSWORD}\n`],
    ['a missing option value', ['secret', 'list', '--search', '--json'], `${PASSWORD}\n`],
    ['a password with CRLF and more lines after it', ['secret', 'get', 'stripe-prod', '--field', 'url'], `${PASSWORD}\r\nline two\n`],
  ])('leaves the whole CLI to answer, alike in every byte: %s', (_, args, input) => {
    same(args, { input })
  })

  it('leaves a missing vault to the whole CLI', () => {
    const args = ['--vault', join(dir, 'none.keyhold'), '--password-stdin', 'secret', 'list']
    const read = keyhold(args, `${PASSWORD}\n`)
    expect(read).toEqual(whole(args, `${PASSWORD}\n`))
    expect(read.stderr).toMatch(/^keyhold: VAULT_NOT_FOUND: /)
  })

  it('leaves a vault without a catalog (format 1.2) to the whole CLI, which opens it', () => {
    const manifest = JSON.parse(readFileSync(join(GOLDEN, 'schema-7.format-1.2.json'), 'utf8')) as { password: string }
    const [a, b] = [join(dir, 'old-a.keyhold'), join(dir, 'old-b.keyhold')]
    copyFileSync(join(GOLDEN, 'schema-7.format-1.2.keyhold'), a)
    copyFileSync(join(GOLDEN, 'schema-7.format-1.2.keyhold'), b)
    const read = keyhold(['--vault', a, '--password-stdin', '--json', 'secret', 'list'], `${manifest.password}\n`)
    expect(read).toMatchObject({ status: 0, stderr: '' })
    expect(read).toEqual(whole(['--vault', b, '--password-stdin', '--json', 'secret', 'list'], `${manifest.password}\n`))
  })

  it('serves from the catalog alone: with the database image damaged, it still answers and the whole CLI cannot', () => {
    const damaged = join(dir, 'damaged.keyhold')
    copyFileSync(vault, damaged)
    const bytes = readFileSync(damaged)
    const { header, preambleEnd } = decodePreamble(bytes, damaged)
    const end = imageEnd(header, preambleEnd)!
    expect(header.catalog).toBeDefined()
    // A byte in the middle of the image's ciphertext: its tag no longer checks out.
    bytes[Math.floor((preambleEnd + end) / 2)]! ^= 0xff
    writeFileSync(damaged, bytes)
    for (const args of [['secret', 'list'], ['secret', 'list', '--search', 'stripe'], ['--json', 'secret', 'get', 'stripe-prod'], ['secret', 'get', 'deploy', '--field', 'client-id']]) {
      const intact = keyhold(line(args), `${PASSWORD}\n`)
      const read = keyhold(['--vault', damaged, '--password-stdin', ...args], `${PASSWORD}\n`)
      expect(read).toEqual(intact)
      expect(read.status).toBe(0)
      expect(whole(['--vault', damaged, '--password-stdin', ...args], `${PASSWORD}\n`)).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: VAULT_CORRUPT: /) })
    }
    // A REF that names none or several is answered from the catalog too, as the whole CLI says it.
    for (const args of [['secret', 'get', 'no-such-secret'], ['secret', 'get', 'Twin', '--field', 'url']]) {
      const read = keyhold(['--vault', damaged, '--password-stdin', ...args], `${PASSWORD}\n`)
      expect(read).toEqual(keyhold(line(args), `${PASSWORD}\n`))
      expect(read).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/^keyhold: (NOT_FOUND|CONFLICT): /) })
    }
  })

  it('journals a printed client secret by id, which the next write takes into the log with the name, once', () => {
    /** The log's reveals that were journaled (the lines above printed some too; `audit` takes in what waits). */
    const journaledReveals = () =>
      (JSON.parse(keyhold(line(['--json', 'audit', 'list', '--event', 'secret.revealed', '--limit', '500']), `${PASSWORD}\n`).stdout) as Array<{ detail: { journal?: boolean } }>).filter(
        (entry) => entry.detail.journal,
      )
    const taken = journaledReveals().length
    const before = new Set(journalEntries().map((entry) => entry.id))
    expect(keyhold(line(['secret', 'get', 'Stripe-Prod', '--field', 'client-secret']), `${PASSWORD}\n`)).toMatchObject({ status: 0, stdout: 'sk_live_READ_1\n' })
    const journaled = journalEntries().filter((entry) => !before.has(entry.id))
    expect(journaled.map((entry) => entry.event)).toEqual(['vault.unlocked', 'secret.revealed', 'vault.locked'])
    expect(journaled[1]).toMatchObject({ actor: { type: 'cli' }, target: { type: 'secret', id: ids.stripe }, detail: {} })
    // SECURITY: the journal is outside the vault: never the name or the value.
    const journal = readFileSync(join(process.env.XDG_CONFIG_HOME!, 'Keyhold', 'activity-journal.json'), 'utf8')
    expect(journal).not.toContain('Stripe payments')
    expect(journal).not.toContain('sk_live_READ_1')

    add([], '--name', 'After the reveal', '--url', 'https://after.example.com', '--client-id', 'a')
    expect(journalEntries().filter((entry) => entry.event === 'secret.revealed')).toEqual([])
    const revealed = journaledReveals()
    expect(revealed).toHaveLength(taken + 1)
    // Newest first.
    expect(revealed[0]).toEqual(expect.objectContaining({ actor: { type: 'cli' }, target: { type: 'secret', id: ids.stripe, name: 'Stripe payments' }, outcome: 'ok', detail: { journal: true } }))
  })
})
