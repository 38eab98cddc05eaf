import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyhold } from '../../support/cli'
import { tempDir } from '../../support/vault'

const ROOT = resolve(__dirname, '../../..')
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const MARK = '<!-- walkthrough: run by test/main/cli/readme.cli.test.ts -->'

/** The sh blocks of the README, with the line each starts on. */
function shBlocks(): Array<{ line: number; text: string }> {
  const blocks: Array<{ line: number; text: string }> = []
  for (const match of README.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) blocks.push({ line: README.slice(0, match.index).split('\n').length, text: match[1]! })
  return blocks
}

/** Words of one shell command line, quotes removed (enough for the README's examples). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!)
}

/** Each `keyhold ...` invocation in `text`: its words up to the end of that command (a pipe, `;`, `&&`, a redirection, a comment). */
function invocations(text: string): string[][] {
  const found: string[][] = []
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const words = shellWords(line.replace(/(^|\s)#.*$/, ''))
    for (let i = 0; i < words.length; i++) {
      if (words[i] !== 'keyhold') continue
      const command: string[] = []
      for (const word of words.slice(i + 1)) {
        if (['|', '&&', ';', '>', '>>', '<', '2>'].includes(word) || word.startsWith('>') || word === '--') break
        command.push(word)
      }
      found.push(command)
    }
  }
  return found
}

describe('the README', () => {
  let dir: string
  let cleanup: () => void
  let env: NodeJS.ProcessEnv

  beforeAll(() => {
    ;({ dir, cleanup } = tempDir())
    // `keyhold` on the PATH, as the README asks; its own agent folder and data folder.
    mkdirSync(join(dir, 'bin'))
    writeFileSync(join(dir, 'bin/keyhold'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/keyhold.js'))} "$@"\n`)
    chmodSync(join(dir, 'bin/keyhold'), 0o755)
    mkdirSync(join(dir, 'run'), { mode: 0o700 })
    mkdirSync(join(dir, 'work'))
    env = {
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      HOME: process.env.HOME,
      XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
      KEYHOLD_AGENT_DIR: join(dir, 'run'),
    }
  })
  afterAll(() => {
    // Whatever happened above, no agent from the walkthrough stays.
    keyhold(['--vault', join(dir, 'work/walkthrough.keyhold'), 'lock'], '', { KEYHOLD_AGENT_DIR: join(dir, 'run') })
    cleanup()
  })

  it('walkthrough runs as written with one vault, start to finish', () => {
    const start = README.indexOf(MARK)
    expect(start, 'the walkthrough block is marked').toBeGreaterThan(0)
    const block = /```sh\n([\s\S]*?)^```$/m.exec(README.slice(start))![1]!
    // From a file: with -c and its input a socket, bash takes itself for a remote shell and reads bashrc.
    writeFileSync(join(dir, 'walkthrough.sh'), block)
    const result = spawnSync('bash', ['-euo', 'pipefail', join(dir, 'walkthrough.sh')], { cwd: join(dir, 'work'), env, encoding: 'utf8', timeout: 120_000 })
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^Created vault .*walkthrough\.keyhold$/m)
    expect(result.stdout).toMatch(/^Unlocked\. keyhold agent/m)
    expect(result.stdout).toContain('STRIPE_KEY has 32 characters')
    expect(result.stdout).toMatch(/^All \d+ entries are intact/m)
    expect(result.stdout).toMatch(/Locked in keyhold agent\.\n$/)
    // What it wrote holds secrets: readable only by the person.
    expect(readFileSync(join(dir, 'work/config.yml'), 'utf8')).toBe('api_key: sk_test_4eC39HqLyjWDarjtT1zdp7dc\n')
    for (const file of ['config.yml', 'backup.json', 'walkthrough.keyhold']) expect(statSync(join(dir, 'work', file)).mode & 0o777, file).toBe(0o600)
    // The export holds the client secret generate made (40 characters), not the first one.
    const exported = JSON.parse(readFileSync(join(dir, 'work/backup.json'), 'utf8')) as { secrets?: Array<{ clientSecret: string }> } | Array<{ clientSecret: string }>
    const rows = Array.isArray(exported) ? exported : exported.secrets!
    expect(rows.map((r) => r.clientSecret.length)).toEqual([40])
  })

  it('every other keyhold example names commands and options that exist', () => {
    const helpOf = new Map<string, string>()
    const help = (path: string[]) => {
      const key = path.join(' ')
      if (!helpOf.has(key)) helpOf.set(key, keyhold([...path, '--help']).stdout)
      return helpOf.get(key)!
    }
    const subcommands = (path: string[]) =>
      [...(help(path).split(/^Commands:$/m)[1]?.split(/\n\s*\n/)[0] ?? '').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!)
    const checked: string[] = []
    for (const { line, text } of shBlocks()) {
      for (const words of invocations(text)) {
        const where = `README line ${line}: keyhold ${words.join(' ')}`
        // The command path: words that are subcommands, in order, skipping the program's options (and their values).
        const path: string[] = []
        for (let i = 0; i < words.length; i++) {
          const word = words[i]!
          if (['--vault', '--app-key', '--pairing'].includes(word)) i++
          else if (word.startsWith('-')) continue
          else if (subcommands(path).includes(word)) path.push(word)
          else break
        }
        if (words.length > 0 && !words.every((w) => w.startsWith('-'))) expect(path.length, `${where}: no such command`).toBeGreaterThan(0)
        const known = `${help([])}\n${help(path)}`
        for (const word of words) {
          const option = /^(--?[a-zA-Z][\w-]*)/.exec(word)?.[1]
          if (option && word.startsWith('-')) expect(known, `${where}: ${option}`).toMatch(new RegExp(`(^|[\\s,])${option}([\\s,=]|$)`, 'm'))
        }
        checked.push(where)
      }
    }
    // The README's examples cover most commands: a broken extraction would check next to nothing.
    expect(checked.length).toBeGreaterThan(30)
  })
})
