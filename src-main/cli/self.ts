import { realpathSync } from 'node:fs'
import { KeyholdError } from '../../src-shared/errors'

let entry: string | undefined

/** Called by `main()`: this process runs as the keyhold command, from this script (bin/keyhold.js or the bundle). */
export function runningAs(script: string | undefined): void {
  entry = script ? realpathSync(script) : undefined
}

/**
 * The command line that starts keyhold again (Node, then this process's keyhold script), for the
 * work that outlives a command: `keyhold unlock`'s agent, `secret copy`'s clear, the browser's
 * native host. Only a process started as the keyhold command knows it: anywhere else (keyhold's
 * commands run inside a test runner or the app) the script Node ran is some other program,
 * which must never be started with keyhold's arguments.
 */
export function keyholdArgv(what: string): [string, string] {
  if (!entry) throw new KeyholdError('INTERNAL', `${what} works only in the keyhold command itself (run \`keyhold\` from a terminal).`)
  return [process.execPath, entry]
}

/** Like keyholdArgv, or undefined where keyhold is not its own process. */
export function keyholdArgvIfAny(): [string, string] | undefined {
  return entry ? [process.execPath, entry] : undefined
}
