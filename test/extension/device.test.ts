import { describe, expect, it } from 'vitest'
import { deviceClaim } from '../../extension/src/device'

const CHROMIUM_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'
const brands = (...names: string[]) => names.map((brand) => ({ brand }))

describe('deviceClaim: what the extension says about itself when it pairs', () => {
  it('Chromium on Linux, from the browser\'s brands and platform', () => {
    expect(deviceClaim({ userAgent: CHROMIUM_UA, userAgentData: { brands: brands('Chromium', 'Not.A/Brand'), platform: 'Linux' } }, '0.1.0')).toEqual({
      device: { name: 'Chromium on Linux', platform: 'chrome' },
      software: 'keyhold-extension/0.1.0',
      kind: 'extension',
    })
  })

  it('names Chrome, Edge and Brave by their brand; Edge is its own platform', () => {
    const claim = (names: string[], platform: string) => deviceClaim({ userAgent: CHROMIUM_UA, userAgentData: { brands: brands(...names), platform } }, '1.2.3').device
    expect(claim(['Chromium', 'Google Chrome'], 'macOS')).toEqual({ name: 'Chrome on macOS', platform: 'chrome' })
    expect(claim(['Chromium', 'Microsoft Edge'], 'Windows')).toEqual({ name: 'Edge on Windows', platform: 'edge' })
    expect(claim(['Chromium', 'Brave'], 'Linux')).toEqual({ name: 'Brave on Linux', platform: 'chrome' })
  })

  it('Firefox (no userAgentData) from its user agent; an unknown browser is "other"', () => {
    expect(deviceClaim({ userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0' }, '0.1.0').device).toEqual({ name: 'Firefox on macOS', platform: 'firefox' })
    expect(deviceClaim({ userAgent: 'Something/1.0' }, '0.1.0').device).toEqual({ name: 'Browser', platform: 'other' })
    expect(deviceClaim({ userAgent: 'Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile' }, '0.1.0').device).toEqual({ name: 'Chromium on Android', platform: 'chrome' })
  })
})
