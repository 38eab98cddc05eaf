import { spawn } from 'node:child_process'
import { createHash, timingSafeEqual } from 'node:crypto'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { KeyholdError } from '../../src-shared/errors'
import { keyholdArgvIfAny } from './self'
import type { Clipboard } from '../core/ports'

/**
 * The system clipboard for the CLI, behind the core's Clipboard port: Node has none, so it goes
 * through the desktop's clipboard program, as password managers on the command line do:
 * wl-copy/wl-paste (Wayland), xclip or xsel (X11), pbcopy/pbpaste (macOS), clip.exe and
 * PowerShell's Get-Clipboard (Windows). Tests put fake
 * programs of those names first on PATH: the only fake is at the OS boundary.
 */

/** A clipboard program and its arguments to write (text on stdin), read (text on stdout) and clear. */
export interface ClipboardTool {
  name: string
  write: string[]
  read: string[]
  /** null: clear by writing an empty text. */
  clear: string[] | null
  /** How the text is written to the program: UTF-8, or UTF-16LE after a byte-order mark (Windows' clip.exe, which reads anything else in the console's code page). */
  input?: 'utf8' | 'utf16le'
}

/**
 * Windows: clip.exe writes (UTF-16LE with a BOM is the one input it reads as Unicode; empty
 * input empties the clipboard), and PowerShell's Get-Clipboard reads, told to answer in UTF-8
 * and without a line break of its own. Both come with every Windows 10 and 11.
 */
const WINDOWS_READ = "[Console]::OutputEncoding=[Text.Encoding]::UTF8; $t = Get-Clipboard -Raw; if ($t) { [Console]::Out.Write($t) }"

/**
 * Windows' clipboard programs by their full paths: Windows looks in the current folder before
 * PATH, so a bare `clip.exe` could be one planted in a cloned repository, and be handed the secret.
 */
