import type { DeviceClaim } from '../../src-shared/local-access/messages'

/**
 * What the extension says about itself when it pairs (message 3, shown in Keyhold's dialog
 * "as the device says"): "Chromium on Linux", the browser family as the protocol's platform,
 * this extension's version and kind. Read from the browser's own description, never guessed
 * from a page.
 */

/** The parts of `navigator` it reads (userAgentData exists in Chromium only). */
export interface BrowserFacts {
  userAgent: string
  userAgentData?: { brands?: ReadonlyArray<{ brand: string }>; platform?: string }
}

const BRANDS: ReadonlyArray<[RegExp, string, DeviceClaim['device']['platform']]> = [
  [/^Microsoft Edge$/, 'Edge', 'edge'],
  [/^Brave$/, 'Brave', 'chrome'],
  [/^Opera$/, 'Opera', 'chrome'],
  [/^Vivaldi$/, 'Vivaldi', 'chrome'],
  [/^Google Chrome$/, 'Chrome', 'chrome'],
  [/^Chromium$/, 'Chromium', 'chrome'],
]

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/Windows/i, 'Windows'],
  [/mac ?os|Macintosh|Mac OS X/i, 'macOS'],
  [/CrOS|Chrome OS/i, 'ChromeOS'],
  [/Android/i, 'Android'],
  [/Linux|X11/i, 'Linux'],
]

export function deviceClaim(facts: BrowserFacts, version: string): DeviceClaim {
  const { name, platform } = browserOf(facts)
  const system = systemOf(facts)
  return {
    device: { name: system ? `${name} on ${system}` : name, platform },
    software: `keyhold-extension/${version}`.slice(0, 64),
    kind: 'extension',
  }
}

function browserOf(facts: BrowserFacts): { name: string; platform: DeviceClaim['device']['platform'] } {
  if (/Firefox\//.test(facts.userAgent)) return { name: 'Firefox', platform: 'firefox' }
  const brands = facts.userAgentData?.brands?.map((b) => b.brand) ?? []
  for (const [pattern, name, platform] of BRANDS) if (brands.some((brand) => pattern.test(brand))) return { name, platform }
  if (/Edg\//.test(facts.userAgent)) return { name: 'Edge', platform: 'edge' }
  if (/Chrom(e|ium)\//.test(facts.userAgent)) return { name: 'Chromium', platform: 'chrome' }
  return { name: 'Browser', platform: 'other' }
}

function systemOf(facts: BrowserFacts): string | null {
  const hint = facts.userAgentData?.platform
  for (const text of [hint, facts.userAgent])
    if (text) for (const [pattern, name] of SYSTEMS) if (pattern.test(text)) return name
  return null
}
