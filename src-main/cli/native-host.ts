import { promises as fs } from 'node:fs'
import { endianness } from 'node:os'
import { KeyholdError, toSerializedError, type SerializedError } from '../../src-shared/errors'
import type { FrameTransport } from '../../src-shared/local-access/client'
import { decodeBody, fromBase64Url, MAX_FRAME_BODY, MIN_FRAME_BODY, parseJsonObject, toBase64Url } from '../../src-shared/local-access/frames'
import { agentEndpoint, agentFolder, agentGone, readAgentInfo } from '../core/agent/agent-paths'
import { connectSocket } from '../core/agent/socket-transport'
import { CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, NATIVE_HOST_NAME } from '../core/browser/native-hosts'

export { CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, NATIVE_HOST_NAME }
export const ALLOWED_ORIGINS = [`chrome-extension://${CHROMIUM_EXTENSION_ID}/`]

/** The browser sends at most this much per message to the host here; our frames are far smaller. */
const MAX_MESSAGE_FROM_BROWSER = 1024 * 1024
/** The browsers take at most 1 MB per message from a host. */
const MAX_MESSAGE_TO_BROWSER = 1024 * 1024

const LITTLE = endianness() === 'LE'

/** The browser's framing: a 32-bit length in native byte order, then UTF-8 JSON. */
export function encodeNativeMessage(value: object): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8')
  if (json.length > MAX_MESSAGE_TO_BROWSER) throw new KeyholdError('PROTOCOL_ERROR', 'A message for the browser is larger than 1 MB.')
  const prefix = Buffer.alloc(4)
  if (LITTLE) prefix.writeUInt32LE(json.length)
  else prefix.writeUInt32BE(json.length)
  return Buffer.concat([prefix, json])
}

/** Cuts the browser's stream into JSON messages; KeyholdError PROTOCOL_ERROR for anything else. */
export class NativeMessageReader {
  private buffer = Buffer.alloc(0)

  push(chunk: Buffer): unknown[] {
    this.buffer = Buffer.concat([this.buffer, chunk])
    const messages: unknown[] = []
    while (this.buffer.length >= 4) {
      const length = LITTLE ? this.buffer.readUInt32LE(0) : this.buffer.readUInt32BE(0)
      if (length === 0 || length > MAX_MESSAGE_FROM_BROWSER) throw protocol('The message length is out of bounds (1 byte to 1 MiB).')
      if (this.buffer.length < 4 + length) break
      const text = this.buffer.subarray(4, 4 + length)
      this.buffer = this.buffer.subarray(4 + length)
      let value: unknown
      try {
        value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text))
      } catch {
        throw protocol('The message is not UTF-8 JSON.')
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw protocol('The message is not a JSON object.')
      messages.push(value)
    }
    return messages
  }

  /** Bytes of a message not yet complete (a stream that ends here was cut short). */
  get pending(): number {
    return this.buffer.length
  }
}

const protocol = (message: string) => new KeyholdError('PROTOCOL_ERROR', `The browser extension broke the native messaging protocol: ${message} Update the extension.`)

/**
 * Whether the browser started us for the Keyhold extension, from the arguments exactly as each
 * browser passes them: Chromium the caller's origin first (on Windows then `--parent-window=N`);
 * Firefox the manifest's path, then the extension's id.
 */
export function callerAllowed(args: readonly string[]): boolean {
  const [first, second, ...rest] = args
  if (rest.length > 0) return false
  if (first !== undefined && ALLOWED_ORIGINS.includes(first)) return second === undefined || /^--parent-window=\d+$/.test(second)
  return first !== undefined && !first.startsWith('-') && second === FIREFOX_EXTENSION_ID
}

/** The vault of the one agent running for this user, for a relay that names none (a typed code knows none). */
async function onlyAgent(): Promise<string> {
  const folder = agentFolder()
  const names = await fs.readdir(folder).catch(() => [] as string[])
  const live: string[] = []
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const vaultId = name.slice(0, -'.json'.length)
    const endpoint = agentEndpoint(vaultId, folder)
    const info = readAgentInfo(endpoint)
    if (info && !(await agentGone(info, endpoint))) live.push(vaultId)
  }
  if (live.length === 0) throw notRunning()
  if (live.length > 1)
    throw new KeyholdError('CONFLICT', 'Keyhold is serving several vaults on this computer. Scan the QR code instead of typing the code, so the extension knows which vault to pair with.')
  return live[0]!
}

const notRunning = () =>
  new KeyholdError('AGENT_NOT_RUNNING', 'Keyhold is not running, or Connected apps is off. Start Keyhold and unlock it (or run `keyhold agent`), then try again.')

