import { connect, type TLSSocket } from 'node:tls'
import { WebSocket } from 'ws'
import { KeyholdError } from '../../../../src-shared/errors'
import { parseHostPort } from '../../../../src-shared/apps/pairing-uri'
import { FrameQueue, type FrameTransport, type NetworkTarget } from '../../../../src-shared/local-access/client'
import { MAX_FRAME_BODY, MIN_FRAME_BODY } from '../../../../src-shared/local-access/frames'
import { spkiFingerprint } from './certificate'
import { NETWORK_HANDSHAKE_MS, NETWORK_PATH } from './network-endpoint'

const unreachable = () =>
  new KeyholdError('AGENT_NOT_RUNNING', 'Keyhold could not be reached on the network. Check that the phone and the computer are on the same network and that Phones on this network is on in Keyhold, then try again.')

/**
 * A phone's side of §2.4 in Node (the reference for mobile apps, and the tests): TLS 1.3 to
 * each `host` in turn, the server's SubjectPublicKeyInfo checked against the pinned
 * fingerprint before a single byte is sent, then the WebSocket, one binary message per frame body.
 * A different certificate is FORBIDDEN and no other host is tried after it.
 */
export async function connectNetwork(target: NetworkTarget, options: { timeoutMs?: number } = {}): Promise<FrameTransport> {
  let lastError: unknown = unreachable()
  for (const entry of target.hosts) {
    const host = parseHostPort(entry)
    if (!host) continue
    let socket: TLSSocket
    try {
      socket = await pinnedTls(host.address, host.port, target.fingerprint, options.timeoutMs ?? NETWORK_HANDSHAKE_MS)
    } catch (error) {
      if (error instanceof KeyholdError && error.code === 'FORBIDDEN') throw error
      lastError = error
      continue
    }
    return webSocketOver(socket, entry)
  }
  throw lastError
}

/** TLS with no CA and no host name check: the pin is the trust (§2.4.1). */
function pinnedTls(address: string, port: number, fingerprint: string, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, minVersion: 'TLSv1.3', rejectUnauthorized: false, timeout: timeoutMs })
    const fail = (error: Error) => {
      socket.destroy()
      reject(error)
    }
    socket.once('timeout', () => fail(unreachable()))
    socket.once('error', () => fail(unreachable()))
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate(true)?.raw
      let pinned = false
      try {
        pinned = raw !== undefined && spkiFingerprint(raw) === fingerprint
      } catch {
        pinned = false
      }
      if (!pinned)
        return fail(new KeyholdError('FORBIDDEN', 'The computer at this address is not the Keyhold that showed the QR code (its certificate differs). Nothing was sent. Scan the QR code again.'))
      socket.setTimeout(0)
      socket.removeAllListeners('timeout')
      socket.removeAllListeners('error')
      resolve(socket)
    })
  })
}

function webSocketOver(socket: TLSSocket, entry: string): Promise<FrameTransport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${entry}${NETWORK_PATH}`, {
      createConnection: () => socket,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BODY,
      handshakeTimeout: NETWORK_HANDSHAKE_MS,
    })
    const queue = new FrameQueue()
    ws.binaryType = 'nodebuffer'
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length < MIN_FRAME_BODY || data.length > MAX_FRAME_BODY) return ws.terminate()
      queue.push(new Uint8Array(data.buffer, data.byteOffset, data.length))
    })
    ws.on('close', () => queue.end())
    ws.once('open', () => {
      ws.on('error', () => undefined)
      resolve({
        send: (body) => {
          if (ws.readyState === ws.OPEN) ws.send(body, { binary: true })
        },
        next: () => queue.next(),
        close: () => ws.terminate(),
      })
    })
    ws.once('error', () => {
      socket.destroy()
      reject(unreachable())
    })
  })
}
