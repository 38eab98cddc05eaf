import { readFileSync, statSync } from 'node:fs'
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
    expect(table.stdout).toMatch(/^#\s+WHEN\s+EVENT\s+BY\s+ON\s+OUTCOME\n\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+secret\.revealed\s+cli\s+secret "=cmd\|calc"\s+ok$/m)
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
