import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodePreamble, imageEnd } from '../../../src-main/core/vault/format'
import { KDF_DEFAULT } from '../../../src-main/core/vault/kdf'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'

describe('keyhold init, info and passwd', () => {
  let dir: string
  let vault: string
  eachInTempDir((made) => void ((dir = made), (vault = join(dir, 'cli.keyhold'))))

  it('creates a vault with the given KDF parameters and shows them in info', () => {
    const init = initVault(vault, PASSWORD)
    expect(init).toMatchObject({ status: 0, stderr: '' })
    const info = keyhold(['--vault', vault, '--password-stdin', '--json', 'info'], `${PASSWORD}\n`)
    expect(info.status).toBe(0)
    const parsed = JSON.parse(info.stdout)
    expect(parsed).toMatchObject({
      formatVersion: '1.3',
      cipher: 'aes-256-gcm',
      kdf: { id: 'argon2id', memoryKiB: 19 * 1024, iterations: 2, lanes: KDF_DEFAULT.lanes },
      keySlots: ['password'],
    })
    expect(info.stdout).not.toContain(PASSWORD)
  })

  it('prints info for people without --json', () => {
    initVault(vault, PASSWORD)
    const info = keyhold(['--vault', vault, '--password-stdin', 'info'], `${PASSWORD}\n`)
    expect(info.stdout).toMatch(/KDF\s+Argon2id, 19 MiB, 2 iterations/)
  })

  it('takes the vault path from KEYHOLD_VAULT', () => {
    expect(keyhold(['--password-stdin', 'init', '--kdf-memory', '19', '--kdf-iterations', '2'], `${PASSWORD}\n`, { KEYHOLD_VAULT: vault }).status).toBe(0)
    expect(existsSync(vault)).toBe(true)
  })

  it('refuses to init over an existing vault with VAULT_EXISTS', () => {
    initVault(vault, PASSWORD)
    const before = readFileSync(vault)
    const again = initVault(vault, 'another password')
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/^keyhold: VAULT_EXISTS: .+\n$/)
    expect(readFileSync(vault).equals(before)).toBe(true)
  })

  it('refuses KDF parameters below the floor with INVALID_INPUT', () => {
    const low = keyhold(['--vault', vault, '--password-stdin', 'init', '--kdf-memory', '18', '--kdf-iterations', '2'], `${PASSWORD}\n`)
    expect(low.status).toBe(1)
    expect(low.stderr).toMatch(/^keyhold: INVALID_INPUT: .*19 MiB/)
    expect(keyhold(['--vault', vault, '--password-stdin', 'init', '--kdf-memory', '19', '--kdf-iterations', '1'], `${PASSWORD}\n`).status).toBe(1)
    expect(existsSync(vault)).toBe(false)
  })

  it('refuses a master password shorter than 8 characters', () => {
    const short = initVault(vault, 'short')
    expect(short.status).toBe(1)
    expect(short.stderr).toMatch(/^keyhold: INVALID_INPUT: .*at least 8/)
  })

  it('exits 1 with one line WRONG_PASSWORD for a wrong password', () => {
    initVault(vault, PASSWORD)
    const wrong = keyhold(['--vault', vault, '--password-stdin', 'info'], 'wrong password\n')
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(/^keyhold: WRONG_PASSWORD: [^\n]+\n$/)
    expect(wrong.stdout).toBe('')
  })

  it('exits 1 with VAULT_NOT_FOUND when there is no vault', () => {
    const missing = keyhold(['--vault', vault, '--password-stdin', 'info'], `${PASSWORD}\n`)
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/^keyhold: VAULT_NOT_FOUND: .*keyhold init/)
  })

  it('exits 1 with VAULT_CORRUPT for a damaged file', () => {
    initVault(vault, PASSWORD)
    const bytes = readFileSync(vault)
    // A byte of the image's tag (the catalog after it is the read path's: read-path.cli.test.ts).
    const { header, preambleEnd } = decodePreamble(bytes)
    bytes[imageEnd(header, preambleEnd)! - 5]! ^= 1
    writeFileSync(vault, bytes)
    expect(keyhold(['--vault', vault, '--password-stdin', 'info'], `${PASSWORD}\n`).stderr).toMatch(/^keyhold: VAULT_CORRUPT: /)
  })

  it('exits 2 on usage errors', () => {
    expect(keyhold(['frobnicate']).status).toBe(2)
    const badFlag = keyhold(['info', '--nope'])
    expect(badFlag.status).toBe(2)
    expect(badFlag.stderr).toMatch(/^keyhold: usage: /)
    initVault(vault, PASSWORD)
    expect(keyhold(['--vault', vault, '--password-stdin', 'info'], '').status).toBe(2)
  })

  it('refuses to prompt without a terminal and says how to pass the password', () => {
    initVault(vault, PASSWORD)
    const noTty = keyhold(['--vault', vault, 'info'])
    expect(noTty.status).toBe(2)
    expect(noTty.stderr).toContain('--password-stdin')
  })

  it('changes the master password with passwd (line 1 current, line 2 new)', () => {
    initVault(vault, PASSWORD)
    expect(keyhold(['--vault', vault, '--password-stdin', 'passwd'], `${PASSWORD}\nbrand new password\n`)).toMatchObject({ status: 0 })
    expect(keyhold(['--vault', vault, '--password-stdin', 'info'], `${PASSWORD}\n`).status).toBe(1)
    expect(keyhold(['--vault', vault, '--password-stdin', 'info'], 'brand new password\n').status).toBe(0)
    expect(existsSync(`${vault}.bak`)).toBe(true)
  })

  it('keeps the password when passwd gets a wrong current one', () => {
    initVault(vault, PASSWORD)
    const wrong = keyhold(['--vault', vault, '--password-stdin', 'passwd'], 'not it at all\nbrand new password\n')
    expect(wrong.status).toBe(1)
    expect(wrong.stderr).toMatch(/^keyhold: WRONG_PASSWORD/)
    expect(keyhold(['--vault', vault, '--password-stdin', 'info'], `${PASSWORD}\n`).status).toBe(0)
  })

  it('re-keys with passwd and with rekey: neither the vault nor its .bak opens with the old password', () => {
    initVault(vault, PASSWORD)
    const secret = keyhold(['--vault', vault, '--password-stdin', 'secret', 'add', '--name', 'Kept', '--url', 'https://k.example', '--client-id', 'c'], `${PASSWORD}\n`)
    expect(secret.status).toBe(0)
    const passwd = keyhold(['--vault', vault, '--password-stdin', 'passwd'], `${PASSWORD}\nthe new password 1\n`)
    expect(passwd).toMatchObject({ status: 0, stderr: '' })
    expect(passwd.stdout).toMatch(/Master password changed\. The vault is encrypted with a new key/)
    for (const file of [vault, `${vault}.bak`])
      expect(keyhold(['--vault', file, '--password-stdin', 'info'], `${PASSWORD}\n`).stderr).toMatch(/^keyhold: WRONG_PASSWORD: /)
    const before = readFileSync(vault)
    const rekey = keyhold(['--vault', vault, '--password-stdin', '--json', 'rekey'], 'the new password 1\n')
    expect(rekey).toMatchObject({ status: 0, stderr: '' })
    expect(JSON.parse(rekey.stdout)).toEqual({ rekeyed: true })
    expect(readFileSync(vault).equals(before)).toBe(false)
    const list = keyhold(['--vault', `${vault}.bak`, '--password-stdin', '--json', 'secret', 'list'], 'the new password 1\n')
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).toEqual(['Kept'])
    expect(keyhold(['--vault', vault, '--password-stdin', 'rekey'], `${PASSWORD}\n`).stderr).toMatch(/^keyhold: WRONG_PASSWORD: /)
  })

  it('says NOT_A_VAULT at once for a named pipe or a folder given as the vault, in info and init', () => {
    const pipe = join(dir, 'pipe')
    expect(spawnSync('mkfifo', [pipe]).status).toBe(0)
    for (const path of [pipe, dir]) {
      for (const args of [['info'], ['init', '--kdf-memory', '19', '--kdf-iterations', '2']]) {
        const result = keyhold(['--vault', path, '--password-stdin', ...args], `${PASSWORD}\n`)
        expect(result.status, `${path} ${args[0]}`).toBe(1)
        expect(result.stderr).toMatch(path === dir ? /^keyhold: NOT_A_VAULT: .* is a folder, not a vault file/ : /^keyhold: NOT_A_VAULT: .* is a named pipe/)
      }
    }
  })

  it.skipIf(process.getuid?.() !== 0)('says FILE_ACCESS_DENIED, naming the folder, when the user may not write there', () => {
    // A real EACCES: the command runs as nobody in a folder only root may write to.
    chmodSync(dir, 0o755)
    const folder = join(dir, 'roots')
    mkdirSync(folder, { mode: 0o755 })
    const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim())
    const result = spawnSync(process.execPath, [join(__dirname, '../../../bin/keyhold.js'), '--vault', join(folder, 'v.keyhold'), '--password-stdin', 'init', '--kdf-memory', '19', '--kdf-iterations', '2'], {
      input: `${PASSWORD}\n`,
      encoding: 'utf8',
      uid: id('-u'),
      gid: id('-g'),
      env: { PATH: process.env.PATH, HOME: dir },
      timeout: 60_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toBe(`keyhold: FILE_ACCESS_DENIED: Keyhold is not allowed to write to the folder ${folder}. Nothing was changed. Check that you own it or may write to it, or keep the vault in another folder.\n`)
    expect(readdirSync(folder)).toEqual([])
  })

  it('shows help with exit 0', () => {
    const help = keyhold(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('passwd')
  })
})
