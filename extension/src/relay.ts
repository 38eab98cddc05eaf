import { CompanionError, FrameQueue, type FrameTransport } from '../../src-shared/local-access/client'
import { fromBase64Url, MAX_FRAME_BODY, MIN_FRAME_BODY, toBase64Url } from '../../src-shared/local-access/frames'

/**
 * The extension's side of the native messaging relay (docs/pairing-protocol.md §2.3): a
 * FrameTransport over a port to `keyhold native-host`. The host only relays; Noise runs end
 * to end between this extension and the agent, so nothing here is trusted with a secret.
 *
 *   → {"relay":1,"vault":"<id>"} (or {"relay":1} before a typed code's pairing: the one agent running)
 *   ← {"relay":1,"connected":true,"vault":"<id>"} | {"relay":1,"error":{"code","message"}}
 *   ↔ {"f":"<base64url of one frame body>"}
 */

/** What the relay needs of `chrome.runtime.Port`, so tests can hand it a fake. */
export interface NativePort {
  postMessage(message: unknown): void
  disconnect(): void
  onMessage: { addListener(listener: (message: unknown) => void): void }
  onDisconnect: { addListener(listener: () => void): void }
}

/** An open relay: the transport for the reference client and the vault the host reached. */
export interface Relay {
  transport: FrameTransport
  vaultId: string
}

/** The browser could not start the host: browser integration is off (no host manifest) or names another extension. */
export const HOST_MISSING = 'HOST_MISSING'

/** The host refused this caller (its own FORBIDDEN, before any frame): says nothing about the pairing. */
export const HOST_REFUSED = 'HOST_REFUSED'

/**
 * An error of the relay stage, before any frame reached the agent: the browser's or the host's
 * word, never the agent's. SECURITY: only the agent may say a pairing ended (FORBIDDEN); an
 * error of this kind never erases the stored pairing.
 */
export class RelayError extends CompanionError {
  constructor(code: string, message: string) {
    super(code, message)
    this.name = 'RelayError'
  }
}

/**
 * Opens the relay on `port` and waits for the host's answer. Rejects with a RelayError: the
 * host's own code (AGENT_NOT_RUNNING, CONFLICT, …; its FORBIDDEN as HOST_REFUSED),
 * HOST_MISSING when the browser found no host for us, CLOSED when the host went away without a
 * word, PROTOCOL_ERROR for an answer it cannot take (also one naming another vault).
 * `disconnectReason` reads `chrome.runtime.lastError` inside onDisconnect.
 */
export function openRelay(port: NativePort, vaultId: string | undefined, disconnectReason: () => string | undefined = () => undefined): Promise<Relay> {
  const queue = new FrameQueue()
  let state: 'opening' | 'open' | 'closed' = 'opening'
  return new Promise<Relay>((resolve, reject) => {
    const close = () => {
      if (state === 'closed') return
      state = 'closed'
      port.disconnect()
      queue.end()
    }
    const transport: FrameTransport = {
      send(body) {
        if (state === 'open') port.postMessage({ f: toBase64Url(body) })
      },
      next: () => queue.next(),
      close,
    }
    port.onMessage.addListener((message) => {
      if (state === 'closed') return
      if (state === 'opening') {
        const answer = readAnswer(message, vaultId)
        if ('error' in answer) {
          close()
          reject(answer.error)
          return
        }
        state = 'open'
        resolve({ transport, vaultId: answer.vaultId })
        return
      }
      const body = readFrame(message)
      // SECURITY: anything but a well-formed frame ends the connection; the client then fails its pending step.
      if (body) queue.push(body)
      else close()
    })
    port.onDisconnect.addListener(() => {
      // Read every time: Chromium logs an "unchecked" lastError that nobody read.
      const reason = disconnectReason()
      const was = state
      state = 'closed'
      queue.end()
      if (was === 'opening') reject(disconnected(reason))
    })
    port.postMessage(vaultId === undefined ? { relay: 1 } : { relay: 1, vault: vaultId })
  })
}

const VAULT_ID = /^[A-Za-z0-9_-]{1,64}$/

/** What the popup says when the host refuses this extension. */
const HOST_REFUSED_WORDS = "Keyhold's browser integration refused this extension. Turn browser integration off and on again in Keyhold's Settings > Browser integration."

/** The host's first answer; an answer that leaves out the vault is taken as the one asked for. */
function readAnswer(message: unknown, asked: string | undefined): { vaultId: string } | { error: RelayError } {
  const answer = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>
  if (answer.relay === 1 && typeof answer.error === 'object' && answer.error !== null) {
    const { code, message: words } = answer.error as Record<string, unknown>
    if (code === 'FORBIDDEN') return { error: new RelayError(HOST_REFUSED, HOST_REFUSED_WORDS) }
    if (typeof code === 'string' && typeof words === 'string') return { error: new RelayError(code, words) }
  }
  if (answer.relay === 1 && answer.connected === true) {
    const vault = answer.vault ?? asked
    // SECURITY: a host that reached another vault than the one asked for is not taken at its word.
    if (asked !== undefined && vault !== asked)
      return { error: new RelayError('PROTOCOL_ERROR', "Keyhold's browser integration connected to another vault than the one this browser is paired with. Try again; if this goes on, turn browser integration off and on again in Keyhold's Settings > Browser integration.") }
    if (typeof vault === 'string' && VAULT_ID.test(vault)) return { vaultId: vault }
  }
  return { error: new RelayError('PROTOCOL_ERROR', "Keyhold's browser integration answered in a way this extension does not understand. Update Keyhold and the extension.") }
}

function readFrame(message: unknown): Uint8Array | null {
  if (typeof message !== 'object' || message === null) return null
  const text = (message as Record<string, unknown>).f
  if (typeof text !== 'string') return null
  const body = fromBase64Url(text)
  return body && body.length >= MIN_FRAME_BODY && body.length <= MAX_FRAME_BODY ? body : null
}

/** Why the port closed before the host answered, from the browser's words (chrome.runtime.lastError). */
function disconnected(reason: string | undefined): RelayError {
  if (reason && /not found|forbidden/i.test(reason))
    return new RelayError(HOST_MISSING, 'Browser integration is not set up for this browser. Turn it on in Keyhold (Settings > Browser integration) or run `keyhold browser install`, then try again.')
  return new RelayError('CLOSED', "Keyhold's browser integration stopped before it answered. Check that Keyhold is installed and try again.")
}
