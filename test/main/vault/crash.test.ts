import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { one } from '../../../src-main/core/vault/database'
import { Vault } from '../../../src-main/core/vault/vault'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'

const loop = join(__dirname, '../../support/save-loop.ts')

/** Starts the save loop in one node process (no wrapper that would outlive the kill), waits for its first save, lets it save for `ms` more, and kills it with SIGKILL. */
function killDuringSaves(path: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', loop, path, PASSWORD], { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), ms))
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`save loop exited on its own (${signal})`))))
  })
}

async function consistentState(path: string): Promise<{ rows: number; counter: number }> {
  const vault = await Vault.open(path, { password: PASSWORD })
  try {
    return vault.read((db) => ({
      rows: one<{ c: number }>(db, 'SELECT count(*) AS c FROM rows')!.c,
      counter: one<{ n: number }>(db, 'SELECT n FROM counter')!.n,
    }))
  } finally {
    vault.close()
  }
}

describe('a process killed with SIGKILL in the middle of saves', () => {
  let dir: string
  let cleanup: () => void
  let path: string

  beforeAll(async () => {
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await vault.mutate((db) => db.run('CREATE TABLE rows (n INTEGER, pad TEXT); CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0)'))
    await vault.mutate((db) => db.run('UPDATE counter SET n = 0'))
    vault.close()
  })
  afterAll(() => cleanup())

  for (const ms of [150, 400, 777, 1200]) {
    it(`leaves a vault that opens in a consistent state (killed after ${ms} ms)`, async () => {
      const before = await consistentState(path)
      await killDuringSaves(path, ms)
      const after = await consistentState(path)
      expect(after.rows).toBe(after.counter)
      expect(after.counter).toBeGreaterThanOrEqual(before.counter)
      expect(after.counter, 'the loop saved at least once before the kill').toBeGreaterThan(before.counter)
      if (existsSync(`${path}.bak`)) {
        const backup = await consistentState(`${path}.bak`)
        expect(backup.rows).toBe(backup.counter)
      }
    })
  }
})
