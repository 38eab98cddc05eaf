import { encodeBody, jsonBytes, OUTPUT_STREAM, type FrameKind } from '../../../src-shared/local-access/frames'
import type { CipherState, Handshake } from '../../../src-shared/local-access/noise'

/** What a connection needs from its transport: frame bodies out, and closing. */
export interface FrameLink {
  send(body: Uint8Array): void
  close(): void
  /** Optional, on a byte stream: a frame of `kind` whose data is the pieces' concatenation, sent without joining them. */
  sendPieces?(kind: FrameKind, pieces: readonly Uint8Array[]): void
  /** Bytes sent and not yet taken by the peer, and a wait until they are (a terminal's output is paced by them). */
  buffered?(): number
  drained?(): Promise<void>
}

/** A terminal's output waits while more than this is unread by it (well under the 1 MiB that closes a connection). */
const PACE_BYTES = 256 * 1024

const STDOUT = Uint8Array.of(OUTPUT_STREAM.stdout)
const STDERR = Uint8Array.of(OUTPUT_STREAM.stderr)

/**
 * A connection's framing and ciphers on the agent's side (the companion's is link.ts `Link`):
 * frame bodies out through the transport, TRANSPORT frames sealed once the handshake gave keys,
 * and received ones opened. A send that fails (the transport gone, a cipher used up) calls
 * `failed`, and the connection closes; nothing throws out of a send.
 */
export class SealedLink {
  private send: CipherState | null = null
  private receive: CipherState | null = null

  constructor(
    private readonly link: FrameLink,
    private readonly failed: () => void,
  ) {}

  /** Whether the handshake gave keys (errors then go as TRANSPORT, not CLEAR). */
  get keyed(): boolean {
    return this.send !== null
  }

  keys(hs: Handshake): void {
    const { send, receive } = hs.split()
    this.send = send
    this.receive = receive
  }

  /** A frame of `kind` with `data` as it is (a CLEAR hello, a handshake message). */
  body(kind: 'clear' | 'handshake', data: Uint8Array): void {
    this.sendBody(() => encodeBody(kind, data))
  }

  clear(value: Record<string, unknown>): void {
    this.body('clear', jsonBytes(value))
  }

  /** A JSON message, sealed (nothing before the keys). */
  transport(value: unknown): void {
    const send = this.send
    if (send) this.sendBody(() => encodeBody('transport', send.encrypt(jsonBytes(value as object))))
  }

  /**
   * A terminal command's output frame (docs/terminal-sessions.md §4): the stream's byte, then
   * the bytes, sealed and sent in pieces where the cipher and the transport can (20 MB of output
   * is not copied five times over: the agent's collector would pay for every copy).
   */
  output(fd: 1 | 2, data: Uint8Array): void {
    const send = this.send
    if (!send) return
    try {
      const pieces = send.encryptParts([fd === 2 ? STDERR : STDOUT, data])
      if (this.link.sendPieces) this.link.sendPieces('transport', pieces)
      else this.link.send(encodeBody('transport', pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)))
    } catch {
      this.failed()
    }
  }

  /** A received TRANSPORT frame's plaintext; null when it fails its AEAD (changed, replayed, reordered). */
  open(ciphertext: Uint8Array): Uint8Array | null {
    try {
      return this.receive!.decrypt(ciphertext)
    } catch {
      return null
    }
  }

  /** Resolves once the peer has taken enough of what was sent (a terminal's output is paced by it). */
  async paced(): Promise<void> {
    if ((this.link.buffered?.() ?? 0) > PACE_BYTES) await this.link.drained?.()
  }

  /** Forgets the keys and closes the transport. */
  close(): void {
    this.send = null
    this.receive = null
    this.link.close()
  }

  private sendBody(body: () => Uint8Array): void {
    try {
      this.link.send(body())
    } catch {
      this.failed()
    }
  }
}
