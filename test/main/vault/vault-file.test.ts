import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chownSync, existsSync, linkSync, readdirSync, readFileSync, statSync, symlinkSync, lstatSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { VaultFile } from '../../../src-main/core/vault/vault-file'
import { eachInTempDir } from '../../support/vault'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

/** Pieces of `bytes`, produced one at a time as a save produces them while it encrypts. */
async function* piecesOf(bytes: Buffer, size = 1000, onPiece?: (index: number) => void): AsyncGenerator<Uint8Array> {
  for (let at = 0, index = 0; at < bytes.length; at += size, index++) {
    onPiece?.(index)
    await new Promise((resolve) => setImmediate(resolve))
    yield bytes.subarray(at, at + size)
  }
}

describe('VaultFile.write', () => {
  let dir: string
  let path: string
  let file: VaultFile
  eachInTempDir((made) => void ((dir = made), (path = join(dir, 'vault.keyhold'))))
  beforeEach(() => {
    file = new VaultFile(path)
  })

  const tempFiles = () => readdirSync(dir).filter((name) => name.endsWith('.tmp'))

  it('writes pieces in order, durably, as a 0600 file whose stamp it returns', async () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251))
    const stamp = await file.write(piecesOf(bytes), null)
    expect(readFileSync(path).equals(bytes)).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(stamp).toEqual(await file.stamp())
    expect(tempFiles()).toEqual([])
  })

  it('writes a large file exactly while flushing it early in the background', async () => {
    const bytes = Buffer.alloc(11 << 20)
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32BE(i, i)
    await file.write(piecesOf(bytes, 1 << 20), null)
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it('writes into a 0600 temp file in the vault folder, never into the vault itself', async () => {
    const first = await file.write(Buffer.from('first version'), null)
    const before = sha(path)
    const seen: Array<{ name: string; mode: number; vault: string }> = []
    await file.write(
      piecesOf(Buffer.alloc(5000, 'n'), 1000, (index) => {
        if (index !== 3) return
        for (const name of tempFiles()) seen.push({ name, mode: statSync(join(dir, name)).mode & 0o777, vault: sha(path) })
      }),
      first,
    )
    expect(seen).toHaveLength(1)
    expect(seen[0]!.name.startsWith('vault.keyhold.')).toBe(true)
    expect(seen[0]!.mode).toBe(0o600)
    expect(seen[0]!.vault).toBe(before)
    expect(tempFiles()).toEqual([])
  })

  it('leaves the vault and its backup unchanged and no temp file when producing the content fails', async () => {
    let stamp = await file.write(Buffer.from('version one'), null)
    stamp = await file.write(Buffer.from('version two'), stamp)
    const [vaultBefore, backupBefore] = [sha(path), sha(`${path}.bak`)]
    await expect(
      file.write(
        piecesOf(Buffer.alloc(5000, 'x'), 1000, (index) => {
          if (index === 2) throw new Error('encryption failed')
        }),
        stamp,
      ),
    ).rejects.toThrow('encryption failed')
    expect(sha(path)).toBe(vaultBefore)
    expect(sha(`${path}.bak`)).toBe(backupBefore)
    expect(tempFiles()).toEqual([])
    // And the next save goes through.
    await file.write(Buffer.from('version three'), stamp)
    expect(readFileSync(path, 'utf8')).toBe('version three')
  })

  it('leaves no temp file and writes nothing when the file changed on disk meanwhile', async () => {
    const stamp = await file.write(Buffer.from('ours'), null)
    await new Promise((r) => setTimeout(r, 10))
    writeFileSync(path, 'theirs, longer')
    await expect(file.write(Buffer.from('lost'), stamp)).rejects.toMatchObject({ code: 'VAULT_CHANGED_ON_DISK' })
    expect(readFileSync(path, 'utf8')).toBe('theirs, longer')
    expect(tempFiles()).toEqual([])
  })

  it('refuses to rename over a file another program changed while the new version was written', async () => {
    const stamp = await file.write(Buffer.from('ours'), null)
    await new Promise((r) => setTimeout(r, 10))
    await expect(
      file.write(
        piecesOf(Buffer.alloc(5000, 'n'), 1000, (index) => {
          if (index === 2) writeFileSync(path, 'theirs, written without the lock')
        }),
        stamp,
      ),
    ).rejects.toMatchObject({ code: 'VAULT_CHANGED_ON_DISK' })
    expect(readFileSync(path, 'utf8')).toBe('theirs, written without the lock')
    expect(tempFiles()).toEqual([])
  })

  it('keeps the previous version as .bak and leaves no set-aside backup once settled', async () => {
    let stamp = await file.write(Buffer.from('v1'), null)
    for (const version of ['v2', 'v3', 'v4']) {
      const previous = readFileSync(path)
      stamp = await file.write(Buffer.from(version), stamp)
      expect(readFileSync(`${path}.bak`).equals(previous)).toBe(true)
    }
    await file.settled()
    expect(readdirSync(dir).sort()).toEqual(['vault.keyhold', 'vault.keyhold.bak'])
  })

  it('replaces a set-aside backup left by a process killed before it deleted it', async () => {
    let stamp = await file.write(Buffer.from('v1'), null)
    stamp = await file.write(Buffer.from('v2'), stamp)
    writeFileSync(`${path}.bak.old`, 'leftover')
    linkSync(`${path}.bak.old`, join(dir, 'witness'))
    await file.write(Buffer.from('v3'), stamp)
    await file.settled()
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('v2')
    expect(existsSync(`${path}.bak.old`)).toBe(false)
    expect(readFileSync(join(dir, 'witness'), 'utf8')).toBe('leftover')
  })

  it('deletes temp files left by killed processes after its first save, and no others', async () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid
    const stale = join(dir, `vault.keyhold.${gone}-0123456789ab.tmp`)
    const live = join(dir, `vault.keyhold.${process.ppid}-0123456789ab.tmp`)
    const ours = join(dir, `vault.keyhold.${process.pid}-0123456789ab.tmp`)
    const other = join(dir, 'vault.keyhold.notes.tmp')
    for (const p of [stale, live, ours, other]) writeFileSync(p, 'x')
    // Old enough that no save could still be writing them (a pid may be another machine's).
    const old = new Date(Date.now() - 11 * 60_000)
    for (const p of [stale, live, ours, other]) utimesSync(p, old, old)
    await file.write(Buffer.from('v1'), null)
    await file.settled()
    expect(existsSync(stale)).toBe(false)
    for (const kept of [live, ours, other]) expect(existsSync(kept)).toBe(true)
  })

  it.skipIf(process.getuid?.() !== 0)('keeps the owner of the file it replaces when run as root', async () => {
    const stamp = await file.write(Buffer.from('v1'), null)
    chownSync(path, 4321, 4322)
    await file.write(Buffer.from('v2'), { ...stamp, mtimeMs: statSync(path).mtimeMs })
    expect(statSync(path)).toMatchObject({ uid: 4321, gid: 4322 })
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('saves through a symlinked vault path into its target, keeping the link', async () => {
    const target = join(dir, 'real.keyhold')
    const stamp = await new VaultFile(target).write(Buffer.from('v1'), null)
    symlinkSync(target, path)
    await file.write(Buffer.from('v2'), stamp)
    expect(lstatSync(path).isSymbolicLink()).toBe(true)
    expect(readFileSync(target, 'utf8')).toBe('v2')
    expect(tempFiles()).toEqual([])
  })
})
