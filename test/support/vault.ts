import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { KeyholdError } from '../../src-shared/errors'
import type { KdfParams } from '../../src-shared/types/vault'
import { all, run } from '../../src-main/core/vault/database'
import type { Vault } from '../../src-main/core/vault/vault'
import { createServices, type Services } from '../../src-main/core/services'
import type { Clock } from '../../src-main/core/ports'
import { MemoryKeyStore } from '../fakes/memory.key-store'

/** The floor Keyhold accepts (19 MiB, t=2): real Argon2id, fast enough for tests. */
export const FAST_KDF: KdfParams = { id: 'argon2id', memoryKiB: 19 * 1024, iterations: 2, lanes: 1 }
export const PASSWORD = 'correct horse battery staple'

/** A fresh folder under the OS temp dir; remove it with the returned cleanup. */
export function tempDir(prefix = 'keyhold-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A fresh temp folder for each test of the calling describe (removed after it): `made` gets
 * the folder before each test, to set the test's paths from.
 */
export function eachInTempDir(made: (dir: string) => void): void {
  let cleanup = () => {}
  beforeEach(() => {
    const temp = tempDir()
    cleanup = temp.cleanup
    made(temp.dir)
  })
  afterEach(() => cleanup())
}

/** A settable clock for expiry, idle and re-confirmation tests. */
export class FakeClock implements Clock {
  constructor(public time = Date.parse('2026-01-01T12:00:00Z')) {}
  now(): number {
    return this.time
  }
  advance(ms: number): void {
    this.time += ms
  }
}

/**
 * Real services over a real vault file in a temp folder, created and unlocked with FAST_KDF.
 * Only the OS keychain is faked.
 */
export async function unlockedServices(options: { clock?: Clock } = {}): Promise<{
  services: Services
  keyStore: MemoryKeyStore
  path: string
  dir: string
  cleanup: () => void
}> {
  const { dir, cleanup } = tempDir()
  const path = join(dir, 'vault.keyhold')
  const keyStore = new MemoryKeyStore()
  const services = createServices({ vaultPath: path, keyStore, kdf: FAST_KDF, clock: options.clock })
  await services.vault.create({ password: PASSWORD, rememberOnDevice: false })
  return {
    services,
    keyStore,
    path,
    dir,
    cleanup: () => {
      services.vault.lock()
      cleanup()
    },
  }
}

/** The KeyholdError a promise rejects with (its code and message), or `{ code: 'OK' }`; anything else is rethrown. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof KeyholdError) return { code: error.code, message: error.message }
    throw error
  }
  return { code: 'OK', message: '' }
}

/** The code of the KeyholdError a promise rejects with, or 'OK'. */
export const codeOf = async (promise: Promise<unknown>): Promise<string> => (await failure(promise)).code

/** Adds a row to a `note (text)` table, made on first use: the smallest real change a vault can save. */
export const addNote = (vault: Vault, text: string): Promise<void> =>
  vault.mutate((db) => {
    db.run('CREATE TABLE IF NOT EXISTS note (text TEXT)')
    run(db, 'INSERT INTO note (text) VALUES (?)', [text])
  })

/** The texts of the `note` table, in insertion order. */
export const notes = (vault: Vault): string[] =>
  vault.read((db) => all<{ text: string }>(db, 'SELECT text FROM note ORDER BY rowid').map((r) => r.text))
