/**
 * The framing of the local access protocol (docs/pairing-protocol.md §2). Plain TypeScript
 * with no Node or DOM dependency, so the agent, the CLI, the browser extension and a phone
 * app share it. A transport carries frame bodies; on a byte stream (the Unix socket) each
 * body is prefixed by its length as a 32-bit big-endian integer.
 */

export const FRAME_KIND = { clear: 0x01, handshake: 0x02, transport: 0x03 } as const
export type FrameKind = keyof typeof FRAME_KIND

/** 1 kind byte + at most 65,535 bytes (the Noise message limit). */
export const MAX_FRAME_BODY = 65_536
export const MIN_FRAME_BODY = 2
/** A CLEAR body (hello, error) is small: anything larger is refused before it is parsed. */
export const MAX_CLEAR_BODY = 1_024

/**
 * A terminal command's output frames (docs/terminal-sessions.md §4): a TRANSPORT plaintext of
 * one stream byte and raw output, instead of JSON (which never starts with these bytes).
 */
export const OUTPUT_STREAM = { stdout: 0x01, stderr: 0x02 } as const
/** Output bytes in one output frame: the Noise plaintext limit (65,519) less the stream byte. */
export const MAX_OUTPUT_BYTES = 65_518

/** A frame that breaks the rules of §2: the connection answers PROTOCOL_ERROR and closes. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FrameError'
  }
}

export interface Frame {
  kind: FrameKind
  data: Uint8Array
}

const KIND_BY_BYTE = new Map<number, FrameKind>(Object.entries(FRAME_KIND).map(([name, byte]) => [byte, name as FrameKind]))

/** A frame body: the kind byte, then the data. */
export function encodeBody(kind: FrameKind, data: Uint8Array): Uint8Array {
  const body = new Uint8Array(1 + data.length)
  body[0] = FRAME_KIND[kind]
  body.set(data, 1)
  checkBodyLength(body.length)
  if (kind === 'clear' && body.length > MAX_CLEAR_BODY) throw new FrameError('A CLEAR frame is larger than 1,024 bytes.')
  return body
}

/** Reads a frame body: FrameError for an unknown kind, a size out of bounds or an oversized CLEAR. */
export function decodeBody(body: Uint8Array): Frame {
  checkBodyLength(body.length)
  const kind = KIND_BY_BYTE.get(body[0]!)
  if (!kind) throw new FrameError('The frame has an unknown kind.')
  if (kind === 'clear' && body.length > MAX_CLEAR_BODY) throw new FrameError('A CLEAR frame is larger than 1,024 bytes.')
  return { kind, data: body.subarray(1) }
}

/**
 * What comes before a frame's data on a byte stream: u32be(length of the body) || kind. With the
 * data after it, the same bytes as withLengthPrefix(encodeBody(kind, data)), without copying the data.
 */
export function streamHead(kind: FrameKind, dataLength: number): Uint8Array {
  checkBodyLength(1 + dataLength)
  if (kind === 'clear' && 1 + dataLength > MAX_CLEAR_BODY) throw new FrameError('A CLEAR frame is larger than 1,024 bytes.')
  const head = new Uint8Array(5)
  new DataView(head.buffer).setUint32(0, 1 + dataLength, false)
  head[4] = FRAME_KIND[kind]
  return head
}

/** A body with its stream prefix: u32be(length) || body. */
export function withLengthPrefix(body: Uint8Array): Uint8Array {
  checkBodyLength(body.length)
  const out = new Uint8Array(4 + body.length)
  new DataView(out.buffer).setUint32(0, body.length, false)
  out.set(body, 4)
  return out
}

function checkBodyLength(length: number): void {
  if (length < MIN_FRAME_BODY || length > MAX_FRAME_BODY) throw new FrameError('The frame length is out of bounds (2 to 65,536 bytes).')
}

/**
 * Cuts a byte stream into frame bodies. `push` returns the bodies completed by the chunk and
 * throws FrameError at the first length out of bounds, before buffering what it announces,
 * so a peer can never make the reader hold more than one frame's worth of bytes.
 */
export class FrameReader {
  private chunks: Uint8Array[] = []
  private buffered = 0
  private expected: number | null = null

  push(chunk: Uint8Array): Uint8Array[] {
    const bodies: Uint8Array[] = []
    if (chunk.length > 0) {
      this.chunks.push(chunk)
      this.buffered += chunk.length
    }
    for (;;) {
      if (this.expected === null) {
        if (this.buffered < 4) return bodies
        const prefix = this.take(4)
        const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0, false)
        checkBodyLength(length)
        this.expected = length
      }
      if (this.buffered < this.expected) return bodies
      bodies.push(this.take(this.expected))
      this.expected = null
    }
  }

  /** Bytes held for a frame not yet complete (0 between frames). */
  get pending(): number {
    return this.buffered + (this.expected === null ? 0 : 4)
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const head = this.chunks[0]!
      const part = Math.min(n - filled, head.length)
      out.set(head.subarray(0, part), filled)
      filled += part
      if (part === head.length) this.chunks.shift()
      else this.chunks[0] = head.subarray(part)
    }
    this.buffered -= n
    return out
  }
}

const encoder = new TextEncoder()
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** One JSON object as UTF-8. */
export function jsonBytes(value: object): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

/**
 * Reads one JSON object from UTF-8: FrameError for bad UTF-8, a BOM, JSON that does not parse
 * or is not an object. The caller checks the object's fields with its schema.
 */
export function parseJsonObject(data: Uint8Array): Record<string, unknown> {
  let text: string
  try {
    text = strictDecoder.decode(data)
  } catch {
    throw new FrameError('The frame is not valid UTF-8.')
  }
  if (text.charCodeAt(0) === 0xfeff) throw new FrameError('The frame starts with a byte order mark.')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new FrameError('The frame is not valid JSON.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FrameError('The frame is not a JSON object.')
  return value as Record<string, unknown>
}

/** Base64url without padding (RFC 4648 §5), as every byte string in the protocol's JSON. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** The inverse of toBase64Url; null for anything that is not canonical base64url of `length` bytes. */
export function fromBase64Url(text: string, length?: number): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null
  let binary: string
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4))
  } catch {
    return null
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
  if (length !== undefined && bytes.length !== length) return null
  // Canonical only: the unused low bits of the last symbol must be zero.
  if (toBase64Url(bytes) !== text) return null
  return bytes
}