export function windowsTool(env: NodeJS.ProcessEnv): ClipboardTool {
  const root = (env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows').replace(/[\\/]+$/, '')
  const system32 = `${root}\\System32`
  return {
    name: 'clip',
    write: [`${system32}\\clip.exe`],
    read: [`${system32}\\WindowsPowerShell\\v1.0\\powershell.exe`, '-NoProfile', '-NonInteractive', '-Command', WINDOWS_READ],
    clear: null,
    input: 'utf16le',
  }
}

const TOOLS = {
  'wl-copy': { name: 'wl-copy', write: ['wl-copy', '--type', 'text/plain;charset=utf-8'], read: ['wl-paste', '--no-newline'], clear: ['wl-copy', '--clear'] },
  xclip: { name: 'xclip', write: ['xclip', '-selection', 'clipboard', '-in'], read: ['xclip', '-selection', 'clipboard', '-out'], clear: null },
  xsel: { name: 'xsel', write: ['xsel', '--clipboard', '--input'], read: ['xsel', '--clipboard', '--output'], clear: ['xsel', '--clipboard', '--clear'] },
  pbcopy: { name: 'pbcopy', write: ['pbcopy'], read: ['pbpaste'], clear: null },
} satisfies Record<string, ClipboardTool>

/** How long a clipboard program may take before it counts as failed (PowerShell can take seconds to start cold). */
const TOOL_TIMEOUT_MS = 15_000

const NO_CLIPBOARD_HINT = 'Print the value instead with `keyhold secret get REF --field client-secret`.'

/** Whether `program` is an executable file in one of PATH's folders. */
function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((folder) => {
    if (folder === '') return false
    try {
      accessSync(join(folder, program), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/**
 * The clipboard program of this session: Wayland's when WAYLAND_DISPLAY is set, else X11's when
 * DISPLAY is; pbcopy on macOS. NOT_FOUND, saying what to install, when there is none, so that
 * `secret copy` refuses before it asks for the master password.
 */
export function findClipboardTool(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): ClipboardTool {
  if (platform === 'darwin') return TOOLS.pbcopy
  if (platform === 'win32') return windowsTool(env)
  const wayland = !!env.WAYLAND_DISPLAY
  const x11 = !!env.DISPLAY
  if (!wayland && !x11)
    throw new KeyholdError('NOT_FOUND', `There is no clipboard here: neither WAYLAND_DISPLAY nor DISPLAY is set (no graphical session). ${NO_CLIPBOARD_HINT}`)
  if (wayland && onPath('wl-copy', env) && onPath('wl-paste', env)) return TOOLS['wl-copy']
  if (x11 && onPath('xclip', env)) return TOOLS.xclip
  if (x11 && onPath('xsel', env)) return TOOLS.xsel
  throw new KeyholdError(
    'NOT_FOUND',
    `No clipboard program was found on PATH: install ${wayland ? 'wl-clipboard (for Wayland)' : 'xclip or xsel (for X11)'}, then run the command again. ${NO_CLIPBOARD_HINT}`,
  )
}

/**
 * Runs `argv` with `input` on its standard input; resolves with its standard output when it
 * exits 0. SECURITY: the text goes through a pipe, never on a command line, and the program's
 * own messages are not read (they could echo it).
 */
function runTool(argv: string[], input: string, env: NodeJS.ProcessEnv, readOutput: boolean, encoding: ClipboardTool['input'] = 'utf8'): Promise<string> {
  return new Promise((resolve, reject) => {
    // xclip and wl-copy stay in the background to serve the copy: they must not hold our pipes,
    // and the copy is made when the program we started exits ('exit', not 'close').
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', readOutput ? 'pipe' : 'ignore', 'ignore'], windowsHide: true })
    const chunks: Buffer[] = []
    const timer = setTimeout(() => child.kill(), TOOL_TIMEOUT_MS)
    const failed = (why: string) => new KeyholdError('NOT_FOUND', `The clipboard program ${argv[0]} ${why}, so Keyhold could not reach the clipboard. ${NO_CLIPBOARD_HINT}`)
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(failed(error.code === 'ENOENT' ? 'was not found' : `could not be started (${error.code ?? 'error'})`))
    })
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk))
    const done = (code: number | null) => {
      clearTimeout(timer)
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'))
      else reject(failed(code === null ? 'did not answer in time' : `failed (exit status ${code})`))
    }
    if (readOutput) child.on('close', done)
    else child.on('exit', done)
    child.stdin!.on('error', () => undefined)
    child.stdin!.end(encodeInput(input, encoding))
  })
}

/** The bytes a clipboard program reads: UTF-8, or UTF-16LE after a BOM (nothing at all for an empty text, which clears). */
export function encodeInput(text: string, encoding: ClipboardTool['input'] = 'utf8'): Buffer {
  if (encoding === 'utf16le') return text === '' ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
  return Buffer.from(text, 'utf8')
}

/** SHA-256 of a copied text: what the clear compares, instead of keeping the text. */
export const digestOf = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** The Clipboard port over a clipboard program. */
export class SystemClipboard implements Clipboard {
  /** The digest of the last text written, for handing the clear to another process. */
  written: Buffer | null = null

  constructor(
    private readonly tool: ClipboardTool,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async readText(): Promise<string> {
    // A byte-order mark some programs write first is not part of the text.
    return (await runTool(this.tool.read, '', this.env, true)).replace(/^\uFEFF/, '')
  }

  async writeText(text: string): Promise<void> {
    await runTool(this.tool.write, text, this.env, false, this.tool.input)
    this.written = digestOf(text)
  }

  async clear(): Promise<void> {
    await (this.tool.clear ? runTool(this.tool.clear, '', this.env, false) : runTool(this.tool.write, '', this.env, false, this.tool.input))
  }
}

/**
 * Starts a keyhold process in the background that waits `afterMs`, then clears the clipboard
 * if it still holds the text whose SHA-256 is `digest` (`keyhold secret clear-clipboard`, given
 * the digest on its standard input), so `secret copy` returns at once. False when it could not
 * be started. SECURITY: the background process gets the digest only, never the text.
 */
export function handOffClear(digest: Buffer, afterMs: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => {
    const self = keyholdArgvIfAny()
    if (!self) return resolve(false)
    const child = spawn(self[0], [self[1], 'secret', 'clear-clipboard', '--after-ms', String(afterMs)], {
      env,
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    })
    child.on('error', () => resolve(false))
    child.on('spawn', () => {
      child.stdin!.on('error', () => undefined)
      child.stdin!.end(`${digest.toString('hex')}\n`, () => {
        child.unref()
        resolve(true)
      })
    })
  })
}

/** Clears `clipboard` if it holds the text whose SHA-256 is `digest`; leaves anything else, or a clipboard it cannot read, alone. */
export async function clearIfHolds(clipboard: Clipboard, digest: Buffer): Promise<boolean> {
  try {
    if (!timingSafeEqual(digestOf(await clipboard.readText()), digest)) return false
    await clipboard.clear()
    return true
  } catch {
    return false
  }
}
