import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { IMPORT_MAX_BYTES } from '../../../src-main/cli/secrets.import'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
const HEADER = 'name,url,clientId,clientSecret\n'

describe('keyhold secret import files', () => {
  let dir: string
  let vault: string
  eachInTempDir((made) => void ((dir = made), (vault = join(dir, 'cli.keyhold'))))
  beforeEach(() => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
  })

  const importFile = (path: string) => keyhold(['--vault', vault, '--password-stdin', '--json', 'secret', 'import', path], `${PASSWORD}\n`)
  const file = (name: string, bytes: Buffer) => {
    const path = join(dir, name)
    writeFileSync(path, bytes)
    return path
  }

  it('refuses a file that is not UTF-8, naming the file and the line, and imports nothing', () => {
    const before = sha(vault)
    const bad = file('bad.csv', Buffer.concat([Buffer.from(`${HEADER}Stripe,https://x.example,c1,sk_live_`), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]))
    const result = importFile(bad)
    expect(result.stderr).toMatch(/^keyhold: INVALID_INPUT: \S*bad\.csv is not valid UTF-8 text \(line 2\)\. Save it as UTF-8/)
    expect(result.stderr).not.toContain('sk_live_')
    expect(sha(vault)).toBe(before)
  })

  it('refuses a file over the size limit by its size, before reading it', () => {
    const before = sha(vault)
    // Sparse: the size says too large, and no byte of it needs to be written or read.
    const large = file('large.json', Buffer.alloc(0))
    truncateSync(large, IMPORT_MAX_BYTES + 1)
    const result = importFile(large)
    expect(result.stderr).toMatch(/^keyhold: INVALID_INPUT: \S*large\.json is larger than 64 MiB, the most an import file can be\. Split it/)
    expect(sha(vault)).toBe(before)
  })

  it.skipIf(process.platform === 'win32')('refuses a named pipe as not a file, without waiting for a writer', () => {
    const fifo = join(dir, 'secrets.csv')
    execFileSync('mkfifo', [fifo])
    expect(importFile(fifo).stderr).toMatch(/^keyhold: INVALID_INPUT: \S*secrets\.csv is not a file\./)
  })

  it('imports a UTF-8 file that starts with a byte order mark, without the mark', () => {
    const withBom = (name: string, text: string) => file(name, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))
    const csv = importFile(withBom('bom.csv', `${HEADER}Café,https://x.example,c1,sk_é\n`))
    const json = importFile(withBom('bom.json', JSON.stringify([{ name: 'Crème', url: 'https://y.example', clientId: 'c2' }])))
    expect([csv.status, json.status]).toEqual([0, 0])
    const listed = JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'secret', 'list'], `${PASSWORD}\n`).stdout) as Array<{ name: string }>
    expect(listed.map((s) => s.name)).toEqual(['Café', 'Crème'])
  })
})
