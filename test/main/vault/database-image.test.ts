import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { all, run, type Database } from '../../../src-main/core/vault/database'
import type { DatabaseImage } from '../../../src-main/core/vault/database-image'
import { Vault } from '../../../src-main/core/vault/vault'
import type { VaultFile } from '../../../src-main/core/vault/vault-file'
import { addNote, FAST_KDF, notes, PASSWORD, tempDir } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'

/**
 * DatabaseImage, through the Vault that owns it: the buffer the database was opened on is its
 * file, saves encrypt it where it is, and it is wiped when it stops being the file or the vault
 * closes.
 */
describe('DatabaseImage', () => {
  let cleanup: () => void
  let path: string

  beforeEach(() => {
    let dir: string
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
  })
  afterEach(() => cleanup())

  describe('the image the database was opened on', () => {
    type Internals = { image: Buffer | null; database: Database; file: VaultFile }
    /** The vault's file, and its DatabaseImage's buffer and sql.js database. */
    const internals = (vault: Vault): Internals => {
      const { image, file } = vault as unknown as { image: DatabaseImage; file: VaultFile }
      const own = image as unknown as { image: Buffer | null; database: Database }
      return { image: own.image, database: own.database, file }
    }
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

})
