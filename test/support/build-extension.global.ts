import { execFileSync } from 'node:child_process'

/** The extension's browser test loads the extension as it ships: built from the current source into out/extension. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-extension.mjs'], { stdio: 'inherit' })
}
