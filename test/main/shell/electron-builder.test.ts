import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Configuration } from 'app-builder-lib'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'

const root = resolve(__dirname, '../../..')

describe('the electron-builder configuration', () => {
  let config: Configuration
  beforeAll(async () => {
    // Read exactly as `electron-builder` reads it: electron-builder.yml found in the project root.
    config = await getConfig(root, null, null)
  })

  it("is valid for electron-builder's own schema", async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add: () => {} } as never)).resolves.toBeUndefined()
  })

  it('names the app and packages only the built output, in an asar archive', () => {
    expect(config).toMatchObject({ appId: 'dev.keyhold.app', productName: 'Keyhold', asar: true })
    expect(config.files).toEqual([{ filter: ['out/**'] }])
  })

  it('builds an AppImage and a deb for Linux', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
  })

  it('flips the security fuses: no run-as-node, no NODE_OPTIONS, no inspector, asar only and integrity-checked', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    })
  })
})
