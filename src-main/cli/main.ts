import { runCli } from './program'

/** The `keyhold` command: see `keyhold --help`. */
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then(
  (status) => {
    process.exitCode = status
  },
)
