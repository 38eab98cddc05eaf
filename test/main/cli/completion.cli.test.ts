import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { keyhold } from '../../support/cli'
import { eachInTempDir } from '../../support/vault'

const BIN = resolve(__dirname, '../../../bin/keyhold.js')
/** Defines `keyhold` in the shell as this checkout's command. */
const DEFINE_KEYHOLD = { sh: `keyhold() { "${process.execPath}" "${BIN}" "$@"; }`, fish: `function keyhold; "${process.execPath}" "${BIN}" $argv; end` }

/** Whether `shell` is installed (CI installs bash, zsh and fish: see .ci/run). */
const installed = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0

/** Single-quoted for bash, zsh and fish alike (none of the words tested holds a quote or a backslash). */
const quoted = (word: string) => `'${word}'`

/** Runs `script` in `shell` from `cwd`, with a throwaway home beside it, so the shell writes nothing of the user's. */
function runShell(shell: string, args: string[], script: string, cwd: string) {
  const home = join(cwd, '../home')
  mkdirSync(home, { recursive: true })
  const result = spawnSync(shell, [...args, script], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), TERM: 'dumb' },
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** The commands `keyhold ARGS --help` lists. */
function helpCommands(args: string[] = []): string[] {
  const help = keyhold([...args, '--help']).stdout
  const rest = help.slice(help.indexOf('\nCommands:\n') + '\nCommands:\n'.length)
  // Up to the blank line that ends the section (Examples follow).
  const section = rest.slice(0, rest.search(/\n\n|$/))
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!)
}

/**
 * Command lines to complete (the last word is the one being completed), from a folder holding
 * vault.keyhold, notes.txt and the folder sub/, and what each should offer (folders without
 * their trailing slash; a set: the order is the shell's).
 */
const CASES: Array<[string[], string[]]> = [
  [['keyhold', 'gen'], ['generate']],
  [['keyhold', 'app', ''], ['new', 'list', 'edit', 'revoke', 'help']],
  [['keyhold', 'app', 'help', 'r'], ['revoke']],
  [['keyhold', 'key', 'de'], ['deactivate']],
  [['keyhold', '--vault', 'vault.keyhold', '--json', 'aud'], ['audit']],
  [['keyhold', '--vault', 'v'], ['vault.keyhold']],
  [['keyhold', 'audit', 'export', '--f'], ['--format', '--force']],
  [['keyhold', 'generate', '--length', ''], []],
  [['keyhold', 'completion', ''], ['bash', 'zsh', 'fish']],
  [['keyhold', 'completion', 'bash', ''], []],
  [['keyhold', 'browser', 'install', '--dir', ''], ['sub']],
  [['keyhold', 'inject', '-i', 'n'], ['notes.txt']],
  [['keyhold', 'run', '--', 'nod'], ['node']],
]

/** What a shell offered for `words` is what CASES expects (for a command name, every command on the PATH with its prefix: node among them). */
function expectOffered(words: string[], offered: Set<string>, expected: string[]): void {
  if (words.includes('run')) expect([...offered], words.join(' ')).toEqual(expect.arrayContaining(expected))
  else expect(offered, words.join(' ')).toEqual(new Set(expected))
}

