import type { FrameTransport } from '../../src-shared/local-access/client'
import { decodeBody, encodeBody, jsonBytes, parseJsonObject } from '../../src-shared/local-access/frames'

/**
 * A FrameTransport that tells when the agent's hello says the vault is locked (§4), and can
 * then ask Keyhold to show its unlock screen. The reference client waits through a locked
 * hello silently (up to 2 minutes); the popup says "Keyhold is locked" instead of a spinner.
 * It only reads CLEAR hellos, which every relay sees anyway, and sends nothing by itself.
 */
export class HelloWatch implements FrameTransport {
  private locked = false

  constructor(
    private readonly inner: FrameTransport,
    private readonly onLockChange: (locked: boolean) => void,
  ) {}

  send(body: Uint8Array): void {
    this.inner.send(body)
  }

  async next(): Promise<Uint8Array | null> {
    const body = await this.inner.next()
    if (body !== null) this.look(body)
    return body
  }

  close(): void {
    this.inner.close()
  }

  /** While the hello says locked: `{"t":"unlock"}`, which asks Keyhold's window to show its unlock screen. False otherwise. */
  requestUnlock(): boolean {
    if (!this.locked) return false
    this.inner.send(encodeBody('clear', jsonBytes({ t: 'unlock' })))
    return true
  }

  private look(body: Uint8Array): void {
    let hello: Record<string, unknown>
    try {
      const frame = decodeBody(body)
      if (frame.kind !== 'clear') return
      hello = parseJsonObject(frame.data)
    } catch {
      return // the client reports the bad frame itself
    }
    if (hello.t !== 'hello' || typeof hello.locked !== 'boolean' || hello.locked === this.locked) return
    this.locked = hello.locked
    this.onLockChange(hello.locked)
  }
}
