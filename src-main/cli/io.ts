import { createInterface } from 'node:readline'
import { KeyholdError } from '../../src-shared/errors'

/** A usage error: exit status 2, as for a bad flag. */
export class UsageError extends Error {}

/**
 * Standard input as lines, read once and shared by every consumer: with `--password-stdin`
 * line 1 is the master password and later lines are the command's own secrets (a new
 * password, a client secret, a token), in the order the command documents.
 */
export class StdinLines {
  private lines: Promise<string[]> | undefined
  private next = 0

  constructor(private readonly stream: NodeJS.ReadableStream = process.stdin) {}

  /** The next line, without its line ending; UsageError when standard input has no more. */
  async take(what: string): Promise<string> {
    this.lines ??= readAll(this.stream).then((text) => text.split(/\r?\n/))
    const lines = await this.lines
    const line = lines[this.next]
    if (line === undefined || (line === '' && this.next === lines.length - 1))
      throw new UsageError(`expected ${what} on line ${this.next + 1} of standard input`)
    this.next++
    return line
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(chunks).toString('utf8')
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
