/** The browsers Keyhold's extension can reach it from (native messaging). */
export const BROWSERS = ['chrome', 'chromium', 'edge', 'brave', 'firefox'] as const
export type Browser = (typeof BROWSERS)[number]

/** Settings > Browser integration: one row per browser. SECURITY: paths only. */
export interface BrowserHostStatus {
  browser: Browser
  name: string
  /** The host manifest's path. */
  manifest: string
  installed: boolean
  /** The manifest names this Keyhold's launcher, and the launcher exists. */
  ready: boolean
}

export interface BrowserIntegration {
  /** False when this Keyhold cannot start a host for browsers (a packaged build, for now). */
  available: boolean
  /** Why not, in words for people. */
  problem: string | null
  browsers: BrowserHostStatus[]
}
