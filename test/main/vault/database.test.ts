import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/core/vault/database'

describe('openDatabase on an image', () => {
  // Vault.open relies on this to hold one copy of the image: the buffer decrypted in place.
  it('uses a Node Buffer as the database file itself, without copying it (sql.js 1.16 MEMFS)', async () => {
    const source = await openDatabase()
    source.run("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('before')")
    const image = Buffer.from(source.export())
    source.close()
    const db = await openDatabase(image)
    const marker = Buffer.from('written-into-our-buffer')
    expect(image.includes(marker)).toBe(false)
    db.run('UPDATE t SET v = ?', [marker.toString()])
    expect(image.includes(marker)).toBe(true)
    db.close()
  })
})
