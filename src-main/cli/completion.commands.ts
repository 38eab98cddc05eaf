import { Argument, type Command, type Option } from 'commander'
import { version } from '../../package.json'
import type { CliContext } from './context'

/** The shells `keyhold completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

/**
 * What a value on the command line is, as far as completing it goes: one of a few words, a
 * file, a folder, a command to run, or free text (nothing to offer).
 */
export type ValueKind = { words: string[] } | 'file' | 'dir' | 'command' | 'text'

export interface OptionSpec {
  /** Its names as typed: `-i`, `--in-file`. */
  names: string[]
  description: string
  /** What its value is, or null for a flag that takes none. */
  value: ValueKind | null
}

/** One command as the completion scripts see it: what may follow it, read from commander. */
export interface CommandSpec {
  /** The command names from the program down: [] for `keyhold`, ['secret', 'add']. */
  path: string[]
  description: string
  commands: CommandSpec[]
  /** Its own options (each command's -h, --help among them); `globals` hold the program's. */
  options: OptionSpec[]
  /** What its first argument is, or null when it takes none. */
  operand: ValueKind | null
}

/** The placeholders of options and arguments (`<FILE>`) whose values are files, folders or commands. */
const PLACEHOLDER_KINDS: Record<string, ValueKind> = { FILE: 'file', PATH: 'file', TEMPLATE: 'file', DIR: 'dir', COMMAND: 'command' }

const oneLineText = (text: string) => text.split('\n')[0]!.replace(/\s+/g, ' ').trim()

function kindOf(placeholder: string | undefined, choices: readonly string[] | undefined): ValueKind {
  if (choices && choices.length > 0) return { words: [...choices] }
  return (placeholder && PLACEHOLDER_KINDS[placeholder.replace(/\.\.\.$/, '')]) || 'text'
}

function optionSpec(option: Option): OptionSpec {
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1]
  return {
    names: [option.short, option.long].filter((name): name is string => !!name),
    description: oneLineText(option.description),
    value: option.required || option.optional ? kindOf(placeholder, option.argChoices) : null,
  }
}

/**
 * The command tree as `--help` shows it (the same visible commands and options, the implicit
 * `help` commands included), so the scripts follow the program and never drift from it.
 */
export function commandSpec(command: Command, path: string[] = [], operand: ValueKind | null = operandOf(command)): CommandSpec {
  const help = command.createHelp()
  // What `help` completes: the visible commands only (not the hidden `secret clear-clipboard`).
  const names = help.visibleCommands(command).filter((c) => command.commands.includes(c)).map((c) => c.name())
  return {
    path,
    description: oneLineText(command.description()),
    // The implicit `help` command is not one of command.commands: its argument is one of them (`keyhold secret help add`).
    commands: help.visibleCommands(command).map((sub) => commandSpec(sub, [...path, sub.name()], command.commands.includes(sub) ? operandOf(sub) : { words: names })),
    options: help.visibleOptions(command).map(optionSpec),
    operand,
  }
}

/** What a command's first argument is, from its placeholder or its choices; null when it takes none. */
function operandOf(command: Command): ValueKind | null {
  const first = command.registeredArguments[0]
  return first ? kindOf(first.name().toUpperCase(), first.argChoices) : null
}

/** Every command of the tree, parents before children. */
function walk(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.commands.flatMap(walk)]
}

/** The program's options but help: commander takes them after any subcommand too. Each command has its own help. */
function globalsOf(root: CommandSpec): OptionSpec[] {
  return root.options.filter((o) => !o.names.includes('--help'))
}

/** The options a command takes that are not the program's. */
function ownOptions(spec: CommandSpec, globals: OptionSpec[]): OptionSpec[] {
  const global = new Set(globals.flatMap((o) => o.names))
  return spec.options.filter((o) => !o.names.some((n) => global.has(n)))
}

/** The kind as the scripts name it: `file`, `dir`, `command`, `text`, or `words:a b c`. */
const kindWord = (kind: ValueKind) => (typeof kind === 'string' ? kind : `words:${kind.words.join(' ')}`)

/** Single-quoted for sh-like shells (bash, zsh): `'` becomes `'\''`. */
const sq = (text: string) => `'${text.replace(/'/g, "'\\''")}'`
/** Single-quoted for fish, where `\` and `'` are escaped with `\`. */
const fq = (text: string) => `'${text.replace(/[\\']/g, '\\$&')}'`

const HEADER = (shell: Shell, load: string, install: string) => `# ${shell} completion for keyhold ${version}: its commands, subcommands and options.
# Printed by \`keyhold completion ${shell}\` from the program itself; print it again after upgrading.
# Load it in this shell:  ${load}
# Load it in every shell: ${install}`

