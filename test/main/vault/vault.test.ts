import { createHash } from 'node:crypto'
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeyholdError } from '../../../src-shared/errors'
import { Vault } from '../../../src-main/core/vault/vault'
import { one, run } from '../../../src-main/core/vault/database'
import { VaultFile } from '../../../src-main/core/vault/vault-file'
import { VaultService } from '../../../src-main/core/vault/vault.service'
import { addNote, codeOf, FAST_KDF, notes, PASSWORD, eachInTempDir, tempDir } from '../../support/vault'
import { decryptImage } from '../../support/vault-image'
import { MemoryKeyStore } from '../../fakes/memory.key-store'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('Vault', () => {
  let dir: string
  let path: string
  eachInTempDir((made) => void ((dir = made), (path = join(dir, 'vault.keyhold'))))

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
