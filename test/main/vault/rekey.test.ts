import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { run } from '../../../src-main/core/vault/database'
import { decodeVault } from '../../../src-main/core/vault/format'
import { Vault } from '../../../src-main/core/vault/vault'
import { VaultService } from '../../../src-main/core/vault/vault.service'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { codeOf, FAST_KDF, notes, PASSWORD, eachInTempDir, tempDir } from '../../support/vault'
import { dataKeyOf, decryptWith } from '../../support/vault-image'

const NEW_PASSWORD = 'a brand new password 42'


describe('re-keying a vault', () => {
  let dir: string
  let path: string
  eachInTempDir((made) => void ((dir = made), (path = join(dir, 'vault.keyhold'))))

  async function vaultWithTwoVersions(): Promise<Vault> {
    const vault = await Vault.create(path, PASSWORD, FAST_KDF)
    await vault.mutate((db) => db.run("CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('first')"))
    await vault.mutate((db) => run(db, "INSERT INTO note VALUES ('second')"))
    return vault
  }

  it('changes the data key with the password: the old key opens neither the vault nor its .bak', async () => {
    const vault = await vaultWithTwoVersions()
    const oldKey = await dataKeyOf(path, PASSWORD)
    expect(decryptWith(`${path}.bak`, oldKey)).not.toBeNull()
    await vault.changePassword(PASSWORD, NEW_PASSWORD)
    // As soon as the change resolves, not only once the clean-up after it is done.
    expect(readdirSync(dir).sort()).toEqual(['vault.keyhold', 'vault.keyhold.bak'])
    expect(statSync(`${path}.bak`).ino).not.toBe(statSync(path).ino)
    vault.close()
    expect(decryptWith(path, oldKey)).toBeNull()
    expect(decryptWith(`${path}.bak`, oldKey)).toBeNull()
    expect(await codeOf(Vault.open(path, { password: PASSWORD }))).toBe('WRONG_PASSWORD')
    expect(await codeOf(Vault.open(`${path}.bak`, { password: PASSWORD }))).toBe('WRONG_PASSWORD')
    // The .bak is the re-keyed version: it opens with the new password and holds everything.
    const backup = await Vault.open(`${path}.bak`, { password: NEW_PASSWORD })
    expect(notes(backup)).toEqual(['first', 'second'])
    backup.close()
    const reopened = await Vault.open(path, { password: NEW_PASSWORD })
    expect(notes(reopened)).toEqual(['first', 'second'])
    reopened.close()
  })

  it('rotates the data key and keeps the password; later saves keep the previous version as .bak again', async () => {
    const vault = await vaultWithTwoVersions()
    const oldKey = await dataKeyOf(path, PASSWORD)
    const oldSalt = decodeVault(readFileSync(path)).header.salt
    await vault.rekey(PASSWORD, null)
    const newKey = await dataKeyOf(path, PASSWORD)
    expect(newKey.equals(oldKey)).toBe(false)
    expect(decodeVault(readFileSync(path)).header.salt.equals(oldSalt)).toBe(false)
    expect(decryptWith(`${path}.bak`, oldKey)).toBeNull()
    const rekeyed = readFileSync(path)
    await vault.mutate((db) => run(db, "INSERT INTO note VALUES ('third')"))
    expect(readFileSync(`${path}.bak`).equals(rekeyed)).toBe(true)
    vault.close()
    await vault.settled()
    expect(readdirSync(dir).sort()).toEqual(['vault.keyhold', 'vault.keyhold.bak'])
    expect(statSync(`${path}.bak`).mode & 0o777).toBe(0o600)
  })

  it('keeps the old key and file when the re-keyed save fails', async () => {
    const vault = await vaultWithTwoVersions()
    const before = readFileSync(path)
    // Another program replaces the file: the re-key's save must refuse rather than overwrite it.
    const { writeFileSync } = await import('node:fs')
    await new Promise((r) => setTimeout(r, 10))
    writeFileSync(path, before)
    expect(await codeOf(vault.rekey(PASSWORD, null))).toBe('VAULT_CHANGED_ON_DISK')
    expect(readFileSync(path).equals(before)).toBe(true)
    // Still usable with the key it had: the next change is re-applied on top of the file on disk.
    await vault.mutate((db) => run(db, "INSERT INTO note VALUES ('after')"))
    vault.close()
    const reopened = await Vault.open(path, { password: PASSWORD })
    expect(notes(reopened)).toEqual(['first', 'second', 'after'])
    reopened.close()
  })

  it('needs the current password to change it', async () => {
    const vault = await vaultWithTwoVersions()
    const before = readFileSync(path)
    expect(await codeOf(vault.changePassword('not the password', NEW_PASSWORD))).toBe('WRONG_PASSWORD')
    expect(readFileSync(path).equals(before)).toBe(true)
    vault.close()
  })
})

