import { createHash } from 'node:crypto'
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { Vault } from '../../../src-main/core/vault/vault'
import { all, one, run, type Database } from '../../../src-main/core/vault/database'
import { VaultFile } from '../../../src-main/core/vault/vault-file'
import { VaultService } from '../../../src-main/core/vault/vault.service'
import { FAST_KDF, PASSWORD, tempDir } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'
import { MemoryKeyStore } from '../../fakes/memory.key-store'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof KeyholdError) return error.code
    throw error
  }
  return 'OK'
}

const addNote = (vault: Vault, text: string) =>
  vault.mutate((db) => {
    db.run('CREATE TABLE IF NOT EXISTS note (text TEXT)')
    run(db, 'INSERT INTO note (text) VALUES (?)', [text])
  })
const notes = (vault: Vault) => vault.read((db) => all<{ text: string }>(db, 'SELECT text FROM note ORDER BY rowid').map((r) => r.text))

describe('Vault', () => {
  let dir: string
  let cleanup: () => void
  let path: string

  beforeEach(() => {
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
  })
  afterEach(() => cleanup())

  it('creates a 0600 file that reopens with the same content', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await addNote(vault, 'hello')
    vault.close()
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const again = await Vault.open(path, { password: PASSWORD })
    expect(notes(again)).toEqual(['hello'])
    expect(again.id).toBe(vault.id)
    again.close()
  })

  it('refuses to create over an existing vault', async () => {
    ;(await Vault.create(path, PASSWORD, FAST_KDF)).close()
    const before = sha(path)
    expect(await codeOf(Vault.create(path, PASSWORD, FAST_KDF))).toBe('VAULT_EXISTS')
    expect(sha(path)).toBe(before)
  })

  it('refuses KDF parameters below Argon2id 19 MiB / t=2 when creating', async () => {
    expect(await codeOf(Vault.create(path, PASSWORD, { ...FAST_KDF, memoryKiB: 18 * 1024 }))).toBe('INVALID_INPUT')
    expect(await codeOf(Vault.create(path, PASSWORD, { ...FAST_KDF, iterations: 1 }))).toBe('INVALID_INPUT')
    expect(existsSync(path)).toBe(false)
  })

  it('says WRONG_PASSWORD for a wrong password and leaves the file as it was', async () => {
    ;(await Vault.create(path, PASSWORD, FAST_KDF)).close()
    const before = sha(path)
    expect(await codeOf(Vault.open(path, { password: 'not the password' }))).toBe('WRONG_PASSWORD')
    expect(sha(path)).toBe(before)
  })

  it('says VAULT_NOT_FOUND when there is no file', async () => {
    expect(await codeOf(Vault.open(path, { password: PASSWORD }))).toBe('VAULT_NOT_FOUND')
  })

  it('keeps the previous file as .bak on every save', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await addNote(vault, 'one')
    const afterOne = readFileSync(path)
    await addNote(vault, 'two')
    expect(readFileSync(`${path}.bak`).equals(afterOne)).toBe(true)
    expect(statSync(`${path}.bak`).mode & 0o777).toBe(0o600)
    vault.close()
    const backup = await Vault.open(`${path}.bak`, { password: PASSWORD })
    expect(notes(backup)).toEqual(['one'])
    backup.close()
  })

  it('rolls back a mutation that throws and saves nothing', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await addNote(vault, 'kept')
    const before = sha(path)
    await expect(
      vault.mutate((db) => {
        run(db, 'INSERT INTO note (text) VALUES (?)', ['dropped'])
        throw new KeyholdError('INVALID_INPUT', 'no')
      }),
    ).rejects.toThrow('no')
    expect(notes(vault)).toEqual(['kept'])
    expect(sha(path)).toBe(before)
    vault.close()
  })

  it('opens the file it read, when the vault was replaced between reading its header and the rest', async () => {
    const other = join(dir, 'other.keyhold')
    const theirs = await Vault.create(other, PASSWORD, FAST_KDF)
    await addNote(theirs, 'theirs')
    theirs.close()
    const ours = await Vault.create(path, PASSWORD, FAST_KDF)
    await addNote(ours, 'ours')
    ours.close()
    // The header read first comes from the other vault (as if it was there a moment before).
    const readHead = VaultFile.prototype.readHead
    vi.spyOn(VaultFile.prototype, 'readHead').mockImplementationOnce(function (this: VaultFile, maxBytes: number) {
      return readHead.call(new VaultFile(other), maxBytes)
    })
    const vault = await Vault.open(path, { password: PASSWORD })
    expect(vault.id).toBe(ours.id)
    expect(notes(vault)).toEqual(['ours'])
    vault.close()
  })

  describe('the image the database was opened on', () => {
    type Internals = { image: Buffer | null; database: Database; file: VaultFile }
    const internals = (vault: Vault) => vault as unknown as Internals
    const editNote = (vault: Vault, text: string) => vault.mutate((db) => run(db, 'UPDATE note SET text = ?', [text]))

    /** A vault with one note, reopened: its file does not grow when the note is edited to the same length. */
    async function reopenedWithNote(): Promise<Vault> {
      const vault = await Vault.create(path, PASSWORD, FAST_KDF)
      await addNote(vault, 'note 0')
      vault.close()
      return Vault.open(path, { password: PASSWORD })
    }

    /** SQL for the numbers 1..n, as rows of column i. */
    const numbers = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) SELECT i FROM n`
    const integrity = (v: Vault) => v.read((db) => db.exec('PRAGMA integrity_check')[0]!.values[0]![0])

    /** A vault with `table` (one column, text) holding 'kept 1'..'kept 3000', reopened. */
    async function reopenedWithRows(table: string): Promise<Vault> {
      const created = await Vault.create(path, PASSWORD, FAST_KDF)
      await created.mutate((db) => {
        db.run(`CREATE TABLE ${table}`)
        db.run(`INSERT INTO ${table.split(' ')[0]} (text) SELECT 'kept ' || i FROM (${numbers(3000)})`)
      })
      created.close()
      return Vault.open(path, { password: PASSWORD })
    }

    it('is the database file: an edit is saved from it, with no exported copy', async () => {
      const vault = await reopenedWithNote()
      const image = internals(vault).image!
      const exportSpy = vi.spyOn(internals(vault).database, 'export')
      await editNote(vault, 'note 1')
      expect(exportSpy).not.toHaveBeenCalled()
      expect(internals(vault).image).toBe(image)
      // SQLite wrote the commit into it, and the file holds exactly it.
      expect(image.includes('note 1')).toBe(true)
      const saved = await decryptImage(path, PASSWORD)
      expect(Buffer.compare(saved, image.subarray(0, saved.length))).toBe(0)
      vault.close()
      const again = await Vault.open(path, { password: PASSWORD })
      expect(notes(again)).toEqual(['note 1'])
      again.close()
    })

    it('has room for the pages a vault gains: they are written into it and saved from it', async () => {
      const vault = await reopenedWithNote()
      const image = internals(vault).image!
      const exportSpy = vi.spyOn(internals(vault).database, 'export')
      await addNote(vault, 'y'.repeat(100_000))
      await addNote(vault, 'z'.repeat(100_000))
      expect(exportSpy).not.toHaveBeenCalled()
      expect(internals(vault).image).toBe(image)
      const saved = await decryptImage(path, PASSWORD)
      expect(saved.length).toBeGreaterThan(200_000)
      expect(Buffer.compare(saved, image.subarray(0, saved.length))).toBe(0)
      vault.close()
      const again = await Vault.open(path, { password: PASSWORD })
      expect(notes(again)).toEqual(['note 0', 'y'.repeat(100_000), 'z'.repeat(100_000)])
      expect(again.read((db) => db.exec('PRAGMA integrity_check')[0]!.values[0]![0])).toBe('ok')
      again.close()
    })

    it('is wiped and forgotten once the file outgrows it, and saves then export a copy', async () => {
      const vault = await reopenedWithNote()
      const image = internals(vault).image!
      const exportSpy = vi.spyOn(internals(vault).database, 'export')
      // More than the room behind it (1 MiB for a small vault).
      await vault.mutate((db) => {
        for (let i = 0; i < 20; i++) run(db, 'INSERT INTO note (text) VALUES (?)', ['x'.repeat(100_000)])
      })
      expect(exportSpy).toHaveBeenCalledTimes(1)
      expect(internals(vault).image).toBeNull()
      expect(image.every((byte) => byte === 0)).toBe(true)
      await editNote(vault, 'after growth')
      expect(exportSpy).toHaveBeenCalledTimes(2)
      vault.close()
      const again = await Vault.open(path, { password: PASSWORD })
      expect(notes(again)).toEqual(Array(21).fill('after growth'))
      again.close()
    })

    it('is not taken for the file after a change that failed had grown the file (and rollback shrank it)', async () => {
      const vault = await reopenedWithRows('note (text TEXT)')
      const kept = notes(vault)
      // More than SQLite's page cache: changed pages spill into the file, then new rows grow
      // it (sql.js moves it to a bigger buffer), and the rollback cuts it back to its size.
      await expect(
        vault.mutate((db) => {
          db.run(`UPDATE note SET text = hex(randomblob(1000))`)
          db.run(`INSERT INTO note (text) SELECT hex(randomblob(1000)) FROM (${numbers(3000)})`)
          throw new KeyholdError('INVALID_INPUT', 'refused after writing')
        }),
      ).rejects.toThrow('refused after writing')
      expect(notes(vault)).toEqual(kept)
      // Neither a save that only rewrites the header nor one after a change may write the old buffer.
      await vault.changePassword(PASSWORD, 'another password 123')
      const between = await Vault.open(path, { password: 'another password 123' })
      expect(notes(between)).toEqual(kept)
      expect(integrity(between)).toBe('ok')
      between.close()
      await vault.changePassword('another password 123', PASSWORD)
      await vault.mutate((db) => run(db, "UPDATE note SET text = 'after the rollback' WHERE rowid = 1"))
      vault.close()
      const again = await Vault.open(path, { password: PASSWORD })
      expect(notes(again)).toEqual(['after the rollback', ...kept.slice(1)])
      expect(integrity(again)).toBe('ok')
      again.close()
    })

    /**
     * For a table `item (text TEXT UNIQUE)` from reopenedWithRows: one statement that adds `n`
     * rows of 1 KB (all over the UNIQUE index's existing pages) and fails on the last (its
     * text is taken), so SQLite counts no change.
     */
    const failing = (n: number) => `INSERT INTO item (text) SELECT CASE WHEN i = ${n} THEN 'kept 100' ELSE hex(randomblob(500)) END FROM (${numbers(n)})`

    it('stays exactly the file through statements that write a lot and then fail, in or past its room', async () => {
      const vault = await reopenedWithRows('item (text TEXT UNIQUE)')
      const items = (v: Vault) => v.read((db) => all<{ text: string }>(db, 'SELECT text FROM item ORDER BY rowid').map((r) => r.text))
      const expectSaved = async (expected: string[]) => {
        const again = await Vault.open(path, { password: PASSWORD })
        expect(integrity(again)).toBe('ok')
        expect(items(again)).toEqual(expected)
        again.close()
      }
      const expected = items(vault)
      // Inside the room (about 300 KB), rejected; then a save that writes no rows.
      await expect(vault.mutate((db) => db.run(failing(300)))).rejects.toThrow(/UNIQUE/)
      await vault.changePassword(PASSWORD, PASSWORD)
      await expectSaved(expected)
      // Past the room (about 3 MB), rejected, in one batch with updates; then a save that writes no rows.
      const batch = [
        vault.mutate((db) => run(db, "UPDATE item SET text = 'first' WHERE rowid = 1")),
        expect(vault.mutate((db) => db.run(failing(3000)))).rejects.toThrow(/UNIQUE/),
        vault.mutate((db) => run(db, "UPDATE item SET text = 'second' WHERE rowid = 2")),
      ]
      await Promise.all(batch)
      expected.splice(0, 2, 'first', 'second')
      await expectSaved(expected)
      await vault.changePassword(PASSWORD, PASSWORD)
      await expectSaved(expected)
      // Past the room, caught by the change itself, which goes on.
      await vault.mutate((db) => {
        try {
          db.run(failing(3000))
        } catch {
          run(db, "UPDATE item SET text = 'third' WHERE rowid = 3")
        }
      })
      expected[2] = 'third'
      await expectSaved(expected)
      vault.close()
    })

    it('is still wiped when the vault closes after a change past its room failed, though saves export from then on', async () => {
      const vault = await reopenedWithRows('item (text TEXT UNIQUE)')
      const image = internals(vault).image!
      const exportSpy = vi.spyOn(internals(vault).database, 'export')
      await expect(vault.mutate((db) => db.run(failing(3000)))).rejects.toThrow(/UNIQUE/)
      await vault.mutate((db) => run(db, "UPDATE item SET text = 'after the failure' WHERE rowid = 1"))
      expect(exportSpy).toHaveBeenCalledTimes(1)
      expect(image.includes('kept 2')).toBe(true)
      vault.close()
      expect(image.every((byte) => byte === 0)).toBe(true)
    })

    it('is wiped when the vault closes', async () => {
      const vault = await reopenedWithNote()
      await editNote(vault, 'wiped on lock')
      const image = internals(vault).image!
      expect(image.includes('wiped on lock')).toBe(true)
      vault.close()
      expect(image.every((byte) => byte === 0)).toBe(true)
    })

    it('outlives a lock during a save that reads it: the save completes, then it is wiped', async () => {
      const vault = await reopenedWithNote()
      const image = internals(vault).image!
      const file = internals(vault).file
      const write = file.write.bind(file)
      // The real write, with the vault locked once the preamble is handed over, before any step is encrypted.
      vi.spyOn(file, 'write').mockImplementation((content, expected) =>
        write(
          (async function* () {
            let steps = 0
            for await (const chunk of content as AsyncIterable<Uint8Array>) {
              yield chunk
              if (++steps === 1) vault.close()
            }
          })(),
          expected,
        ),
      )
      await editNote(vault, 'saved across the lock')
      expect(vault.isClosed).toBe(true)
      expect(image.every((byte) => byte === 0)).toBe(true)
      const again = await Vault.open(path, { password: PASSWORD })
      expect(notes(again)).toEqual(['saved across the lock'])
      again.close()
    })
  })

  it('drops the database on close, so reads say VAULT_LOCKED', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    vault.close()
    expect(() => vault.read(() => 1)).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }))
  })

  it('changes the master password by rewrapping the key slot', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await addNote(vault, 'survives')
    expect(await codeOf(vault.changePassword('wrong password', 'new password 123'))).toBe('WRONG_PASSWORD')
    await vault.changePassword(PASSWORD, 'new password 123')
    vault.close()
    expect(await codeOf(Vault.open(path, { password: PASSWORD }))).toBe('WRONG_PASSWORD')
    const reopened = await Vault.open(path, { password: 'new password 123' })
    expect(notes(reopened)).toEqual(['survives'])
    reopened.close()
  })

  it('keeps secure_delete and foreign_keys on after saves, and after reopening', async () => {
    const pragmas = (v: Vault) =>
      v.read((db) => ({
        secureDelete: one<{ secure_delete: number }>(db, 'PRAGMA secure_delete')!.secure_delete,
        foreignKeys: one<{ foreign_keys: number }>(db, 'PRAGMA foreign_keys')!.foreign_keys,
      }))
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await addNote(vault, 'one')
    await addNote(vault, 'two')
    expect(pragmas(vault)).toEqual({ secureDelete: 1, foreignKeys: 1 })
    vault.close()
    const again = await Vault.open(path, { password: PASSWORD })
    expect(pragmas(again)).toEqual({ secureDelete: 1, foreignKeys: 1 })
    again.close()
  })

  it('does not keep a deleted canary in the saved image (secure_delete)', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    const canary = 'CANARY-7f3a9c-deleted-secret-value'
    await addNote(vault, 'x'.repeat(2000))
    await addNote(vault, canary)
    expect((await decryptImage(path, PASSWORD)).includes(canary)).toBe(true)
    await vault.mutate((db) => run(db, 'DELETE FROM note WHERE text = ?', [canary]))
    expect((await decryptImage(path, PASSWORD)).includes(canary)).toBe(false)
    expect(readFileSync(path).includes(canary)).toBe(false)
    vault.close()
  })

  describe('when another process changes the file', () => {
    it('re-applies our change on top of theirs, so neither write is lost', async () => {
      ;(await Vault.create(path, PASSWORD, FAST_KDF)).close()
      const ours = await Vault.open(path, { password: PASSWORD })
      const theirs = await Vault.open(path, { password: PASSWORD })
      await addNote(theirs, 'theirs')
      await addNote(ours, 'ours')
      expect(notes(ours)).toEqual(['theirs', 'ours'])
      ours.close()
      theirs.close()
      const check = await Vault.open(path, { password: PASSWORD })
      expect(notes(check)).toEqual(['theirs', 'ours'])
      check.close()
    })

    it('refuses with VAULT_CHANGED_ON_DISK when the file became another vault, and leaves it alone', async () => {
      const ours = await Vault.create(path, PASSWORD, FAST_KDF)
      const otherPath = join(dir, 'other.keyhold')
      ;(await Vault.create(otherPath, PASSWORD, FAST_KDF)).close()
      await new Promise((r) => setTimeout(r, 10))
      writeFileSync(path, readFileSync(otherPath))
      const before = sha(path)
      expect(await codeOf(addNote(ours, 'lost?'))).toBe('VAULT_CHANGED_ON_DISK')
      expect(sha(path)).toBe(before)
    })
  })
})

describe('VaultService', () => {
  let dir: string
  let cleanup: () => void
  let path: string
  let keyStore: MemoryKeyStore
  let service: VaultService

  beforeEach(() => {
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
    keyStore = new MemoryKeyStore()
    service = new VaultService({ path, keyStore, kdf: FAST_KDF, autoLockMs: 60_000 })
  })
  afterEach(() => {
    service.lock()
    vi.useRealTimers()
    cleanup()
  })

  it('reports absent, unlocked and locked states', async () => {
    expect((await service.status()).state).toBe('absent')
    await service.create({ password: PASSWORD, rememberOnDevice: false })
    expect((await service.status()).state).toBe('unlocked')
    service.lock()
    expect((await service.status()).state).toBe('locked')
    expect(() => service.vault()).toThrow(expect.objectContaining({ code: 'VAULT_LOCKED' }))
  })

  it('remembers the device in the keychain and unlocks with it', async () => {
    const status = await service.create({ password: PASSWORD, rememberOnDevice: true })
    expect(status.rememberedOnDevice).toBe(true)
    expect(keyStore.entries.size).toBe(1)
    service.lock()
    expect((await service.unlockWithDevice()).state).toBe('unlocked')
    // SECURITY: the device key is never written next to the vault.
    const deviceKey = Buffer.from([...keyStore.entries.values()][0]!, 'base64')
    expect(readFileSync(path).includes(deviceKey)).toBe(false)
  })

  it('falls back to the password when the keychain is unavailable, with KEYCHAIN_UNAVAILABLE and no crash', async () => {
    await service.create({ password: PASSWORD, rememberOnDevice: true })
    service.lock()
    keyStore.broken = true
    expect(await codeOf(service.unlockWithDevice())).toBe('KEYCHAIN_UNAVAILABLE')
    expect((await service.unlock({ password: PASSWORD })).state).toBe('unlocked')
  })

  it('creates a password-only vault with a warning when the keychain fails while remembering', async () => {
    keyStore.broken = true
    const status = await service.create({ password: PASSWORD, rememberOnDevice: true })
    expect(status.state).toBe('unlocked')
    expect(status.rememberedOnDevice).toBe(false)
    expect(status.warning?.code).toBe('KEYCHAIN_UNAVAILABLE')
  })

  it('says KEYCHAIN_UNAVAILABLE when the keychain lost the device key', async () => {
    await service.create({ password: PASSWORD, rememberOnDevice: true })
    service.lock()
    keyStore.entries.clear()
    expect(await codeOf(service.unlockWithDevice())).toBe('KEYCHAIN_UNAVAILABLE')
  })

  it('forgets the device when unlocked with remember off', async () => {
    await service.create({ password: PASSWORD, rememberOnDevice: true })
    service.lock()
    const status = await service.unlock({ password: PASSWORD, rememberOnDevice: false })
    expect(status.rememberedOnDevice).toBe(false)
    expect(keyStore.entries.size).toBe(0)
  })

  it('locks itself after the idle timeout, and activity postpones it', async () => {
    await service.create({ password: PASSWORD, rememberOnDevice: false })
    vi.useFakeTimers()
    service.activity()
    vi.advanceTimersByTime(59_000)
    service.activity()
    vi.advanceTimersByTime(59_000)
    expect(service.isUnlocked).toBe(true)
    vi.advanceTimersByTime(2_000)
    expect(service.isUnlocked).toBe(false)
  })

  it('notifies lock listeners and forgets the re-confirmation on lock', async () => {
    await service.create({ password: PASSWORD, rememberOnDevice: true })
    const listener = vi.fn()
    service.onLock(listener)
    expect(() => service.requireRecentConfirmation()).not.toThrow()
    service.lock()
    expect(listener).toHaveBeenCalledOnce()
    // The device key opens the vault without the password, so it does not confirm it.
    await service.unlockWithDevice()
    expect(() => service.requireRecentConfirmation()).toThrow(expect.objectContaining({ code: 'REAUTH_REQUIRED' }))
  })

  it('refuses to create over an existing vault without locking the open one', async () => {
    await service.create({ password: PASSWORD, rememberOnDevice: false })
    expect(await codeOf(service.create({ password: 'another password', rememberOnDevice: false }))).toBe('VAULT_EXISTS')
    expect(service.isUnlocked).toBe(true)
  })

  it('asks for re-confirmation after five minutes, and a wrong password does not confirm', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const clocked = new VaultService({ path, keyStore, kdf: FAST_KDF, clock: { now: () => now } })
    await clocked.create({ password: PASSWORD, rememberOnDevice: false })
    now += 5 * 60_000
    expect(() => clocked.requireRecentConfirmation()).not.toThrow()
    now += 1
    expect(() => clocked.requireRecentConfirmation()).toThrow(expect.objectContaining({ code: 'REAUTH_REQUIRED' }))
    expect(await codeOf(clocked.confirmPassword('wrong one'))).toBe('WRONG_PASSWORD')
    expect(() => clocked.requireRecentConfirmation()).toThrow(expect.objectContaining({ code: 'REAUTH_REQUIRED' }))
    await clocked.confirmPassword(PASSWORD)
    expect(() => clocked.requireRecentConfirmation()).not.toThrow()
    clocked.lock()
  })

  it('changes the master password only with the right current one', async () => {
    await service.create({ password: PASSWORD, rememberOnDevice: false })
    expect(await codeOf(service.changePassword({ current: 'nope nope', next: 'another password' }))).toBe('WRONG_PASSWORD')
    await service.changePassword({ current: PASSWORD, next: 'another password' })
    service.lock()
    expect((await service.unlock({ password: 'another password' })).state).toBe('unlocked')
    expect(one<{ n: number }>(service.vault().read((db) => db), 'SELECT 1 AS n')?.n).toBe(1)
  })
})