const VAULT_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * `keyhold native-host`: the relay between the browser extension and the agent's socket
 * (docs/pairing-protocol.md §2.3). It reads nothing of what it relays: the extension and the
 * agent run Noise end to end, so the host only checks the framing, the base64 and the bounds.
 * Bad input gets a typed error message and the host exits; it never crashes on input.
 */
export async function runNativeHost(io: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream }, args: readonly string[]): Promise<number> {
  // The browser closing its end (the popup closed mid-answer) is an end, not a crash.
  let outputClosed = false
  io.stdout.on('error', () => (outputClosed = true))
  const write = (value: object) => {
    if (!outputClosed) io.stdout.write(encodeNativeMessage(value))
  }
  const fail = (error: unknown): number => {
    const serialized: SerializedError = toSerializedError(error)
    write({ relay: 1, error: { code: serialized.code, message: serialized.message } })
    return 1
  }
  if (!callerAllowed(args)) return drained(io.stdout, fail(new KeyholdError('FORBIDDEN', 'Only the Keyhold browser extension may start the Keyhold native messaging host.')))

  const reader = new NativeMessageReader()
  let agent: FrameTransport | null = null
  let connecting = false
  const pendingBodies: Uint8Array[] = []
  let firstBody = true

  const status = await new Promise<number>((resolve) => {
    let done = false
    const finish = (status: number) => {
      if (done) return
      done = true
      agent?.close()
      io.stdin.removeAllListeners('data')
      // The browser may keep its end open: stop reading so the process can exit.
      ;(io.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.()
      resolve(status)
    }
    io.stdout.on('error', () => finish(0))
    const onMessage = async (message: Record<string, unknown>): Promise<void> => {
      if (!agent && !connecting) {
        if (message.relay !== 1) throw protocol('The first message must be {"relay":1}.')
        const vault = message.vault
        if (vault !== undefined && (typeof vault !== 'string' || !VAULT_ID.test(vault))) throw protocol('The vault id is not valid.')
        connecting = true
        const vaultId = vault === undefined ? await onlyAgent() : vault
        const transport = await connectSocket(agentEndpoint(vaultId))
        agent = transport
        write({ relay: 1, connected: true, vault: vaultId })
        for (const body of pendingBodies.splice(0)) transport.send(body)
        void (async () => {
          for (;;) {
            const body = await transport.next()
            if (body === null) return finish(0)
            write({ f: toBase64Url(body) })
          }
        })()
        return
      }
      const text = message.f
      if (typeof text !== 'string') throw protocol('A relayed message must be {"f":"<base64url>"}.')
      const body = fromBase64Url(text)
      if (!body || body.length < MIN_FRAME_BODY || body.length > MAX_FRAME_BODY) throw protocol('A relayed frame is not base64url of 2 to 65,536 bytes.')
      // SECURITY: a browser extension pairs and opens sessions; it never speaks as a terminal or
      // an application key, whose access is not a pairing's (docs/terminal-sessions.md §2).
      if (firstBody) {
        firstBody = false
        if (!isCompanionHello(body)) throw protocol('Through the browser relay, a connection starts with a pairing or session hello.')
      }
      if (agent) agent.send(body)
      else pendingBodies.push(body)
    }
    let chain = Promise.resolve()
    io.stdin.on('data', (chunk: Buffer) => {
      let messages: unknown[]
      try {
        messages = reader.push(chunk)
      } catch (error) {
        return finish(fail(error))
      }
      for (const message of messages)
        chain = chain.then(() => (done ? undefined : onMessage(message as Record<string, unknown>))).catch((error: unknown) => finish(fail(error)))
    })
    io.stdin.on('end', () =>
      void chain.then(() => (reader.pending > 0 ? finish(fail(protocol('The input ended inside a message.'))) : finish(0))),
    )
    io.stdin.on('error', () => finish(0))
  })
  return drained(io.stdout, status)
}

/** Resolves with `status` once what was written to `stdout` has left (a pipe's writes are asynchronous), or it closed. */
function drained(stdout: NodeJS.WritableStream, status: number): Promise<number> {
  const stream = stdout as NodeJS.WritableStream & { writableLength?: number; writableNeedDrain?: boolean; destroyed?: boolean }
  if (stream.destroyed || !stream.writableLength) return Promise.resolve(status)
  return new Promise((resolve) => {
    const done = () => resolve(status)
    stream.once('drain', done)
    stream.once('error', done)
    stream.once('close', done)
    setTimeout(done, 2_000).unref?.()
  })
}

/** Whether a relayed connection's first frame is a CLEAR hello for pairing or a session (what the extension sends). */
function isCompanionHello(body: Uint8Array): boolean {
  try {
    const frame = decodeBody(body)
    if (frame.kind !== 'clear') return false
    const hello = parseJsonObject(frame.data) as { t?: unknown; mode?: unknown }
    return hello.t === 'hello' && (hello.mode === 'pair' || hello.mode === 'session')
  } catch {
    return false
  }
}