describe('keyhold completion', () => {
  let dir: string
  eachInTempDir((made) => void (dir = join(made, 'work')))
  beforeEach(() => {
    mkdirSync(dir)
    writeFileSync(join(dir, 'vault.keyhold'), '')
    writeFileSync(join(dir, 'notes.txt'), '')
    mkdirSync(join(dir, 'sub'))
  })

  it('refuses a shell it has no script for, naming it and the three it has (usage, exit 2)', () => {
    const result = keyhold(['completion', 'tcsh'])
    expect(result).toMatchObject({ status: 2, stdout: '' })
    expect(result.stderr).toBe("keyhold: usage: command-argument value 'tcsh' is invalid for argument 'SHELL'. Allowed choices are bash, zsh, fish. (see keyhold --help)\n")
    expect(keyhold(['completion']).stderr).toMatch(/^keyhold: usage: missing required argument 'SHELL'/)
  })

  it('lists every command of keyhold --help, as the program has them', () => {
    const script = keyhold(['completion', 'bash']).stdout
    const line = /^ {4}''\) cmds='([^']*)'/m.exec(script)
    expect(line?.[1]?.split(' ')).toEqual(helpCommands())
    expect(helpCommands()).toEqual(expect.arrayContaining(['generate', 'completion', 'secret', 'help']))
    // Hidden commands (the background half of secret copy, the agent's own) are offered nowhere, not even after `help`.
    for (const hidden of ['clear-clipboard', 'lock-vault', 'resolve-references']) expect(script).not.toMatch(new RegExp(`\\b${hidden}\\b`))
  })

  describe('bash', () => {
    it('loads in bash and registers a function for keyhold', () => {
      const result = runShell('bash', ['-c'], `${DEFINE_KEYHOLD.sh}; source <(keyhold completion bash) && complete -p keyhold`, dir)
      expect(result).toMatchObject({ status: 0, stdout: 'complete -F _keyhold keyhold\n', stderr: '' })
    })

    it('completes commands, subcommands, options and their values', () => {
      const script = [
        DEFINE_KEYHOLD.sh,
        'source <(keyhold completion bash) || exit 1',
        // The function bash would call, as `complete -p` names it.
        `fn=$(complete -p keyhold | sed -E 's/.*-F ([^ ]+).*/\\1/')`,
        't() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); "$fn"; printf "%s|" "${COMPREPLY[@]}"; echo; }',
        ...CASES.map(([words]) => `t ${words.map(quoted).join(' ')}`),
      ].join('\n')
      const result = runShell('bash', ['-c'], script, dir)
      expect(result.stderr).toBe('')
      const offered = result.stdout.trimEnd().split('\n').map((line) => new Set(line.split('|').filter(Boolean)))
      CASES.forEach(([words, expected], i) => expectOffered(words, offered[i]!, expected))
    })
  })

  describe.skipIf(!installed('zsh'))('zsh', () => {
    it('is valid zsh', () => {
      const result = runShell('zsh', ['-f', '-n', '-c'], keyhold(['completion', 'zsh']).stdout, dir)
      expect(result).toMatchObject({ status: 0, stderr: '' })
    })

    it('registers _keyhold with compinit, sourced or as a file on $fpath', () => {
      writeFileSync(join(dir, 'sub', '_keyhold'), keyhold(['completion', 'zsh']).stdout)
      const sourced = runShell('zsh', ['-f', '-c'], `${DEFINE_KEYHOLD.sh}; autoload -U compinit && compinit -u -D && source <(keyhold completion zsh) && print -r -- $_comps[keyhold]`, dir)
      expect(sourced).toMatchObject({ status: 0, stdout: '_keyhold\n', stderr: '' })
      const onFpath = runShell('zsh', ['-f', '-c'], 'fpath=(./sub $fpath); autoload -U compinit && compinit -u -D && print -r -- $_comps[keyhold]', dir)
      expect(onFpath).toMatchObject({ status: 0, stdout: '_keyhold\n', stderr: '' })
    })

    it('offers commands, options and values through zsh completion functions', () => {
      // Completion widgets run only in an interactive zle; the functions they would call
      // print what they were given instead, and words and CURRENT are set as zsh sets them.
      const script = [
        DEFINE_KEYHOLD.sh,
        'compdef() { :; }',
        'source <(keyhold completion zsh) || exit 1',
        // _describe's last argument names an array of NAME:DESCRIPTION.
        `_describe() { local name=\${@[-1]}; print -r -- "\${(j:|:)\${(@)\${(P@)name}%%:*}}" }`,
        'compadd() { shift; print -r -- "${(j:|:)@}" }',
        `_files() { print -r -- "<files$1>" }`,
        `_command_names() { print -r -- "<commands>" }`,
        `_normal() { print -r -- "<normal \${words[1]}>" }`,
        't() { words=("$@"); CURRENT=$#; local out="$(_keyhold)"; print -r -- "$out" }',
        ...CASES.map(([words]) => `t ${words.map(quoted).join(' ')}`),
      ].join('\n')
      const result = runShell('zsh', ['-f', '-c'], script, dir)
      expect(result.stderr).toBe('')
      const lines = result.stdout.trimEnd().split('\n')
      // zsh filters by the prefix itself (_describe, compadd and _files get every candidate), so
      // each case offers a superset of CASES's; a string is what the function called printed.
      const expected: Record<string, string[] | string | { includes: string[] }> = {
        'keyhold gen': helpCommands(),
        'keyhold app ': ['new', 'list', 'edit', 'revoke', 'help'],
        'keyhold app help r': ['new', 'list', 'edit', 'revoke'],
        'keyhold key de': helpCommands(['key']),
        'keyhold audit export --f': { includes: ['--format', '--out', '--force', '--vault', '--json', '-h', '--help'] },
        'keyhold --vault vault.keyhold --json aud': helpCommands(),
        'keyhold --vault v': '<files>',
        'keyhold generate --length ': '',
        'keyhold completion ': ['bash', 'zsh', 'fish'],
        'keyhold completion bash ': '',
        'keyhold browser install --dir ': '<files-/>',
        'keyhold inject -i n': '<files>',
        'keyhold run -- nod': '<normal nod>',
      }
      CASES.forEach(([words], i) => {
        const line = words.join(' ')
        const want = expected[line]
        if (typeof want === 'string') expect(lines[i], line).toBe(want)
        else if (Array.isArray(want)) expect(new Set(lines[i]!.split('|')), line).toEqual(new Set(want))
        else expect(lines[i]!.split('|'), line).toEqual(expect.arrayContaining(want!.includes))
      })
    })
  })

  describe.skipIf(!installed('fish'))('fish', () => {
    it('is valid fish', () => {
      const result = runShell('fish', ['--no-config', '-n', '-c'], keyhold(['completion', 'fish']).stdout, dir)
      expect(result).toMatchObject({ status: 0, stderr: '' })
    })

    it("completes commands, subcommands, options and their values in fish's own completion", () => {
      const script = [
        DEFINE_KEYHOLD.fish,
        'keyhold completion fish | source; or exit 1',
        // Each answer on one line: the candidates without their descriptions, joined by |.
        ...CASES.map(([words]) => `set -l offered (complete -C ${quoted(words.join(' '))} | string replace -r '\\t.*' ''); echo (string join '|' -- $offered)`),
      ].join('\n')
      const result = runShell('fish', ['--no-config', '-c'], script, dir)
      expect(result.stderr).toBe('')
      const lines = result.stdout.replace(/\n$/, '').split('\n')
      CASES.forEach(([words, expected], i) => expectOffered(words, new Set(lines[i]!.split('|').filter(Boolean).map((w) => w.replace(/\/$/, ''))), expected))
    })
  })
})