/**
 * Both sh-like scripts share one walk over the words typed so far: options are skipped (with
 * the word after them when they take a value), a word that names a subcommand goes down the
 * tree, and anything else is an argument. After `--` every word is an argument (`keyhold run
 * -- COMMAND ARGS`). `_keyhold_kind PATH OPTION` sets `kind` to what the option's value is, or
 * to nothing for a flag.
 */
function kindCases(root: CommandSpec, globals: OptionSpec[]): string {
  const line = (patterns: string[], kind: ValueKind) => `    ${patterns.join('|')}) kind=${sq(kindWord(kind))} ;;`
  const cases: string[] = []
  for (const spec of walk(root))
    for (const option of ownOptions(spec, globals))
      if (option.value) cases.push(line(option.names.map((n) => sq(`${spec.path.join(' ')}|${n}`)), option.value))
  for (const option of globals) if (option.value) cases.push(line(option.names.map((n) => `*${sq(`|${n}`)}`), option.value))
  return cases.join('\n')
}

function bashScript(root: CommandSpec): string {
  const globals = globalsOf(root)
  const globalNames = globals.flatMap((o) => o.names)
  const specCases = walk(root).map((spec) => {
    const opts = [...ownOptions(spec, globals).flatMap((o) => o.names), ...globalNames]
    return `    ${sq(spec.path.join(' '))}) cmds=${sq(spec.commands.map((c) => c.path.at(-1)).join(' '))}; opts=${sq(opts.join(' '))}; operand=${sq(spec.operand ? kindWord(spec.operand) : 'text')} ;;`
  })
  return `${HEADER('bash', 'source <(keyhold completion bash)', 'keyhold completion bash > ~/.local/share/bash-completion/completions/keyhold')}

# Sets cmds (its subcommands), opts (its options and the program's) and operand (what its arguments are) for the command at path $1.
_keyhold_spec() {
  case "$1" in
${specCases.join('\n')}
    *) cmds=''; opts=''; operand=text ;;
  esac
}

# Sets kind to what the value of option $2 of the command at path $1 is: file, dir, command, text or words:W1 W2; empty for a flag.
_keyhold_kind() {
  case "$1|$2" in
${kindCases(root, globals)}
    *) kind='' ;;
  esac
}

# Fills COMPREPLY with the values of kind $1 that start with $cur (file names one a line: they may hold spaces).
_keyhold_values() {
  local IFS=$' \\t\\n'
  case "$1" in
    file) IFS=$'\\n'; COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
    dir) IFS=$'\\n'; COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null ;;
    command) COMPREPLY=($(compgen -c -- "$cur")) ;;
    words:*) COMPREPLY=($(compgen -W "\${1#words:}" -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
}

_keyhold() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" word kind cmds opts operand kh_path=''
  local i=1 dd=0 nargs=0
  COMPREPLY=()
  while [ "$i" -lt "$COMP_CWORD" ]; do
    word="\${COMP_WORDS[i]}"
    if [ "$dd" -gt 0 ]; then
      nargs=$((nargs + 1))
    elif [ "$word" = -- ]; then
      dd=$i
    elif [[ "$word" == -* ]]; then
      _keyhold_kind "$kh_path" "\${word%%=*}"
      if [ -n "$kind" ] && [[ "$word" != *=* ]]; then
        # Its value is the next word; bash splits --option=value into three words.
        i=$((i + 1))
        [ "\${COMP_WORDS[i]}" = = ] && i=$((i + 1))
        if [ "$i" -ge "$COMP_CWORD" ]; then
          [ "$cur" = = ] && cur=''
          _keyhold_values "$kind"
          return 0
        fi
      fi
    else
      _keyhold_spec "$kh_path"
      if [ "$nargs" -eq 0 ] && [[ " $cmds " == *" $word "* ]]; then
        kh_path="\${kh_path:+$kh_path }$word"
      else
        nargs=$((nargs + 1))
      fi
    fi
    i=$((i + 1))
  done
  _keyhold_spec "$kh_path"
  if [ "$dd" -gt 0 ]; then
    if [ "$operand" = command ] && [ "$nargs" -eq 0 ]; then _keyhold_values command; else _keyhold_values file; fi
  elif [[ "$cur" == -* ]]; then
    _keyhold_values "words:$opts"
  elif [ -n "$cmds" ] && [ "$nargs" -eq 0 ]; then
    _keyhold_values "words:$cmds"
  elif [ "$operand" = command ]; then
    # keyhold run COMMAND ARGS: a command, then its arguments (files, as a shell offers them).
    if [ "$nargs" -eq 0 ]; then _keyhold_values command; else _keyhold_values file; fi
  elif [ "$nargs" -eq 0 ] || [ "$operand" = file ] || [ "$operand" = dir ]; then
    _keyhold_values "$operand"
  fi
  return 0
}

complete -F _keyhold keyhold
`
}

