/**
 * The names the extension and Keyhold's native messaging host agree on. The host's manifest
 * allows only this extension's origin, and the id follows from manifest.json's `key`, so it
 * is the same on every machine that loads the extension. Keep both in step with
 * src-main/cli/native-host.ts.
 */

/** The native messaging host (`keyhold native-host`), as its host manifest names it. */
export const NATIVE_HOST_NAME = 'app.keyhold.native'

/** The extension's id in Chromium-based browsers, from the public key in manifest.json. */
export const CHROMIUM_EXTENSION_ID = 'alfgllhfncpkgilkajgdpecciinfhimm'

/** The origin Chromium passes to the host, as `allowed_origins` lists it. */
export const CHROMIUM_EXTENSION_ORIGIN = `chrome-extension://${CHROMIUM_EXTENSION_ID}/`

/** The extension's id in Firefox (`browser_specific_settings.gecko.id`, `allowed_extensions`). */
export const FIREFOX_EXTENSION_ID = 'extension@keyhold.app'
