import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { hostStatus, installHosts, manifestFolder, refreshLauncher, uninstallHosts, type HostCommand } from '../../../src-main/core/browser/native-hosts'
import { tempDir } from '../../support/vault'

const withHome = async (run: (home: string, command: HostCommand) => Promise<void>) => {
  const { dir, cleanup } = tempDir()
  try {
    await run(dir, { launcher: join(dir, 'data/native-host/keyhold-native-host'), argv: [process.execPath, '/opt/keyhold/bin/keyhold.js', 'native-host'] })
  } finally {
    cleanup()
  }
}

describe('native messaging host manifests', () => {
  it('ignores an empty or relative XDG_CONFIG_HOME, as the XDG spec says', () => {
    for (const XDG_CONFIG_HOME of ['', 'relative/config'])
      expect(manifestFolder('chromium', '/home/me', { XDG_CONFIG_HOME }, 'linux')).toBe('/home/me/.config/chromium/NativeMessagingHosts')
    expect(manifestFolder('chromium', '/home/me', { XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg/chromium/NativeMessagingHosts')
  })

  it('uninstalling one browser, even named five times, keeps the launcher the others use; the last one removes it', async () => {
    await withHome(async (home, command) => {
      await installHosts(command, ['chromium', 'firefox'], { home })
      await uninstallHosts(command, ['firefox', 'firefox', 'firefox', 'firefox', 'firefox'], { home })
      expect(existsSync(command.launcher)).toBe(true)
      expect((await hostStatus(command, ['chromium'], { home }))[0]).toMatchObject({ installed: true, ready: true })
      await uninstallHosts(command, ['chromium'], { home })
      expect(existsSync(command.launcher)).toBe(false)
    })
  })

  it('is not ready when the launcher runs another Keyhold or a program that is gone; refresh points it here again', async () => {
    await withHome(async (home, command) => {
      await installHosts(command, ['chromium'], { home })
      // The app moved: the launcher still runs the old place.
      const moved: HostCommand = { ...command, argv: [process.execPath, '/elsewhere/bin/keyhold.js', 'native-host'] }
      expect((await hostStatus(moved, ['chromium'], { home }))[0]).toMatchObject({ installed: true, ready: false })
      expect(await refreshLauncher(moved, { home })).toBe(true)
      expect(readFileSync(moved.launcher, 'utf8')).toContain("'/elsewhere/bin/keyhold.js'")
      expect((await hostStatus(moved, ['chromium'], { home }))[0]).toMatchObject({ ready: true })
      expect(await refreshLauncher(moved, { home })).toBe(false)

      // A program that no longer exists (an AppImage's mount after it quit) is not ready.
      const gone: HostCommand = { ...command, argv: [join(home, 'tmp/.mount_Keyhold/keyhold'), '--native-host'] }
      await installHosts(gone, ['chromium'], { home })
      expect((await hostStatus(gone, ['chromium'], { home }))[0]).toMatchObject({ installed: true, ready: false })
    })
  })

  it('refresh writes nothing when no browser has the manifest', async () => {
    await withHome(async (home, command) => {
      expect(await refreshLauncher(command, { home })).toBe(false)
      expect(existsSync(command.launcher)).toBe(false)
      writeFileSync(join(home, 'unrelated'), '')
    })
  })
})
