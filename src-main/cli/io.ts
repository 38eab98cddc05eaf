import { createInterface } from 'node:readline'
import { KeyholdError } from '../../src-shared/errors'

/** A usage error: exit status 2, as for a bad flag. */
export class UsageError extends Error {}

/** A line a command reads from standard input (or a hidden prompt): how it is named, and its bound. */
export interface InputLine {
  /** How messages name it: "the master password". */
  what: string
  /** The most characters it may have, as `length` counts them. */
  max: number
  /** How its rule counts characters; by default UTF-16 units, as the contract's schemas do. */
  length?: (text: string) => number
}

/**
 * UTF-8 bytes a character can take however a line counts characters (NFC composes up to
 * 4 UTF-16 units into one, each at most 3 bytes): a line read past max times this is over
 * its bound without decoding it.
 */
const MAX_BYTES_PER_CHARACTER = 12
const LF = 0x0a
const CR = 0x0d

/**
 * What StdinLines reads: standard input, or what stands for it (the read path's recording of
 * it, and the replay it hands the whole CLI: read-path.ts). `ref`/`unref` as a socket's.
 */
export interface LineSource {
  [Symbol.asyncIterator](): AsyncIterator<Buffer | string>
  ref?(): void
  unref?(): void
}

/**
 * Standard input as lines, read lazily and shared by every consumer: with `--password-stdin`
 * line 1 is the master password and later lines are the command's own secrets (a new
 * password, a client secret, a token), in the order the command documents. Only the lines
 * taken are read, each bounded in bytes as it is read, and standard input keeps the process
 * alive only while a line is awaited: what a command does not need is never read.
 */
export class StdinLines {
  private chunks: AsyncIterator<Buffer | string> | undefined
  private rest: Buffer = Buffer.alloc(0)
  private ended = false
  private taken = 0

  constructor(private readonly stream: LineSource = process.stdin) {}

  /**
   * The next line, without its line ending, decoded as UTF-8 and within its bound. UsageError
   * when standard input has no more lines; INVALID_INPUT for a line too long or not UTF-8.
   * SECURITY: strict decoding: replacing invalid bytes with U+FFFD would make different
   * passwords open the same vault, and store a client secret other than the one given.
   */
  async take(line: InputLine): Promise<string> {
    const number = this.taken + 1
    const bytes = await this.readLine(line.max * MAX_BYTES_PER_CHARACTER)
    if (bytes === undefined) throw new UsageError(`expected ${line.what} on line ${number} of standard input`)
    this.taken++
    if (bytes === 'too long') throw tooLong(line, number)
    // One byte order mark at the start of the whole input, as Windows tools write it.
    const text = decodeUtf8(bytes, { stripBom: number === 1 })
    if (text === undefined)
      throw new KeyholdError(
        'INVALID_INPUT',
        `Line ${number} of standard input (${line.what}) is not valid UTF-8 text. Send it as UTF-8 (for example through iconv -t UTF-8) and run the command again.`,
      )
    checkLength(line, text, number)
    return text
  }

  /** The bytes of the next line; undefined at the end of input, 'too long' once past maxBytes. */
  private async readLine(maxBytes: number): Promise<Buffer | 'too long' | undefined> {
    const parts: Buffer[] = []
    let size = 0
    for (;;) {
      const end = this.rest.indexOf(LF)
      const part = end < 0 ? this.rest : this.rest.subarray(0, end)
      this.rest = end < 0 ? Buffer.alloc(0) : this.rest.subarray(end + 1)
      size += part.length
      // One byte more for a CR before the LF.
      if (size > maxBytes + 1) return 'too long'
      parts.push(part)
      if (end < 0) {
        const chunk = await this.nextChunk()
        if (chunk !== undefined) {
          this.rest = chunk
          continue
        }
        if (size === 0) return undefined
      }
      const line = Buffer.concat(parts, size)
      const text = end >= 0 && line[size - 1] === CR ? line.subarray(0, -1) : line
      return text.length > maxBytes ? 'too long' : text
    }
  }

  private async nextChunk(): Promise<Buffer | undefined> {
    if (this.ended) return undefined
    this.chunks ??= this.stream[Symbol.asyncIterator]()
    // Standard input holds the process open only while a line is awaited: input left unread,
    // or a writer that never closes the pipe, must not keep a finished command running.
    const handle = this.stream
    handle.ref?.()
    try {
      const next = await this.chunks.next()
      if (next.done) {
        this.ended = true
        return undefined
      }
      return typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    } finally {
      handle.unref?.()
    }
  }
}

/**
 * `bytes` as UTF-8 text, or undefined when they are not UTF-8. A leading byte order mark is
 * kept unless `stripBom`. SECURITY: never replaces invalid bytes (see StdinLines.take).
 */
export function decodeUtf8(bytes: Uint8Array, { stripBom = false } = {}): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: !stripBom }).decode(bytes)
  } catch {
    return undefined
  }
}

/** INVALID_INPUT when `text` is over the bound of `line`; `number` is its line of standard input, if it came from there. */
export function checkLength(line: InputLine, text: string, number?: number): void {
  if ((line.length ?? ((t: string) => t.length))(text) > line.max) throw tooLong(line, number)
}

function tooLong(line: InputLine, number: number | undefined): KeyholdError {
  return new KeyholdError(
    'INVALID_INPUT',
    number === undefined
      ? `${line.what[0]!.toUpperCase()}${line.what.slice(1)} can have at most ${line.max} characters.`
      : `Line ${number} of standard input (${line.what}) is too long: it can have at most ${line.max} characters. Check what is piped in: one value per line.`,
  )
}

/**
 * Asks on the terminal without echoing what is typed. SECURITY: the answer is never
 * written anywhere; only the prompt text is.
 */
export async function promptHidden(question: string): Promise<string> {
  const input = process.stdin
  if (!input.isTTY) throw new UsageError('no terminal to ask for secrets on; pass --password-stdin and pipe them in')
  const rl = createInterface({ input, output: process.stderr, terminal: true })
  const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream }
  let muted = false
  output._writeToOutput = (s: string) => {
    if (!muted || s.includes('\n')) process.stderr.write(muted ? '\n' : s)
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.question(question, resolve)
      muted = true
      rl.on('SIGINT', () => reject(new KeyholdError('INVALID_INPUT', 'Cancelled.')))
    })
  } finally {
    rl.close()
  }
}