function zshScript(root: CommandSpec): string {
  const globals = globalsOf(root)
  // _describe reads NAME:DESCRIPTION; a colon in the name would need escaping (commander names have none).
  const described = (name: string, description: string) => sq(`${name}:${description}`)
  const specCases = walk(root).map((spec) => {
    const opts = [...ownOptions(spec, globals), ...globals].flatMap((o) => o.names.map((n) => described(n, o.description)))
    const cmds = spec.commands.map((c) => described(c.path.at(-1)!, c.description))
    return `    (${sq(spec.path.join(' '))})\n      cmds=(${cmds.join(' ')})\n      opts=(${opts.join(' ')})\n      operand=${sq(spec.operand ? kindWord(spec.operand) : 'text')} ;;`
  })
  return `#compdef keyhold
${HEADER('zsh', 'source <(keyhold completion zsh)   (after compinit)', 'keyhold completion zsh > ~/.zfunc/_keyhold   (with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc)')}

# Sets cmds (NAME:DESCRIPTION of its subcommands), opts (its options and the program's) and operand (what its arguments are) for the command at path $1.
_keyhold_spec() {
  case "$1" in
${specCases.join('\n')}
    (*) cmds=(); opts=(); operand=text ;;
  esac
}

# Sets kind to what the value of option $2 of the command at path $1 is: file, dir, command, text or words:W1 W2; empty for a flag.
_keyhold_kind() {
  case "$1|$2" in
${kindCases(root, globals)}
    (*) kind='' ;;
  esac
}

# Offers the values of kind $1.
_keyhold_values() {
  case "$1" in
    (file) _files ;;
    (dir) _files -/ ;;
    (command) _command_names -e ;;
    (words:*) compadd -- \${=1#words:} ;;
  esac
}

_keyhold() {
  local -a cmds opts
  local cur="\${words[CURRENT]}" word kind operand kh_path=''
  integer i=2 dd=0 nargs=0
  while (( i < CURRENT )); do
    word="\${words[i]}"
    if (( dd )); then
      (( nargs++ ))
    elif [[ "$word" == -- ]]; then
      dd=$i
    elif [[ "$word" == -* ]]; then
      _keyhold_kind "$kh_path" "\${word%%=*}"
      if [[ -n "$kind" && "$word" != *=* ]]; then
        (( i++ ))
        if (( i >= CURRENT )); then
          _keyhold_values "$kind"
          return
        fi
      fi
    else
      _keyhold_spec "$kh_path"
      if (( nargs == 0 && \${cmds[(I)\${(b)word}:*]} )); then
        kh_path="\${kh_path:+$kh_path }$word"
      else
        (( nargs++ ))
      fi
    fi
    (( i++ ))
  done
  _keyhold_spec "$kh_path"
  if (( dd )); then
    if [[ "$operand" == command ]]; then
      # The command after --, completed as if typed on its own.
      shift $dd words
      (( CURRENT -= dd ))
      _normal
    else
      _files
    fi
  elif [[ "$cur" == --*=* ]]; then
    _keyhold_kind "$kh_path" "\${cur%%=*}"
    [[ -n "$kind" ]] && compset -P '*=' && _keyhold_values "$kind"
  elif [[ "$cur" == -* ]]; then
    _describe -t options 'keyhold option' opts
  elif (( \${#cmds} && nargs == 0 )); then
    _describe -t commands 'keyhold command' cmds
  elif [[ "$operand" == command ]]; then
    if (( nargs == 0 )); then _command_names -e; else _files; fi
  elif (( nargs == 0 )) || [[ "$operand" == (file|dir) ]]; then
    _keyhold_values "$operand"
  fi
}

if [[ "\${funcstack[1]}" == _keyhold ]]; then
  _keyhold "$@"
else
  compdef _keyhold keyhold
fi
`
}

/** How fish offers values of a kind, as flags of `complete` (the script turns file names off unless -F asks for them). */
function fishValues(kind: ValueKind): string {
  if (kind === 'file') return '-F'
  if (kind === 'dir') return "-a '(__fish_complete_directories)'"
  if (kind === 'command') return "-a '(__fish_complete_command)'"
  return kind === 'text' ? '' : `-a ${fq(kind.words.join(' '))}`
}