describe('VaultService re-keying', () => {
  let dir: string
  let cleanup: () => void
  let path: string
  let keyStore: MemoryKeyStore
  let service: VaultService

  beforeEach(async () => {
    ;({ dir, cleanup } = tempDir())
    path = join(dir, 'vault.keyhold')
    keyStore = new MemoryKeyStore()
    service = new VaultService({ path, keyStore, kdf: FAST_KDF })
    await service.create({ password: PASSWORD, rememberOnDevice: true })
  })
  afterEach(() => {
    service.lock()
    cleanup()
  })

  it('gives a remembered device a new device key: the new one unlocks, the old one opens nothing', async () => {
    const id = service.vault().id
    const oldDeviceKey = Buffer.from(keyStore.entries.get(id)!, 'base64')
    const status = await service.changePassword({ current: PASSWORD, next: NEW_PASSWORD })
    expect(status).toMatchObject({ state: 'unlocked', rememberedOnDevice: true })
    expect(status.warning).toBeUndefined()
    expect(keyStore.entries.get(id)).not.toBe(oldDeviceKey.toString('base64'))
    expect(await codeOf(Vault.open(path, { deviceKey: oldDeviceKey }))).toBe('KEYCHAIN_UNAVAILABLE')
    service.lock()
    await service.locked()
    expect(await service.unlockWithDevice()).toMatchObject({ state: 'unlocked' })
  })

  it('rotates the key with the master password, which stays the same', async () => {
    const oldKey = await dataKeyOf(path, PASSWORD)
    expect(await codeOf(service.rotateKey({ password: 'wrong password!' }))).toBe('WRONG_PASSWORD')
    expect((await dataKeyOf(path, PASSWORD)).equals(oldKey)).toBe(true)
    await service.rotateKey({ password: PASSWORD })
    expect((await dataKeyOf(path, PASSWORD)).equals(oldKey)).toBe(false)
    service.lock()
    await service.locked()
    expect(await service.unlock({ password: PASSWORD })).toMatchObject({ state: 'unlocked', rememberedOnDevice: true })
  })

  it('drops the device slot, with a warning, when the keychain cannot take a new device key', async () => {
    keyStore.broken = true
    const status = await service.rotateKey({ password: PASSWORD })
    expect(status).toMatchObject({ state: 'unlocked', rememberedOnDevice: false, warning: { code: 'KEYCHAIN_UNAVAILABLE' } })
    expect(decodeVault(readFileSync(path)).header.slots.map((s) => s.type)).toEqual(['password'])
  })

  it('takes the old device key out of the keychain when the keychain refuses the new one', async () => {
    const id = service.vault().id
    const refusing = Object.assign(keyStore, { set: () => Promise.reject(new Error('keychain refused the write')) })
    const status = await service.rotateKey({ password: PASSWORD })
    expect(status.warning?.message).toMatch(/no longer remembered/)
    expect(refusing.entries.has(id)).toBe(false)
  })

  it('puts the old device key back in the keychain when the re-keyed save fails', async () => {
    const id = service.vault().id
    const oldEntry = keyStore.entries.get(id)
    const { writeFileSync } = await import('node:fs')
    await new Promise((r) => setTimeout(r, 10))
    writeFileSync(path, readFileSync(path))
    expect(await codeOf(service.rotateKey({ password: PASSWORD }))).toBe('VAULT_CHANGED_ON_DISK')
    expect(keyStore.entries.get(id)).toBe(oldEntry)
    service.lock()
    await service.locked()
    expect(await service.unlockWithDevice()).toMatchObject({ state: 'unlocked' })
  })
})
