import { z } from 'zod'
import { BROWSERS, type BrowserIntegration } from '../types/browser'
import { channel } from './define'

const browsers = z.array(z.enum(BROWSERS, { error: `The browser must be one of ${BROWSERS.join(', ')}.` })).max(BROWSERS.length).optional()

/** Settings > Browser integration: the native messaging host manifests for the Keyhold extension. */
export const browserChannels = {
  browserStatus: channel<BrowserIntegration>()('browser:status', z.strictObject({})),
  browserInstall: channel<BrowserIntegration>()('browser:install', z.strictObject({ browsers })),
  browserUninstall: channel<BrowserIntegration>()('browser:uninstall', z.strictObject({ browsers })),
} as const
