import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NativeMessageReader } from '../../../src-main/cli/native-host'
import { keyhold } from '../../support/cli'
import { tempDir } from '../../support/vault'

describe('keyhold browser install|uninstall|status', () => {
  it('writes a launcher and one host manifest per browser, each naming the extension, then removes them', () => {
    const { dir, cleanup } = tempDir()
    try {
      const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') }
      const installed = keyhold(['--json', 'browser', 'install'], '', env)
      expect(installed).toMatchObject({ status: 0, stderr: '' })
      const { launcher, browsers } = JSON.parse(installed.stdout) as { launcher: string; browsers: Array<{ browser: string; manifest: string; ready: boolean }> }
      expect(browsers.map((b) => [b.browser, b.ready])).toEqual([
        ['chrome', true],
        ['chromium', true],
        ['edge', true],
        ['brave', true],
        ['firefox', true],
      ])
      const chromium = JSON.parse(readFileSync(join(dir, '.config/chromium/NativeMessagingHosts/app.keyhold.native.json'), 'utf8'))
      expect(chromium).toEqual({
        name: 'app.keyhold.native',
        description: expect.any(String),
        path: launcher,
        type: 'stdio',
        allowed_origins: ['chrome-extension://alfgllhfncpkgilkajgdpecciinfhimm/'],
      })
      const firefox = JSON.parse(readFileSync(join(dir, '.mozilla/native-messaging-hosts/app.keyhold.native.json'), 'utf8'))
      expect(firefox).toMatchObject({ path: launcher, allowed_extensions: ['extension@keyhold.app'] })
      expect(statSync(launcher).mode & 0o111).not.toBe(0)
      // The launcher starts this Keyhold's host, which refuses a caller that is not the extension.
      const started = spawnSync(launcher, ['chrome-extension://not-ours/'], { env: { PATH: process.env.PATH, HOME: dir } })
      const [answer] = new NativeMessageReader().push(started.stdout)
      expect(answer).toMatchObject({ relay: 1, error: { code: 'FORBIDDEN' } })

      expect(keyhold(['browser', 'status'], '', env).stdout).toMatch(/Chromium\s+ready\s/)
      expect(keyhold(['browser', 'uninstall'], '', env)).toMatchObject({ status: 0 })
      expect(existsSync(join(dir, '.config/chromium/NativeMessagingHosts/app.keyhold.native.json'))).toBe(false)
      expect(existsSync(launcher)).toBe(false)
      expect(keyhold(['browser', 'status', '--browser', 'firefox'], '', env).stdout).toMatch(/Firefox\s+not installed/)
    } finally {
      cleanup()
    }
  })

  it('--dir writes into a NativeMessagingHosts folder of the person\'s choice; --browser is checked', () => {
    const { dir, cleanup } = tempDir()
    try {
      const env = { HOME: dir }
      expect(keyhold(['browser', 'install', '--dir', join(dir, 'profile/NativeMessagingHosts')], '', env)).toMatchObject({ status: 0 })
      expect(existsSync(join(dir, 'profile/NativeMessagingHosts/app.keyhold.native.json'))).toBe(true)
      expect(keyhold(['browser', 'install', '--browser', 'netscape'], '', env)).toMatchObject({ status: 1, stderr: expect.stringMatching(/^keyhold: INVALID_INPUT: --browser must be one of chrome, chromium, edge, brave, firefox\./) })
    } finally {
      cleanup()
    }
  })
})
