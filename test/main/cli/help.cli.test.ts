import { Readable, Writable } from 'node:stream'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src-main/cli/program'

/** `keyhold ARGS --help` run in this process: the help text. */
async function help(path: string[]): Promise<string> {
  let stdout = ''
  const status = await runCli([...path, '--help'], {
    stdout: new Writable({ write: (chunk, _encoding, done) => ((stdout += String(chunk)), done()) }),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stdin: Readable.from([]),
    env: { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME },
  })
  expect(status, path.join(' ')).toBe(0)
  return stdout
}

/** The lines of a help section ("Options:", "Commands:", "Examples:") up to the next blank line. */
function section(text: string, title: string): string[] {
  const start = text.indexOf(`\n${title}\n`)
  if (start < 0) return []
  const rest = text.slice(start + title.length + 2)
  return rest.slice(0, rest.search(/\n\n|$/)).split('\n')
}

/** The lines under "Examples:" (or "Example:", for one). */
const examples = (text: string) => [...section(text, 'Examples:'), ...section(text, 'Example:')]

interface Help {
  text: string
  commands: string[]
  /** Each option name, and whether it takes a value. */
  options: Map<string, boolean>
}

/** Every command's help, by path ('' for keyhold itself), found by following each Commands: list. */
async function allHelp(): Promise<Map<string, Help>> {
  const found = new Map<string, Help>()
  const visit = async (path: string[]) => {
    const text = await help(path)
    const commands = section(text, 'Commands:').flatMap((line) => /^ {2}([a-z][\w-]*)/.exec(line)?.[1] ?? [])
    const options = new Map<string, boolean>()
    for (const line of section(text, 'Options:')) {
      const match = /^ {2}(?:(-\w), )?(--[\w-]+)( [<[])?/.exec(line)
      if (!match) continue
      for (const name of [match[1], match[2]]) if (name) options.set(name, !!match[3])
    }
    found.set(path.join(' '), { text, commands, options })
    for (const command of commands) if (command !== 'help') await visit([...path, command])
  }
  await visit([])
  return found
}

/** A shell line's words: quotes kept together, $(...) one word (enough for the examples' shell). */
function words(line: string): string[] {
  return line.match(/\$\([^)]*\)|"[^"]*"|'[^']*'|[^\s'"]+/g) ?? []
}


describe('keyhold --help', () => {
  let helps: Map<string, Help>
  beforeAll(async () => void (helps = await allHelp()))

  it('ends with Examples for keyhold and every command and group', () => {
    const missing = [...helps.keys()].filter((path) => examples(helps.get(path)!.text).length === 0)
    expect(missing, 'commands whose --help has no Examples').toEqual([])
    expect(helps.size).toBeGreaterThan(40)
  })

  it('gives examples that name real commands and options', () => {
    const globals = helps.get('')!.options
    const problems: string[] = []
    for (const [where, { text }] of helps)
      for (const example of examples(text)) {
        // The keyhold command of each pipeline step, up to a redirection or a comment.
        for (const step of example.replace(/#.*/, '').split(/\s\|\s|;\s|&&/)) {
          const all = words(step)
          const start = all.indexOf('keyhold')
          if (start < 0) continue
          const rest = all.slice(start + 1)
          let path = ''
          for (let i = 0; i < rest.length; i++) {
            const word = rest[i]!
            if (word === '--' || word.startsWith('>')) break
            const here = helps.get(path)!
            if (word.startsWith('-')) {
              const name = word.split('=')[0]!
              const takes = here.options.get(name) ?? globals.get(name)
              if (takes === undefined) problems.push(`${where}: "${example.trim()}": ${name} is not an option of keyhold ${path}`)
              if (takes && !word.includes('=')) i++
            } else if (here.commands.includes(word) && helps.has(`${path} ${word}`.trim())) path = `${path} ${word}`.trim()
            else if (here.commands.length > 0 && word !== 'help') {
              problems.push(`${where}: "${example.trim()}": ${word} is not a command of keyhold ${path}`)
              break
            }
          }
        }
      }
    expect(problems).toEqual([])
  })
})
