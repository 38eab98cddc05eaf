import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCode } from '../../../src-shared/apps/authorization-code'
import { contract, type Method } from '../../../src-shared/ipc/contract'
import type { AppCreated, AppSummary } from '../../../src-shared/types/apps'
import type { Services } from '../../../src-main/core/services'
import { runCli } from '../../../src-main/cli/program'
import { createAppDispatch } from '../../../src-main/ipc/handlers'
import type { Dispatch } from '../../../src-main/ipc/handle'
import { PASSWORD, tempDir, unlockedServices } from '../../support/vault'

/** Every form in which a created key could leak: the code, compact or in lower case, the bare key, the URI, the QR. */
function leakForms(created: { code: string; uri: string; qr?: string }): string[] {
  const parsed = parseCode(created.code)
  if (!parsed.ok) throw new Error('bad code')
  const compact = created.code.replace(/-/g, '')
  const forms = [created.code, compact, compact.toLowerCase(), parsed.key, created.code.slice(0, 14), created.uri]
  // From the middle of the PNG: its first bytes (signature, size, the blank quiet zone) are the
  // same in every QR of this size, so a slice there matched other keys' codes by chance.
  if (created.qr) forms.push(created.qr.slice(created.qr.length >> 1, (created.qr.length >> 1) + 60))
  return forms
}

/** The keyhold command run in this process (same code as the bundle, without a Node start per call). */
async function keyhold(args: string[], input = ''): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk))
        done()
      },
    })
  const status = await runCli(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    stdin: Readable.from([input]),
    env: {},
  })
  return { status, stdout, stderr }
}

function expectNoLeak(text: string, forms: string[], where: string): void {
  for (const form of forms) expect(text.includes(form), `${where} shows the key (${form.length} chars)`).toBe(false)
}

