import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActivityEntry } from '../../../src-shared/types/activity'
import { initVault, keyhold } from '../../support/cli'
import { PASSWORD, tempDir } from '../../support/vault'

const SECRET = 'sk_live_run_canary_5150'

/** `keyhold run` and `keyhold inject`: secrets into programs by reference, all resolved before anything runs or is written. */
describe('keyhold run and inject', () => {
  let dir: string
  let cleanup: () => void
  let vault: string
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => keyhold(['--vault', vault, '--password-stdin', ...args], `${PASSWORD}\n`, env)
  const sh = (script: string) => ['--', 'sh', '-c', script]

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    vault = join(dir, 'run.keyhold')
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const added = keyhold(['--vault', vault, '--password-stdin', 'secret', 'add', '--name', 'Stripe prod', '--url', 'https://api.stripe.com', '--client-id', 'cid_stripe', '--identifier', 'stripe', '--client-secret-stdin'], `${PASSWORD}\n${SECRET}\n`)
    expect(added.status).toBe(0)
  })
  afterAll(() => cleanup())

  it('starts the command with the secrets in its environment, masks a client secret in its output, and exits with its status', () => {
    const result = run(['run', '--env', 'STRIPE_KEY=keyhold://stripe/client-secret', '--env', 'CID=keyhold://stripe/client-id', ...sh('echo "key=$STRIPE_KEY cid=$CID"; echo "to stderr: $STRIPE_KEY" >&2; exit 3')])
    expect(result).toEqual({ status: 3, stdout: 'key=<concealed by keyhold> cid=cid_stripe\n', stderr: 'to stderr: <concealed by keyhold>\n' })
    // The value really is the secret: the command can use it (here, compare it).
    expect(run(['run', '--env', 'K=keyhold://stripe/client-secret', ...sh(`test "$K" = "${SECRET}" && echo same`)])).toMatchObject({ status: 0, stdout: 'same\n' })
    // Split across writes, it is masked all the same; --no-masking passes it through.
    expect(run(['run', '--env', 'K=keyhold://stripe/client-secret', ...sh('printf "%s" "${K%_5150}"; sleep 0.1; printf "_5150 and more\\n"')]).stdout).toBe('<concealed by keyhold> and more\n')
    expect(run(['run', '--no-masking', '--env', 'K=keyhold://stripe/client-secret', ...sh('echo "$K"')]).stdout).toBe(`${SECRET}\n`)
  })

  it('resolves references already in the environment and in an --env-file; plain values pass as they are; --env wins', () => {
    const envFile = join(dir, '.env')
    writeFileSync(envFile, '# for the dev server\nAPI_URL=keyhold://stripe/url\nPLAIN="just text"\nexport OVERRIDDEN=keyhold://stripe/client-id\n')
    const result = run(['run', '--no-masking', '--env-file', envFile, '--env', 'OVERRIDDEN=keyhold://stripe/identifier', ...sh('echo "$FROM_ENV|$API_URL|$PLAIN|$OVERRIDDEN"')], { FROM_ENV: 'keyhold://stripe/id' })
    expect(result.stderr).toBe('')
    const [fromEnv, url, plain, overridden] = result.stdout.trim().split('|')
    expect(fromEnv).toMatch(/^[0-9a-f-]{36}$/)
    expect([url, plain, overridden]).toEqual(['https://api.stripe.com', 'just text', 'stripe'])
  })

  it('refuses before running anything: a reference that does not resolve, a malformed one, no command', () => {
    const marker = join(dir, 'ran')
    const missing = run(['run', '--env', 'A=keyhold://nope/client-secret', '--env', 'B=keyhold://stripe/client-id', ...sh(`touch ${marker}`)])
    expect(missing).toMatchObject({
      status: 1,
      stdout: '',
      stderr: expect.stringMatching(/^keyhold: NOT_FOUND: A reference does not resolve, so nothing was run or written\. --env A: keyhold:\/\/nope\/client-secret: There is no API secret/),
    })
    expect(existsSync(marker)).toBe(false)
    expect(run(['run', '--env', 'A=keyhold://stripe/password', ...sh(`touch ${marker}`)])).toMatchObject({ status: 1, stderr: expect.stringMatching(/names the field "password", which a reference cannot name\. FIELD is one of client-secret, client-id/) })
    expect(run(['run', '--env', 'not a name=keyhold://stripe/url', '--', 'true'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/is not NAME=REF/) })
    expect(existsSync(marker)).toBe(false)
    expect(run(['run', '--', 'no-such-command-here'])).toMatchObject({ status: 127, stderr: 'keyhold: NOT_FOUND: The command "no-such-command-here" was not found. Check its name, or give its full path.\n' })
  })

  it('a command ended by a signal: 128 + its number', () => {
    expect(run(['run', ...sh('kill -TERM $$')]).status).toBe(143)
  })

  it('inject writes the template with every reference replaced (mode 0600), refuses to overwrite, and writes nothing when one does not resolve', () => {
    const template = join(dir, 'config.yml.tpl')
    const out = join(dir, 'config.yml')
    writeFileSync(template, 'stripe:\n  key: {{ keyhold://stripe/client-secret }}\n  url: {{keyhold://stripe/url}}\nleft: {{ not a reference }}\n')
    expect(run(['inject', '-i', template, '-o', out])).toMatchObject({ status: 0, stdout: '', stderr: '' })
    expect(readFileSync(out, 'utf8')).toBe(`stripe:\n  key: ${SECRET}\n  url: https://api.stripe.com\nleft: {{ not a reference }}\n`)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(run(['inject', '-i', template, '-o', out])).toMatchObject({ status: 1, stderr: expect.stringMatching(/already exists\. Choose another file, or add --force/) })
    expect(run(['inject', '-i', template]).stdout).toContain(`key: ${SECRET}`)
    const bad = join(dir, 'bad.tpl')
    writeFileSync(bad, 'a: {{ keyhold://stripe/url }}\nb: {{ keyhold://gone/client-secret }}\n')
    expect(run(['inject', '-i', bad, '-o', join(dir, 'never.yml')])).toMatchObject({ status: 1, stderr: expect.stringMatching(/bad\.tpl, line 2: keyhold:\/\/gone\/client-secret: There is no API secret/) })
    expect(existsSync(join(dir, 'never.yml'))).toBe(false)
  })

  it('each client secret given to a program is recorded as shown, by the CLI; never its value', () => {
    const entries = JSON.parse(keyhold(['--vault', vault, '--password-stdin', '--json', 'audit', 'list', '--event', 'secret.revealed', '--limit', '500'], `${PASSWORD}\n`).stdout) as ActivityEntry[]
    expect(entries.length).toBeGreaterThanOrEqual(5)
    expect(entries.every((e) => e.actor.type === 'cli' && e.target?.name === 'Stripe prod')).toBe(true)
    expect(JSON.stringify(entries)).not.toContain(SECRET)
  })
})
