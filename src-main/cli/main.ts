import { runCli } from './program'

/** The `keyhold` command: see `keyhold --help`. bin/keyhold.js loads this bundle and calls it. */
export function main(argv: string[] = process.argv.slice(2)): void {
  runCli(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then((status) => {
    process.exitCode = status
  })
}

export { runCli }

// `node out/cli/keyhold.cjs ARGS` runs it too.
if (require.main === module) main()