describe('the authorization key cannot be read back', () => {
  describe('through IPC', () => {
    let services: Services
    let dispatch: Dispatch
    let cleanup: () => void
    let path: string
    let created: AppCreated[]
    let forms: string[]
    let wireForms: string[]

    beforeAll(async () => {
      ;({ services, cleanup, path } = await unlockedServices())
      dispatch = createAppDispatch(services)
      created = []
      for (const input of [
        { name: 'Phone', type: 'mobile' },
        { name: 'Browser', type: 'extension', expiresAt: '2099-01-01T00:00:00Z' },
      ]) {
        const result = await dispatch('apps:create', input)
        if (!result.ok) throw new Error(result.error.message)
        created.push(result.value as AppCreated)
      }
      await services.apps.recordUse(created[0]!.app.id, created[0]!.code)
      // The stored keyed hashes must not travel either.
      const hashes = services.vault
        .vault()
        .read((db) => db.exec('SELECT key_hash FROM apps')[0]!.values.map((r) => Buffer.from(r[0] as Uint8Array)))
      forms = created.flatMap(leakForms)
      wireForms = [...forms, ...hashes.flatMap((h) => [h.toString('hex'), h.toString('base64')])]
    })
    afterAll(() => cleanup())

    it('only the create call\'s own result carries it', () => {
      expect(JSON.stringify(created[0])).toContain(created[0]!.code)
      expect(JSON.stringify(created[0])).not.toContain(created[1]!.code)
    })

    it('no contract method returns it, whatever it is called with', async () => {
      const [phone, browser] = created.map((c) => c.app.id)
      const inputs: Partial<Record<Method, unknown[]>> = {
        vaultStatus: [{}],
        vaultCreate: [{ password: PASSWORD, rememberOnDevice: false }],
        vaultUnlock: [{ password: PASSWORD }],
        vaultUnlockWithDevice: [{}],
        vaultConfirmPassword: [{ password: PASSWORD }],
        vaultActivity: [{}],
        appsList: [{}, { filter: 'current' }, { filter: 'inactive' }, { filter: 'all' }],
        appsCreate: [{ name: 'Another', type: 'mobile' }],
        appsEdit: [{ id: phone, name: 'Renamed phone' }, { id: browser, expiresAt: null }],
        appsRevoke: [{ id: browser }, { id: browser }],
        // The key screen's copy puts the code on the clipboard, never in the answer.
        appsCopyCode: [{ handle: created[0]!.copyHandle }],
        appsForgetCode: [{ handle: created[0]!.copyHandle }],
        vaultChangePassword: [{ current: PASSWORD, next: `${PASSWORD} 2` }],
        vaultLock: [{}],
      }
      const last: Method[] = ['vaultChangePassword', 'vaultLock']
      const methods = (Object.keys(contract) as Method[]).sort((a, b) => Number(last.includes(a)) - Number(last.includes(b)) || last.indexOf(a) - last.indexOf(b))
      const called: string[] = []
      for (const method of methods) {
        // Methods of other features get both an empty and a plausible call shape; neither may leak.
        for (const input of inputs[method] ?? [{}, { id: phone }, { id: phone, filter: 'all' }]) {
          if (!services.vault.isUnlocked && method !== 'vaultLock') await services.vault.unlock({ password: PASSWORD })
          const result = await dispatch(contract[method].name, input)
          called.push(method)
          expectNoLeak(JSON.stringify(result), wireForms, contract[method].name)
          if (method === 'appsCreate') expect(result).toMatchObject({ ok: true })
          // (A copy may find its handle gone: a method before it locked and unlocked the vault, which drops handles.)
          if (method.startsWith('apps') && !['appsCreate', 'appsRevoke', 'appsCopyCode'].includes(method)) expect(result, method).toMatchObject({ ok: true })
        }
      }
      expect(new Set(called)).toEqual(new Set(Object.keys(contract)))
    })

    it('the vault stores only a keyed hash: no table cell and no byte of the file holds it', async () => {
      await services.vault.unlock({ password: `${PASSWORD} 2` })
      const cells = services.vault.vault().read((db) => {
        const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]!.values.map((r) => String(r[0]))
        return tables.flatMap((table) =>
          (db.exec(`SELECT * FROM "${table}"`)[0]?.values ?? []).flat().map((v) =>
            v instanceof Uint8Array ? `${Buffer.from(v).toString('hex')} ${Buffer.from(v).toString('base64')} ${Buffer.from(v).toString('latin1')}` : String(v),
          ),
        )
      })
      expect(cells.length).toBeGreaterThan(0)
      expectNoLeak(cells.join('\n'), forms, 'the database')
      expectNoLeak(readFileSync(path).toString('latin1'), forms, 'the vault file')
      const hashes = services.vault.vault().read((db) => db.exec('SELECT key_hash FROM apps')[0]!.values.map((r) => Buffer.from(r[0] as Uint8Array)))
      expect(hashes.every((h) => h.length === 32)).toBe(true)
    })
  })

  describe('through the keyhold command', () => {
    let dir: string
    let cleanup: () => void
    let vault: string

    beforeAll(async () => {
      ;({ dir, cleanup } = tempDir())
      vault = join(dir, 'readback.keyhold')
      expect((await keyhold(['--vault', vault, '--password-stdin', 'init', '--kdf-memory', '19', '--kdf-iterations', '2'], `${PASSWORD}\n`)).status).toBe(0)
    })
    afterAll(() => cleanup())

    /** Command paths from `keyhold --help`, recursively: every command, present and future. */
    async function commands(prefix: string[] = []): Promise<string[][]> {
      const help = (await keyhold([...prefix, '--help'])).stdout
      // Only the Commands section: it ends at the first blank line (the Examples after it also start with two spaces).
      const section = help.split(/^Commands:$/m)[1]?.split(/\n\s*\n/)[0]
      if (!section) return [prefix]
      const names = [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help')
      return (await Promise.all(names.map((name) => commands([...prefix, name])))).flat()
    }

    it('no command prints it, except the one `app new` that created it', async () => {
      const newJson = await keyhold(['--vault', vault, '--password-stdin', '--json', 'app', 'new', '--name', 'Phone', '--type', 'mobile'], `${PASSWORD}\n`)
      const phone = JSON.parse(newJson.stdout) as { id: string; code: string; uri: string }
      const human = (await keyhold(['--vault', vault, '--password-stdin', 'app', 'new', '--name', 'Browser', '--type', 'extension'], `${PASSWORD}\n`)).stdout
      const browser = { id: /revoke ([0-9a-f-]{36})/.exec(human)![1]!, code: /Or enter this code: (\S+)/.exec(human)![1]! }
      const forms = [...leakForms(phone), ...leakForms({ ...browser, uri: browser.code })]
      expectNoLeak(human, leakForms(phone), 'the second app new')

      const all = await commands()
      expect(all).toEqual(expect.arrayContaining([['app', 'new'], ['app', 'list'], ['app', 'edit'], ['app', 'revoke'], ['info'], ['unlock'], ['run'], ['inject'], ['secret', 'copy']]))
      expect(all.every((path) => path.length <= 2 && path[0] !== 'keyhold'), 'the walk stays in the help\'s command lists').toBe(true)
      const args: Record<string, string[][]> = {
        'app new': [['--name', 'Third', '--type', 'mobile']],
        'app list': [[]],
        'app edit': [[phone.id, '--name', 'Renamed'], [browser.id, '--expires', '2099-01-01T00:00:00Z']],
        'app revoke': [[browser.id]],
        init: [['--kdf-memory', '19', '--kdf-iterations', '2']],
        // The agent serves until stopped: only its refusal of a bad option runs here (test/main/agent has it serving).
        agent: [['--lock-after', '0']],
        // With nothing serving the vault, connect fails: its error must not quote the code either.
        connect: [['--code', phone.code], ['--code', phone.uri]],
        // Never the person's own browser profiles.
        'browser install': [['--dir', join(dir, 'hosts')]],
        'browser uninstall': [['--dir', join(dir, 'hosts')]],
        // The host waits for the browser: run only its refusal of a caller that is not the extension.
        'native-host': [['chrome-extension://not-ours/']],
        // Run here, inside the test runner, it must refuse to start a background keyhold (the
        // script Node ran is vitest's); test/main/cli/terminal.cli.test.ts has it for real.
        unlock: [[]],
      }
      for (const command of all) {
        for (const extra of args[command.join(' ')] ?? [[], [phone.id]]) {
          for (const json of [[], ['--json']]) {
            const result = await keyhold(['--vault', vault, '--password-stdin', ...json, ...command, ...extra], `${PASSWORD}\n`)
            expectNoLeak(result.stdout + result.stderr, forms, `keyhold ${command.join(' ')}`)
            if (command.join(' ') === 'app list') expect(result).toMatchObject({ status: 0, stderr: '' })
            if (command.join(' ') === 'unlock') expect(result.stderr + result.stdout).toContain('works only in the keyhold command itself')
          }
        }
      }
      const listed = JSON.parse((await keyhold(['--vault', vault, '--password-stdin', '--json', 'app', 'list'], `${PASSWORD}\n`)).stdout) as AppSummary[]
      expect(listed.map((a) => a.name).sort()).toEqual(['Browser', 'Renamed', 'Third', 'Third'])
    })
  })
})