function fishScript(root: CommandSpec): string {
  const globals = globalsOf(root)
  const lines: string[] = []
  const complete = (condition: string | null, rest: string) => lines.push(`complete -c keyhold${condition === null ? '' : ` -n ${fq(condition)}`} ${rest}`.trimEnd())
  const optionLine = (condition: string | null, option: OptionSpec) => {
    const names = option.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ')
    // -r: the option takes a value; -x: and it is not a file name.
    const value = option.value === null ? '' : option.value === 'file' ? ' -r -F' : ` -x ${fishValues(option.value)}`
    complete(condition, `${names}${value.trimEnd()} -d ${fq(option.description)}`)
  }
  for (const option of globals) optionLine(null, option)
  const takesValue: string[] = []
  const commandCases: string[] = []
  for (const spec of walk(root)) {
    const at = `__keyhold_at ${fq(spec.path.join(' '))}`
    for (const command of spec.commands) complete(at, `-a ${fq(command.path.at(-1)!)} -d ${fq(command.description)}`)
    for (const option of ownOptions(spec, globals)) {
      optionLine(at, option)
      if (option.value) takesValue.push(...option.names.map((n) => fq(`${spec.path.join(' ')}|${n}`)))
    }
    if (spec.commands.length > 0) commandCases.push(`    case ${fq(spec.path.join(' '))}\n      printf '%s\\n' ${spec.commands.map((c) => fq(c.path.at(-1)!)).join(' ')}`)
    // Files and folders go on; a choice of words, or a command, is the first argument only (a command's arguments are files).
    const operand = spec.operand
    if (operand === 'file' || operand === 'dir') complete(at, fishValues(operand))
    else if (operand !== null && operand !== 'text') {
      complete(`${at}; and __keyhold_no_args`, fishValues(operand))
      if (operand === 'command') complete(`${at}; and not __keyhold_no_args`, '-F')
    }
  }
  for (const option of globals) if (option.value) takesValue.push(...option.names.map((n) => fq(`*|${n}`)))
  return `${HEADER('fish', 'keyhold completion fish | source', 'keyhold completion fish > ~/.config/fish/completions/keyhold.fish')}

# The subcommands of the command at path $argv[1].
function __keyhold_commands
  switch $argv[1]
${commandCases.join('\n')}
  end
end

# Whether option $argv[2] of the command at path $argv[1] takes a value.
function __keyhold_takes_value
  switch "$argv[1]|$argv[2]"
    case ${takesValue.join(' ')}
      return 0
  end
  return 1
end

# The path of the command being typed ("secret add"), then how many arguments follow it;
# options are skipped, with their values, and after -- every word is an argument.
function __keyhold_walk
  set -l tokens (commandline -opc)
  set -e tokens[1]
  set -l kh_path ''
  set -l nargs 0
  set -l skip 0
  set -l dd 0
  for token in $tokens
    if test $skip = 1
      set skip 0
    else if test $dd = 1
      set nargs (math $nargs + 1)
    else if test "$token" = --
      set dd 1
    else if string match -q -- '-*' $token
      if not string match -q -- '*=*' $token; and __keyhold_takes_value "$kh_path" $token
        set skip 1
      end
    else if test $nargs = 0; and contains -- $token (__keyhold_commands "$kh_path")
      set kh_path (string trim -- "$kh_path $token")
    else
      set nargs (math $nargs + 1)
    end
  end
  echo $kh_path
  echo $nargs
end

# Whether the command being typed is the one at path $argv[1].
function __keyhold_at
  set -l walked (__keyhold_walk)
  test "$walked[1]" = "$argv[1]"
end

# Whether no argument follows it yet.
function __keyhold_no_args
  set -l walked (__keyhold_walk)
  test "$walked[2]" = 0
end

complete -c keyhold -f
${lines.join('\n')}
`
}

/** The completion script for `shell`, made from the program it is given. */
export function completionScript(program: Command, shell: Shell): string {
  const root = commandSpec(program)
  return shell === 'bash' ? bashScript(root) : shell === 'zsh' ? zshScript(root) : fishScript(root)
}

/** `keyhold completion bash|zsh|fish`. */
export function registerCompletionCommands(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a script that completes keyhold\'s commands and options in bash, zsh or fish')
    .addArgument(new Argument('<SHELL>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  source <(keyhold completion bash)
  keyhold completion bash > ~/.local/share/bash-completion/completions/keyhold
  mkdir -p ~/.zfunc && keyhold completion zsh > ~/.zfunc/_keyhold
  keyhold completion fish > ~/.config/fish/completions/keyhold.fish`,
    )
    .action((shell: Shell) => ctx.write(completionScript(program, shell)))
}
