import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../../src-main/core/services'
import type { ActivityEntry } from '../../../src-shared/types/activity'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

describe('keyhold audit list, verify and export', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  const run = (args: string[], input = `${PASSWORD}\n`) => keyhold(['--vault', vault, '--password-stdin', ...args], input)

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'audit.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
    expect(run(['secret', 'add', '--name', '=cmd|calc', '--url', 'https://api.stripe.com', '--client-id', 'cid', '--identifier', 'stripe', '--client-secret-stdin'], `${PASSWORD}\nsk_live_canary\n`).status).toBe(0)
    expect(run(['secret', 'get', 'stripe', '--field', 'client-secret']).stdout).toBe('sk_live_canary\n')
  })
  afterAll(() => cleanup())

  it('lists newest first, by the CLI, with filters, as a table or JSON', () => {
    const table = run(['audit', 'list', '--event', 'secret.revealed'])
    expect(table).toMatchObject({ status: 0, stderr: '' })
    // The CLI's read path printed it: journaled by id, taken in with the secret's name (docs/activity-log.md §2.1).
    expect(table.stdout).toMatch(/^#\s+WHEN\s+EVENT\s+BY\s+ON\s+OUTCOME\n\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+secret\.revealed\s+cli\s+secret "=cmd\|calc"\s+ok \(from the journal\)$/m)
    const entries = JSON.parse(run(['--json', 'audit', 'list']).stdout) as ActivityEntry[]
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(['secret.added', 'secret.revealed', 'vault.unlocked', 'vault.locked']))
    expect(entries[0]!.seq).toBeGreaterThan(entries.at(-1)!.seq)
    expect(run(['audit', 'list', '--event', 'nope'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INVALID_INPUT: --event must be one of secret\.added/) })
    expect(run(['audit', 'list', '--since', 'yesterday'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/--since yesterday is not a time/) })
  })

  it('exports CSV (formula cells neutralised) and JSON with the MACs, never the client secret; refuses to overwrite without --force', () => {
    const csvPath = join(dir, 'activity.csv')
    expect(run(['audit', 'export', '--format', 'csv', '--out', csvPath])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Exported \d+ entries to /) })
    const csv = readFileSync(csvPath, 'utf8')
    expect(statSync(csvPath).mode & 0o777).toBe(0o600)
    expect(csv.split('\r\n')[0]).toBe('"Seq","Time","Event","Actor type","Actor id","Actor","Target type","Target id","Target","Outcome","Detail"')
    expect(csv).toContain(`"'=cmd|calc"`)
    expect(run(['audit', 'export', '--format', 'csv', '--out', csvPath])).toMatchObject({ status: 1, stderr: expect.stringMatching(/already exists.*--force/) })
    expect(run(['audit', 'export', '--format', 'csv', '--out', csvPath, '--force']).status).toBe(0)
    const json = JSON.parse(run(['audit', 'export', '--format', 'json']).stdout) as { format: string; entries: ActivityEntry[] }
    expect(json.format).toBe('keyhold-activity')
    expect(json.entries[0]).toMatchObject({ seq: 1, mac: expect.any(String) })
    for (const text of [csv, JSON.stringify(json)]) expect(text).not.toContain('sk_live_canary')
    expect(run(['audit', 'export', '--format', 'xml'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/--format must be one of csv, json/) })
  })

  it('verify says the log is intact, and where it breaks after an entry is edited (exit 1)', async () => {
    expect(run(['audit', 'verify'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^All \d+ entries are intact \(entries 1 to \d+\)\.\n$/) })
    const services = createServices({ vaultPath: vault, keyStore: new MemoryKeyStore() })
    await services.vault.unlock({ password: PASSWORD })
    await services.vault.vault().mutate((db) => db.run("UPDATE activity SET target_name = 'something else' WHERE seq = 2"))
    services.vault.lock()
    await services.vault.locked()
    expect(run(['audit', 'verify'])).toMatchObject({ status: 1, stderr: 'keyhold: VAULT_CORRUPT: The activity log was tampered with. Entry 2 was changed or moved: it does not follow the entry before it. Entries up to there are intact; keep this vault file aside for inspection.\n' })
  })
})

