import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  promises as fsp,
} from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { sealWithNonce, deriveKey, seal } from '../../../src-main/core/vault/crypto'
import { openDatabase } from '../../../src-main/core/vault/database'
import { decodeVault, encodePreamble, FORMAT_MINOR, MAX_VAULT_BYTES } from '../../../src-main/core/vault/format'
import { fileSystemError } from '../../../src-main/core/vault/fs-errors'
import { Vault } from '../../../src-main/core/vault/vault'
import { VaultFile } from '../../../src-main/core/vault/vault-file'
import { VaultService } from '../../../src-main/core/vault/vault.service'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { failure, FAST_KDF, PASSWORD, eachInTempDir, tempDir } from '../../support/vault'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!

/** Mounts a tmpfs of `size` at `dir` (root only); false where the machine does not allow it. */
function mountTmpfs(dir: string, options: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0
}
const canMount = (() => {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false
  const { dir, cleanup } = tempDir()
  const ok = mountTmpfs(dir, 'size=64k')
  if (ok) spawnSync('umount', [dir])
  cleanup()
  return ok
})()

describe('vault files on a hostile or failing file system', () => {
  let dir: string
  let path: string
  eachInTempDir((made) => void ((dir = made), (path = join(dir, 'vault.keyhold'))))

  describe('files Keyhold makes next to the vault', () => {
    it('never writes through a symlink planted at the lock file names', async () => {
      const victim = join(dir, 'victim.txt')
      writeFileSync(victim, 'precious')
      const stamp = await new VaultFile(path).write(Buffer.from('v1'), null)
      // The names earlier versions used, guessable from the pid.
      for (const name of [`vault.keyhold.lock.${process.pid}.tmp`, 'vault.keyhold.bak.tmp']) symlinkSync(victim, join(dir, name))
      await new VaultFile(path).write(Buffer.from('v2'), stamp)
      expect(readFileSync(victim, 'utf8')).toBe('precious')
      expect(readFileSync(path, 'utf8')).toBe('v2')
    })

    it('refuses a folder that others can write to, and accepts a sticky one when the vault is ours', async () => {
      const shared = join(dir, 'shared')
      mkdirSync(shared)
      chmodSync(shared, 0o777)
      const inShared = join(shared, 'vault.keyhold')
      const refused = await failure(Vault.create(inShared, PASSWORD, FAST_KDF))
      expect(refused.code).toBe('VAULT_FOLDER_UNSAFE')
      expect(refused.message).toContain(shared)
      expect(readdirSync(shared)).toEqual([])
      chmodSync(shared, 0o1777)
      const vault = await Vault.create(inShared, PASSWORD, FAST_KDF)
      await vault.mutate((db) => db.run('CREATE TABLE t (x)'))
      vault.close()
    })

    it('removes lock and backup temp files that killed processes left, once it has taken the lock', async () => {
      const file = new VaultFile(path)
      const stamp = await file.write(Buffer.from('v1'), null)
      const gone = deadPid()
      const left = [`vault.keyhold.lock.${gone}.tmp`, `vault.keyhold.lock.${gone}-0123456789ab.tmp`, `vault.keyhold.bak.${gone}-0123456789ab.tmp`, 'vault.keyhold.bak.tmp']
      const live = `vault.keyhold.lock.${process.ppid}-0123456789ab.tmp`
      const recent = `vault.keyhold.lock.${gone}-ba9876543210.tmp`
      const old = new Date(Date.now() - 11 * 60_000)
      for (const name of [...left, live]) {
        writeFileSync(join(dir, name), 'x')
        utimesSync(join(dir, name), old, old)
      }
      // Written a moment ago: a save on another machine sharing the folder may still be at it.
      writeFileSync(join(dir, recent), 'x')
      const next = new VaultFile(path)
      await next.write(Buffer.from('v2'), stamp)
      await next.settled()
      expect(readdirSync(dir).sort()).toEqual(['vault.keyhold', 'vault.keyhold.bak', live, recent].sort())
    })
  })

  describe('a symlinked vault path', () => {
    it('keeps a real .bak next to the real file, with the previous version, and no stray temp file', async () => {
      const realDir = join(dir, 'real')
      mkdirSync(realDir)
      const real = join(realDir, 'vault.keyhold')
      ;(await Vault.create(real, PASSWORD, FAST_KDF)).close()
      symlinkSync(real, path)
      const vault = await Vault.open(path, { password: PASSWORD })
      await vault.mutate((db) => db.run("CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('one')"))
      const previous = readFileSync(real)
      await vault.mutate((db) => db.run("INSERT INTO note VALUES ('two')"))
      vault.close()
      await vault.settled()
      expect(lstatSync(path).isSymbolicLink()).toBe(true)
      expect(lstatSync(`${real}.bak`).isFile()).toBe(true)
      expect(readFileSync(`${real}.bak`).equals(previous)).toBe(true)
      expect(readdirSync(realDir).sort()).toEqual(['vault.keyhold', 'vault.keyhold.bak'])
      expect(readdirSync(dir).sort()).toEqual(['real', 'vault.keyhold'])
      // The advice "restore it from its .bak copy" works: the backup opens on its own.
      const backup = await Vault.open(`${real}.bak`, { password: PASSWORD })
      expect(backup.read((db) => db.exec('SELECT text FROM note')[0]!.values)).toEqual([['one']])
      backup.close()
    })
  })

  describe('a symlink at the vault path', () => {
    it('refuses to create a vault through a link that points to nothing, and leaves both alone', async () => {
      const elsewhere = join(dir, 'elsewhere')
      mkdirSync(elsewhere)
      symlinkSync(join(elsewhere, 'planted'), path)
      expect(await failure(Vault.create(path, PASSWORD, FAST_KDF))).toMatchObject({
        code: 'NOT_A_VAULT',
        message: expect.stringContaining('symbolic link to a file that does not exist'),
      })
      expect(readdirSync(elsewhere)).toEqual([])
      expect(lstatSync(path).isSymbolicLink()).toBe(true)
    })

    it("refuses a link in a folder others can write to, though the vault's own folder is safe", async () => {
      const safe = join(dir, 'safe')
      const shared = join(dir, 'shared')
      mkdirSync(safe, { mode: 0o700 })
      mkdirSync(shared)
      const real = join(safe, 'vault.keyhold')
      const vault = await Vault.create(real, PASSWORD, FAST_KDF)
      vault.close()
      const link = join(shared, 'vault.keyhold')
      symlinkSync(real, link)
      chmodSync(shared, 0o777)
      const opened = await Vault.open(link, { password: PASSWORD })
      expect((await failure(opened.mutate((db) => db.run('CREATE TABLE t (x)')))).code).toBe('VAULT_FOLDER_UNSAFE')
      opened.close()
    })
  })

  describe('what is not a vault', () => {
    it('says NOT_A_VAULT, at once, for a folder, a named pipe and a file of another kind', async () => {
      const folder = join(dir, 'folder')
      mkdirSync(folder)
      const pipe = join(dir, 'pipe')
      expect(spawnSync('mkfifo', [pipe]).status).toBe(0)
      const text = join(dir, 'notes.txt')
      writeFileSync(text, 'client_secret=abc\n')
      const folderError = await failure(Vault.open(folder, { password: PASSWORD }))
      expect(folderError).toMatchObject({ code: 'NOT_A_VAULT', message: expect.stringContaining('is a folder') })
      expect(await failure(Vault.open(pipe, { password: PASSWORD }))).toMatchObject({ code: 'NOT_A_VAULT', message: expect.stringContaining('named pipe') })
      expect(await failure(Vault.create(pipe, PASSWORD, FAST_KDF))).toMatchObject({ code: 'NOT_A_VAULT' })
      const textError = await failure(Vault.open(text, { password: PASSWORD }))
      expect(textError).toMatchObject({ code: 'NOT_A_VAULT', message: expect.stringContaining(`${text} is not a Keyhold vault`) })
      expect(textError.message).not.toMatch(/restore|\.bak/)
      expect(readFileSync(text, 'utf8')).toBe('client_secret=abc\n')
      // A status check (the app's start) does not hang on the pipe either.
      expect((await new VaultService({ path: pipe, keyStore: new MemoryKeyStore() }).status()).state).toBe('locked')
    })
  })

  describe('sizes', () => {
    let original: Buffer
    beforeEach(async () => {
      const vault = await Vault.create(path, PASSWORD, FAST_KDF)
      vault.close()
      original = readFileSync(path)
    })

    it('declares the payload size in the header, and refuses a file longer than declared', async () => {
      const parsed = decodeVault(original)
      expect(parsed.minor).toBe(FORMAT_MINOR)
      expect(parsed.header.payloadBytes).toBe(parsed.ciphertext.length - 16)
      writeFileSync(path, Buffer.concat([original, Buffer.alloc(100)]))
      expect(await failure(Vault.open(path, { password: PASSWORD }))).toMatchObject({
        code: 'VAULT_CORRUPT',
        message: expect.stringContaining('100 bytes more than its header declares'),
      })
    })

    it('refuses a file over the largest vault size from its size alone, before reading it', async () => {
      // Sparse: the file system stores almost nothing, but reading it would take its full size in memory.
      truncateSync(path, MAX_VAULT_BYTES + 512 * 1024 * 1024)
      const rss = process.memoryUsage.rss()
      const refused = await failure(Vault.open(path, { password: PASSWORD }))
      expect(refused).toMatchObject({ code: 'VAULT_CORRUPT', message: expect.stringContaining('no Keyhold vault is over 1024 MiB') })
      expect(process.memoryUsage.rss() - rss).toBeLessThan(256 * 1024 * 1024)
    })

    it('still opens a format 1.0 file, whose header declares no size, and writes the current format from its next save', async () => {
      const salt = Buffer.alloc(16, 7)
      const dataKey = Buffer.alloc(32, 9)
      const kek = await deriveKey(PASSWORD, salt, FAST_KDF)
      const { nonce, sealed } = seal(kek, dataKey, Buffer.from('keyhold-slot:password:0123456789abcdef'))
      const header = { vaultId: '0123456789abcdef', kdf: FAST_KDF, salt, slots: [{ type: 'password' as const, nonce, wrapped: sealed }], payloadNonce: Buffer.alloc(12, 1) }
      const preamble = encodePreamble(header)
      preamble.writeUInt16BE(0, 10)
      createHash('sha256').update(preamble.subarray(0, preamble.length - 32)).digest().copy(preamble, preamble.length - 32)
      const db = await openDatabase()
      const image = Buffer.from(db.export())
      db.close()
      writeFileSync(path, Buffer.concat([preamble, sealWithNonce(dataKey, header.payloadNonce, image, preamble)]))
      expect(decodeVault(readFileSync(path))).toMatchObject({ minor: 0, header: { payloadBytes: undefined } })
      const vault = await Vault.open(path, { password: PASSWORD })
      await vault.mutate((d) => d.run('CREATE TABLE t (x)'))
      vault.close()
      expect(decodeVault(readFileSync(path)).minor).toBe(FORMAT_MINOR)
    })
  })

  describe.skipIf(!canMount)('a full or read-only disk (tmpfs)', () => {
    let mount: string
    beforeEach(() => {
      mount = join(dir, 'mnt')
      mkdirSync(mount)
    })
    afterEach(() => void spawnSync('umount', [mount]))

    it('says DISK_FULL when the disk fills during a save, and changes nothing', async () => {
      expect(mountTmpfs(mount, 'size=1536k,mode=0700')).toBe(true)
      const inMount = join(mount, 'vault.keyhold')
      const vault = await Vault.create(inMount, PASSWORD, FAST_KDF)
      await vault.mutate((db) => db.run("CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('kept')"))
      const [before, files] = [sha(inMount), readdirSync(mount).sort()]
      const full = await failure(vault.mutate((db) => db.run("INSERT INTO note SELECT hex(randomblob(400000))")))
      expect(full.code).toBe('DISK_FULL')
      expect(full.message).toContain(mount)
      expect(full.message).toContain('Nothing was changed')
      expect(sha(inMount)).toBe(before)
      expect(readdirSync(mount).sort()).toEqual(files)
      vault.close()
    })

    it('says FILE_ACCESS_DENIED, naming the folder, when the disk is read-only', async () => {
      expect(mountTmpfs(mount, 'size=1m,mode=0700')).toBe(true)
      const inMount = join(mount, 'vault.keyhold')
      const vault = await Vault.create(inMount, PASSWORD, FAST_KDF)
      expect(spawnSync('mount', ['-o', 'remount,ro', mount]).status).toBe(0)
      const refused = await failure(vault.mutate((db) => db.run('CREATE TABLE t (x)')))
      expect(refused).toMatchObject({ code: 'FILE_ACCESS_DENIED', message: expect.stringContaining('read-only') })
      expect(refused.message).toContain(mount)
      vault.close()
    })
  })

  it('says DISK_FULL and changes nothing when the disk fills during a save (injected at the file port)', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await vault.mutate((db) => db.run("CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('kept')"))
    const [before, files] = [sha(path), readdirSync(dir).sort()]
    // Every FileHandle shares this prototype: the first write of the save's temp file fails as on a full disk.
    const probe = await fsp.open(path, 'r')
    const handleProto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> }
    await probe.close()
    const spy = vi.spyOn(handleProto, 'write').mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))
    try {
      const full = await failure(vault.mutate((db) => db.run("INSERT INTO note VALUES ('lost')")))
      expect(full).toMatchObject({ code: 'DISK_FULL', message: expect.stringContaining(dir) })
      expect(full.message).toContain('Nothing was changed')
    } finally {
      spy.mockRestore()
    }
    expect(sha(path)).toBe(before)
    expect(readdirSync(dir).sort()).toEqual(files)
    vault.close()
  })

  describe('fileSystemError', () => {
    const errno = (code: string) => Object.assign(new Error(`${code}: raw`), { code })
    it.each([
      ['EACCES', 'FILE_ACCESS_DENIED', 'not allowed to write'],
      ['EPERM', 'FILE_ACCESS_DENIED', 'not allowed to write'],
      ['EMFILE', 'TOO_MANY_OPEN_FILES', 'Close some programs'],
      ['ENFILE', 'TOO_MANY_OPEN_FILES', 'Close some programs'],
      ['EDQUOT', 'DISK_FULL', 'quota'],
      ['EIO', 'FILE_SYSTEM_ERROR', 'EIO'],
    ])('turns %s while saving into %s, naming the folder and what to do', (code, expected, words) => {
      const error = fileSystemError(errno(code), { writing: '/v/vault.keyhold', folder: '/v' }) as KeyholdError
      expect(error).toBeInstanceOf(KeyholdError)
      expect(error.code).toBe(expected)
      expect(error.message).toContain(words)
      expect(error.message).toContain('/v')
      expect(error.message).not.toContain('raw')
      expect(error.message).not.toMatch(/restart Keyhold/)
    })

    it('leaves errors that are not the file system\'s alone', () => {
      const plain = new Error('boom')
      expect(fileSystemError(plain, { reading: '/v' })).toBe(plain)
    })
  })

  it('leaves the vault alone when a save is refused, whatever the fault', async () => {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    const before = sha(path)
    chmodSync(dir, 0o777)
    expect((await failure(vault.mutate((db) => db.run('CREATE TABLE t (x)')))).code).toBe('VAULT_FOLDER_UNSAFE')
    chmodSync(dir, 0o700)
    expect(sha(path)).toBe(before)
    expect(existsSync(`${path}.bak`)).toBe(false)
    vault.close()
  })
})
