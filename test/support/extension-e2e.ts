import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join, resolve } from 'node:path'
import { createServices } from '../../src-main/core/services'
import { MemoryKeyStore } from '../fakes/memory.key-store'

/** What the extension tests in Chromium and Firefox share: the vault's password, the agent, the login page. */
export const ROOT = resolve(__dirname, '../..')
export const PASSWORD = 'extension test password'

/** Sets the vault's clipboard delay as Keyhold's Settings does (there is no command for it). */
export async function setClipboardDelay(vault: string, seconds: number): Promise<void> {
  const services = createServices({ vaultPath: vault, keyStore: new MemoryKeyStore() })
  await services.vault.unlock({ password: PASSWORD })
  await services.settings.update({ clipboardClearSeconds: seconds })
  services.vault.lock()
}

/** A running `keyhold agent`, its output gathered as it comes; answers are typed on its stdin. */
export interface Agent {
  child: ChildProcessWithoutNullStreams
  err: () => string
  answer(line: string): void
}

export function startAgent(vault: string, env: NodeJS.ProcessEnv): Agent {
  const child = spawn(process.execPath, [join(ROOT, 'bin/keyhold.js'), '--vault', vault, '--password-stdin', 'agent'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env } })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  child.stdin.write(`${PASSWORD}\n`)
  return { child, err: () => err + out, answer: (line) => child.stdin.write(`${line}\n`) }
}

export async function until(predicate: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** The page a secret is filled into: two fields that count the input events they get. */
export const LOGIN_PAGE = `<!doctype html><title>Local test API</title>
<label>Client ID <input id="client-id"></label>
<label>Client secret <input id="client-secret" type="password"></label>
<script>
  for (const input of document.querySelectorAll('input'))
    input.addEventListener('input', () => (input.dataset.inputs = String(Number(input.dataset.inputs || 0) + 1)))
</script>`
