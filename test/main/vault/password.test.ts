import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import type { z } from 'zod'
import { MASTER_PASSWORD_MAX, MASTER_PASSWORD_MIN, vaultChannels } from '../../../src-shared/ipc/vault.contract'
import { VaultService } from '../../../src-main/core/vault/vault.service'
import { FAST_KDF, eachInTempDir } from '../../support/vault'
import { MemoryKeyStore } from '../../fakes/memory.key-store'

const composed = (text: string) => text.normalize('NFC')
const decomposed = (text: string) => text.normalize('NFD')
const createInput = vaultChannels.vaultCreate.input
const unlockInput = vaultChannels.vaultUnlock.input
const problem = (result: z.ZodSafeParseResult<unknown>) => (result.success ? 'accepted' : result.error.issues.map((issue) => issue.message).join(' '))

describe('master password normalisation', () => {
  let dir: string
  eachInTempDir((made) => void (dir = made))

  it('unlocks, confirms and changes a vault created with a composed password when it is given decomposed', async () => {
    const service = new VaultService({ path: join(dir, 'vault.keyhold'), keyStore: new MemoryKeyStore(), kdf: FAST_KDF })
    const password = composed('Crème brûlée à côté')
    await service.create({ password, rememberOnDevice: false })
    service.lock()
    expect((await service.unlock({ password: decomposed(password) })).state).toBe('unlocked')
    await service.confirmPassword(decomposed(password))
    await service.changePassword({ current: decomposed(password), next: decomposed('Île de Ré, été') })
    service.lock()
    expect((await service.unlock({ password: composed('Île de Ré, été') })).state).toBe('unlocked')
    service.lock()
  })

  it('counts a password in its composed form for both bounds, however it was typed', () => {
    const create = (password: string) => problem(createInput.safeParse({ password, rememberOnDevice: false }))
    expect(create(decomposed('é'.repeat(MASTER_PASSWORD_MAX)))).toBe('accepted')
    expect(create(decomposed('é'.repeat(MASTER_PASSWORD_MAX + 1)))).toBe(`The master password can have at most ${MASTER_PASSWORD_MAX} characters.`)
    expect(create(decomposed('é'.repeat(MASTER_PASSWORD_MIN - 1)))).toBe(`The master password must have at least ${MASTER_PASSWORD_MIN} characters.`)
    expect(problem(unlockInput.safeParse({ password: decomposed('é'.repeat(MASTER_PASSWORD_MAX)) }))).toBe('accepted')
    expect(problem(unlockInput.safeParse({ password: 'x'.repeat(MASTER_PASSWORD_MAX + 1) }))).toBe(
      `The master password can have at most ${MASTER_PASSWORD_MAX} characters.`,
    )
  })

  it('refuses a text far too long to fit once composed without normalising it', () => {
    const normalize = vi.spyOn(String.prototype, 'normalize')
    try {
      expect(problem(unlockInput.safeParse({ password: 'x'.repeat(64 * 1024 * 1024) }))).toBe(
        `The master password can have at most ${MASTER_PASSWORD_MAX} characters.`,
      )
      expect(normalize).not.toHaveBeenCalled()
    } finally {
      normalize.mockRestore()
    }
  })

  it('refuses a password with a lone surrogate, which hashing would turn into U+FFFD', () => {
    const message = 'The master password has a character that is not valid text. Type it again.'
    expect(problem(createInput.safeParse({ password: 'long enough \uD800', rememberOnDevice: false }))).toBe(message)
    expect(problem(unlockInput.safeParse({ password: 'long enough \uDFFF' }))).toBe(message)
    expect(problem(createInput.safeParse({ password: 'long enough \uD83D\uDD11', rememberOnDevice: false }))).toBe('accepted')
  })
})
