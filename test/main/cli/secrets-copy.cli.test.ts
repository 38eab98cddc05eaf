import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { beforeEach, describe, expect, it } from 'vitest'
import { createServices } from '../../../src-main/core/services'
import { MemoryKeyStore } from '../../fakes/memory.key-store'
import { initVault, keyhold, type CliResult } from '../../support/cli'
import { PASSWORD, eachInTempDir } from '../../support/vault'

/**
 * `keyhold secret copy` against a fake xclip first on PATH (the OS boundary): the fake keeps
 * the clipboard in a file and logs its arguments. The vault's clipboard delay is set to its
 * least, 5 s, so that the clear can be waited for.
 */
const FAKE_XCLIP = `#!/bin/sh
echo "$*" >> "$FAKE_CLIPBOARD.log"
case "$*" in
  *-out*) cat "$FAKE_CLIPBOARD" 2>/dev/null ;;
  *) cat > "$FAKE_CLIPBOARD.tmp" && mv "$FAKE_CLIPBOARD.tmp" "$FAKE_CLIPBOARD" ;;
esac
`
const DELAY_S = 5

describe.skipIf(process.platform === 'win32')('keyhold secret copy', () => {
  let dir: string
  let vault: string
  let clipboard: string
  let env: NodeJS.ProcessEnv
  eachInTempDir((made) => {
    dir = made
    vault = join(dir, 'cli.keyhold')
    clipboard = join(dir, 'clipboard')
    mkdirSync(join(dir, 'bin'))
    writeFileSync(join(dir, 'bin', 'xclip'), FAKE_XCLIP)
    chmodSync(join(dir, 'bin', 'xclip'), 0o755)
    env = { DISPLAY: ':99', PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_CLIPBOARD: clipboard }
  })
  beforeEach(async () => {
    expect(initVault(vault, PASSWORD).status).toBe(0)
    const services = createServices({ vaultPath: vault, keyStore: new MemoryKeyStore() })
    await services.vault.unlock({ password: PASSWORD })
    await services.settings.update({ clipboardClearSeconds: DELAY_S })
    services.vault.lock()
    await services.vault.locked()
    const added = run(['secret', 'add', '--name', 'Stripe payments', '--url', 'https://api.stripe.com', '--client-id', 'ci_COPY_1', '--identifier', 'stripe-prod', '--client-secret-stdin'], [
      'sk_COPY_SECRET_1',
    ])
    expect(added.status, added.stderr).toBe(0)
  })

  const run = (args: string[], lines: string[] = [], extra: NodeJS.ProcessEnv = env): CliResult =>
    keyhold(['--vault', vault, '--password-stdin', ...args], [PASSWORD, ...lines].join('\n') + '\n', extra)
  const held = () => (existsSync(clipboard) ? readFileSync(clipboard, 'utf8') : '')
  /** Waits until the clipboard holds `text`, or fails after `ms`. */
  const until = async (text: string, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end && held() !== text; ) await sleep(200)
    return held()
  }

  it('copies the client secret, returns at once, and clears the clipboard after the delay', async () => {
    const started = Date.now()
    const result = run(['secret', 'copy', 'stripe-prod'])
    expect(result).toMatchObject({ status: 0, stderr: '', stdout: `Copied the client secret of Stripe payments to the clipboard. It is cleared in ${DELAY_S} s if it still holds it.\n` })
    expect(Date.now() - started).toBeLessThan(DELAY_S * 1000)
    expect(held()).toBe('sk_COPY_SECRET_1')
    // SECURITY: the secret went through the program's standard input, never its arguments, nor the output.
    expect(readFileSync(`${clipboard}.log`, 'utf8')).not.toContain('sk_COPY')
    expect(result.stdout).not.toContain('sk_COPY')
    expect(await until('', (DELAY_S + 6) * 1000)).toBe('')
    const copied = JSON.parse(run(['--json', 'audit', 'list', '--event', 'secret.copied']).stdout) as Array<Record<string, unknown>>
    expect(copied).toMatchObject([{ event: 'secret.copied', actor: { type: 'cli' }, target: { type: 'secret', name: 'Stripe payments' }, detail: { field: 'clientSecret' } }])
  })

  it('copies the Client ID by name with --field client-id, and leaves a clipboard changed since alone', async () => {
    const result = run(['--json', 'secret', 'copy', 'Stripe payments', '--field', 'client-id'])
    expect(JSON.parse(result.stdout)).toEqual({ copied: 'clientId', id: expect.any(String), clearsAfterMs: DELAY_S * 1000 })
    expect(held()).toBe('ci_COPY_1')
    writeFileSync(clipboard, 'copied by the person since')
    await sleep((DELAY_S + 2) * 1000)
    expect(held()).toBe('copied by the person since')
  })

  it('refuses before asking for the master password when there is no clipboard', () => {
    const noPassword = (extra: NodeJS.ProcessEnv) => keyhold(['--vault', vault, '--password-stdin', 'secret', 'copy', 'stripe-prod'], '', extra)
    expect(noPassword({ PATH: process.env.PATH })).toMatchObject({
      status: 1,
      stderr: 'keyhold: NOT_FOUND: There is no clipboard here: neither WAYLAND_DISPLAY nor DISPLAY is set (no graphical session). Print the value instead with `keyhold secret get REF --field client-secret`.\n',
    })
    expect(noPassword({ DISPLAY: ':99', PATH: '/nonexistent' }).stderr).toMatch(/^keyhold: NOT_FOUND: No clipboard program was found on PATH: install xclip or xsel \(for X11\)/)
    expect(noPassword({ WAYLAND_DISPLAY: 'wayland-0', PATH: '/nonexistent' }).stderr).toMatch(/install wl-clipboard \(for Wayland\)/)
  })

  it('refuses a bad field, an unknown secret and a secret without a client secret, copying nothing', () => {
    expect(run(['secret', 'copy', 'stripe-prod', '--field', 'notes']).stderr).toBe('keyhold: INVALID_INPUT: --field must be client-secret or client-id.\n')
    expect(run(['secret', 'copy', 'nope']).stderr).toMatch(/^keyhold: NOT_FOUND: There is no API secret with that id, Identifier or name/)
    expect(run(['secret', 'add', '--name', 'No secret', '--url', 'https://n.example', '--client-id', 'n']).status).toBe(0)
    expect(run(['secret', 'copy', 'No secret']).stderr).toMatch(/^keyhold: NOT_FOUND: This API secret has no client secret to copy\./)
    expect(held()).toBe('')
  })
})
