import { execFileSync } from 'node:child_process'

/** The extension's browser tests load the extension as it ships: built from the current source into out/extension (Chromium) and out/extension-firefox. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-extension.mjs'], { stdio: 'inherit' })
}
