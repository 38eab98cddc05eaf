import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { runCli } from './program'
import { useSymmetric, useX25519 } from '../../src-shared/local-access/noise'
import { NODE_SYMMETRIC } from '../core/agent/node-symmetric'
import { NODE_X25519 } from '../core/agent/node-x25519'
import { runningAs } from './self'
import { useCollector, type Gc } from '../core/vault/cipher-garbage'

/**
 * The `keyhold` command: see `keyhold --help`. bin/keyhold.js loads this bundle and calls it;
 * `stdin` is what stands for standard input when the read path (read-path.ts) declined after
 * reading some of it: the same input again from its start.
 */
export function main(argv: string[] = process.argv.slice(2), { stdin = process.stdin }: { stdin?: NodeJS.ReadableStream } = {}): void {
  runningAs(process.argv[1])
  // Node's X25519 needs no warm-up (noble's builds tables on first use): see noise.ts.
  useX25519(NODE_X25519)
  useSymmetric(NODE_SYMMETRIC)
  // A command runs for well under a second, so sql.js's WebAssembly stays on Liftoff, V8's
  // baseline code. Tiering its hot functions up to TurboFan would compile on background
  // threads that compete with the command for the CPU, and Node waits for those compiles
  // before the process may exit (40-180 ms measured here); the faster code would come too late.
  // The agent and the native host run for hours: they keep V8's optimizing tier.
  if (!argv.includes('agent') && !argv.includes('native-host')) setFlagsFromString('--liftoff-only')
  // The app's core has `gc` (CoreHost starts its worker with it) to free each dead piece of
  // AES-GCM output as a vault is opened or saved (cipher-garbage.ts); the CLI makes one when a
  // command first does (a context made after the flag is set has `gc`).
  useCollector(() => {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as Gc
  })
  runCli(argv, { stdout: process.stdout, stderr: process.stderr, stdin, env: process.env }).then((status) => {
    process.exitCode = status
  })
}

export { runCli }

// `node out/cli/keyhold.cjs ARGS` runs it too.
if (require.main === module) main()
