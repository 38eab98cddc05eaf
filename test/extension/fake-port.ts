import { basename } from 'node:path'
import { connectSocket } from '../../src-main/core/agent/socket-transport'
import type { FrameTransport } from '../../src-shared/local-access/client'
import { fromBase64Url, toBase64Url } from '../../src-shared/local-access/frames'
import type { NativePort } from '../../extension/src/relay'
import type { TestAgent } from '../support/agent'

/** A `chrome.runtime.Port` stand-in: what the extension posted, and hooks to answer or disconnect as the host would. */
export class FakePort implements NativePort {
  readonly posted: unknown[] = []
  disconnected = false
  private readonly messageListeners: Array<(message: unknown) => void> = []
  private readonly disconnectListeners: Array<() => void> = []
  onPost: (message: unknown) => void = () => {}

  readonly onMessage = { addListener: (listener: (message: unknown) => void) => void this.messageListeners.push(listener) }
  readonly onDisconnect = { addListener: (listener: () => void) => void this.disconnectListeners.push(listener) }

  postMessage(message: unknown): void {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object')
    this.posted.push(message)
    this.onPost(message)
  }

  disconnect(): void {
    this.disconnected = true
  }

  /** The host sends a message to the extension. */
  deliver(message: unknown): void {
    for (const listener of this.messageListeners) listener(message)
  }

  /** The host goes away (the browser then calls onDisconnect, not for the extension's own disconnect). */
  hostGone(): void {
    this.disconnected = true
    for (const listener of this.disconnectListeners) listener()
  }
}

/**
 * A port whose "host" relays to a real agent's socket as `keyhold native-host` does (§2.3),
 * so the extension's relay, the reference client and the agent run together in one process.
 */
export function agentPort(t: TestAgent): FakePort {
  const port = new FakePort()
  let socket: FrameTransport | null = null
  port.onPost = (message) => {
    const m = message as { relay?: number; vault?: string; f?: string }
    if (m.relay === 1) {
      void connectSocket(t.endpoint).then(async (opened) => {
        socket = opened
        port.deliver({ relay: 1, connected: true, vault: basename(t.endpoint.socket, '.sock') })
        for (;;) {
          const body = await opened.next()
          if (body === null) return port.hostGone()
          port.deliver({ f: toBase64Url(body) })
        }
      })
    } else if (typeof m.f === 'string') socket?.send(fromBase64Url(m.f)!)
  }
  const disconnect = port.disconnect.bind(port)
  port.disconnect = () => {
    disconnect()
    socket?.close()
  }
  return port
}