describe('keyhold audit: the journal, retention, an export checked, a restored vault accepted', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  const run = (args: string[], input = `${PASSWORD}\n`) => keyhold(['--vault', vault, '--password-stdin', ...args], input)
  const log = () => JSON.parse(run(['--json', 'audit', 'list', '--limit', '500']).stdout) as ActivityEntry[]

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'journal.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })
  afterAll(() => cleanup())

  it('a command that only reads, and a wrong password, leave the vault file as it was; the log shows them later, marked as from the journal', () => {
    expect(run(['secret', 'add', '--name', 'Stripe', '--url', 'https://api.stripe.com', '--client-id', 'cid', '--identifier', 'stripe', '--client-secret-stdin'], `${PASSWORD}\nsk_canary\n`).status).toBe(0)
    const before = readFileSync(vault)
    expect(run(['secret', 'list']).status).toBe(0)
    expect(run(['secret', 'list'], 'not the password\n')).toMatchObject({ status: 1, stderr: expect.stringMatching(/WRONG_PASSWORD/) })
    expect(readFileSync(vault).equals(before)).toBe(true)
    const journaled = log().filter((e) => e.detail.journal === true).reverse()
    expect(journaled.map((e) => [e.event, e.actor.type, e.outcome])).toEqual([
      ['vault.unlocked', 'cli', 'ok'],
      ['vault.locked', 'cli', 'ok'],
      ['vault.unlock-failed', 'cli', 'failed'],
    ])
    const text = run(['audit', 'list', '--event', 'vault.unlock-failed'])
    expect(text.stdout).toMatch(/vault\.unlock-failed\s+cli\s+vault \S+\s+failed/)
  })

  it('retention: shows the setting, changes it (recorded), and refuses values out of bounds with the bounds', () => {
    expect(run(['audit', 'retention'])).toMatchObject({ status: 0, stdout: 'The activity log keeps entries for 365 days, at most 100,000 entries.\n' })
    expect(run(['audit', 'retention', '--days', '0'])).toMatchObject({ status: 1, stderr: 'keyhold: INVALID_INPUT: --days must be a whole number from 1 to 3,650; 0 is not.\n' })
    expect(run(['audit', 'retention', '--entries', 'lots'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/--entries must be a whole number from 100 to 1,000,000; lots is not\./) })
    expect(run(['audit', 'retention', '--days', '90'])).toMatchObject({ status: 0, stdout: 'The activity log now keeps entries for 90 days, at most 100,000 entries.\n' })
    expect(JSON.parse(run(['--json', 'audit', 'retention']).stdout)).toEqual({ days: 90, entries: 100_000 })
    expect(log().filter((e) => e.event === 'log.retention-changed').map((e) => e.detail)).toEqual([{ days: 90, entries: 100_000, previousDays: 365, previousEntries: 100_000 }])
  })

  it('verify --file checks a JSON export against the vault, and says where an edited export breaks', () => {
    const file = join(dir, 'export.json')
    expect(run(['audit', 'export', '--format', 'json', '--out', file]).status).toBe(0)
    expect(run(['audit', 'verify', '--file', file])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^All \d+ entries are intact \(entries 1 to \d+\)\.\n$/) })
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { entries: ActivityEntry[] }
    exported.entries[2]!.outcome = 'denied'
    writeFileSync(file, JSON.stringify(exported))
    expect(run(['audit', 'verify', '--file', file])).toMatchObject({
      status: 1,
      stderr: `keyhold: VAULT_CORRUPT: This export of the activity log was changed. Entry ${exported.entries[2]!.seq} was changed or moved: it does not follow the entry before it. Entries up to there are intact; keep this file aside for inspection.\n`,
    })
    writeFileSync(file, '{"format":"something else"}')
    expect(run(['audit', 'verify', '--file', file])).toMatchObject({ status: 1, stderr: expect.stringMatching(/INVALID_INPUT: That file is not an activity log export/) })
    expect(run(['audit', 'verify', '--file', join(dir, 'missing.json')])).toMatchObject({ status: 1, stderr: expect.stringMatching(/missing\.json/) })
  })

  it('an older copy of the vault put back is reported by verify; accept-restore accepts it, recorded, and verify is clean again', () => {
    copyFileSync(vault, join(dir, 'older.keyhold'))
    expect(run(['secret', 'get', 'stripe', '--field', 'client-secret']).stdout).toBe('sk_canary\n')
    // A write moves the anchor past the copy (the reveal above, through the read path, is journaled as any read is).
    expect(run(['secret', 'edit', 'stripe', '--notes', 'after the copy']).status).toBe(0)
    copyFileSync(join(dir, 'older.keyhold'), vault)
    expect(run(['audit', 'verify'])).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/^keyhold: VAULT_CORRUPT: The vault file is older than the activity log this computer saw: .* If you put it back on purpose, run `keyhold audit accept-restore`; if not, keep this vault file aside for inspection\.\n$/),
    })
    expect(run(['audit', 'accept-restore'])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Accepted: this vault's activity log is now the one this computer checks against\. All \d+ entries are intact\.\n$/) })
    expect(run(['audit', 'verify']).status).toBe(0)
    expect(log().filter((e) => e.event === 'log.restore-accepted')).toHaveLength(1)
    expect(run(['audit', 'accept-restore'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/CONFLICT: There is no older copy of the vault to accept/) })
  })
})
