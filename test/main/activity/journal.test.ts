import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ActivityJournal } from '../../../src-main/core/activity/activity.journal'
import { tempDir } from '../../support/vault'

const VAULT = 'a1b2c3d4e5f6a7b8c9d0'
const entry = (n: number) => ({ at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), event: 'vault.unlocked' as const, actor: { type: 'cli' as const }, outcome: 'ok' as const, detail: { with: 'password' } })

describe('the activity journal file', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => ({ dir, cleanup } = tempDir()))
  afterEach(() => cleanup())

  it("takes over a lock left by an earlier process that had this process's id (a container's commands often share one)", async () => {
    const folder = join(dir, 'Keyhold')
    mkdirSync(folder, { recursive: true })
    const lock = join(folder, 'activity-journal.json.lock')
    writeFileSync(lock, String(process.pid))
    // Left before this process started.
    const before = new Date(performance.timeOrigin - 10_000)
    utimesSync(lock, before, before)
    await new ActivityJournal(folder).append(VAULT, entry(1))
    expect((await new ActivityJournal(folder).peek(VAULT)).entries).toHaveLength(1)
  })

  it('keeps every entry when many writers append at once (as parallel CLI reads do), and removes only what was taken', async () => {
    const folder = join(dir, 'data', 'Keyhold')
    // Each writer its own instance, as each CLI process has: only the file's lock orders them.
    await Promise.all(Array.from({ length: 24 }, (_, n) => new ActivityJournal(folder).append(VAULT, entry(n), entry(n + 30))))
    const journal = new ActivityJournal(folder)
    const waiting = await journal.peek(VAULT)
    expect(waiting.entries).toHaveLength(48)
    expect(new Set(waiting.entries.map((e) => e.id)).size).toBe(48)
    // A take-in racing more appends removes only the entries it took.
    const taken = { entries: waiting.entries.slice(0, 10), dropped: 0 }
    await Promise.all([journal.remove(VAULT, taken), ...Array.from({ length: 6 }, (_, n) => new ActivityJournal(folder).append(VAULT, entry(40 + n)))])
    expect((await journal.peek(VAULT)).entries).toHaveLength(44)
    expect(readFileSync(join(folder, 'activity-journal.json'), 'utf8')).not.toContain('"name"')
  })
})
