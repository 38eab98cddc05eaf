import { execFileSync } from 'node:child_process'

/** The CLI tests run the real `keyhold` command, so it is bundled from the current source first. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' })
}
