import { createServer, type Server } from 'node:https'
import { randomInt } from 'node:crypto'
import { isIPv6, type Socket } from 'node:net'
import { ipv6Prefix64 } from './addresses'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { FrameError, MAX_FRAME_BODY, MIN_FRAME_BODY } from '../../../../src-shared/local-access/frames'
import type { Connection, FrameLink } from '../connection'
import type { TlsIdentity } from './certificate'

export const NETWORK_PATH = '/keyhold/v1'
/** §2.4.5: network connections in all, and at once from one address (counted from the TCP accept). */
export const MAX_NETWORK_CONNECTIONS = 32
export const MAX_PER_ADDRESS = 16
/** The TLS handshake, then the upgrade request, each within this. */
export const NETWORK_HANDSHAKE_MS = 10_000
/** Messages above a frame body's bound are still read up to here (to answer PROTOCOL_ERROR); beyond, ws closes with 1009. */
const MAX_MESSAGE = MAX_FRAME_BODY + 1024
const MAX_UNREAD_BYTES = 1024 * 1024
const PORT_TRIES = 20

export interface NetworkEndpointOptions {
  identity: TlsIdentity
  /** The addresses to listen on (servable ones: addresses.ts). */
  addresses: readonly string[]
  /** The remembered port; null or taken: a random one in 49152..65535. */
  port: number | null
  /** Hands a WebSocket's frames to a new connection; null when the agent refused it (it already told the peer). */
  open(link: FrameLink, address: string): Connection | null
}

export interface NetworkListening {
  port: number
  addresses: string[]
}

/**
 * The phones' endpoint (docs/pairing-protocol.md §2.4): WebSocket over TLS 1.3 with the vault's
 * self-signed certificate, on private and loopback addresses only, one binary message per
 * frame body. It only carries frames: the agent's Connection runs the protocol, as on the socket.
 *
 * What must stay true:
 * - Garbage (not TLS, not HTTP, not a WebSocket, bad frames) is answered where a typed answer
 *   is possible and always ends in a close; nothing here throws into the process.
 * - A flood is bounded before TLS: 32 connections in all, 16 per address.
 * - stop() drops every connection at once.
 */
export class NetworkEndpoint {
  private readonly servers: Server[] = []
  private readonly sockets = new Set<Duplex>()
  private readonly perAddress = new Map<string, number>()
  private readonly sessions = new Set<WebSocket>()
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, perMessageDeflate: false, clientTracking: false })

  constructor(private readonly options: NetworkEndpointOptions) {}

  get connectionCount(): number {
    return this.sessions.size
  }

  /** Listens on every address at one port: the remembered one, else a random free one. */
  async start(): Promise<NetworkListening> {
    const preferred = this.options.port
    for (let attempt = 0; attempt < PORT_TRIES; attempt++) {
      const port = attempt === 0 && preferred !== null ? preferred : randomInt(49152, 65536)
      try {
        const served: string[] = []
        for (const address of this.options.addresses) {
          try {
            this.servers.push(await this.listen(address, port))
            served.push(address)
          } catch (error) {
            // An address that went away, or an IPv6 one not ready yet: served next time, not fatal.
            if ((error as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL') throw error
          }
        }
        if (served.length === 0) throw Object.assign(new Error('None of the addresses is on this computer now.'), { code: 'EADDRNOTAVAIL' })
        return { port, addresses: served }
      } catch (error) {
        await this.closeServers()
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      }
    }
    throw Object.assign(new Error('No free port was found for the network endpoint.'), { code: 'EADDRINUSE' })
  }

  async stop(): Promise<void> {
    for (const ws of this.sessions) ws.terminate()
    this.sessions.clear()
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    await this.closeServers()
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers.splice(0)
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  }

  private listen(address: string, port: number): Promise<Server> {
    const { identity } = this.options
    const server = createServer(
      // Node checks the header and request deadlines every connectionsCheckingInterval (30 s by default).
      { key: identity.key, cert: identity.cert, minVersion: 'TLSv1.3', handshakeTimeout: NETWORK_HANDSHAKE_MS, connectionsCheckingInterval: 1_000 },
      (request, response) => {
        // Not an upgrade: nothing here but the WebSocket.
        response.writeHead(request.url === NETWORK_PATH ? 426 : 404, { Connection: 'close', 'Content-Length': '0' })
        response.end()
      },
    )
    server.headersTimeout = NETWORK_HANDSHAKE_MS
    server.requestTimeout = NETWORK_HANDSHAKE_MS
    server.keepAliveTimeout = 1
    server.on('connection', (socket: Socket) => this.admit(socket))
    server.on('tlsClientError', (_error, socket) => socket.destroy())
    server.on('clientError', (_error, socket: Duplex) => socket.destroy())
    server.on('upgrade', (request, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head))
    return new Promise<Server>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ port, host: address, exclusive: true }, () => {
        server.off('error', reject)
        server.on('error', () => undefined)
        resolve(server)
      })
    })
  }

  /** Before TLS: the caps of §2.4.5. Over them the TCP connection is dropped unanswered. */
  private admit(socket: Socket): void {
    const address = peerAddress(socket)
    const fromAddress = this.perAddress.get(address) ?? 0
    if (this.sockets.size >= MAX_NETWORK_CONNECTIONS || fromAddress >= MAX_PER_ADDRESS) {
      socket.destroy()
      return
    }
    this.sockets.add(socket)
    this.perAddress.set(address, fromAddress + 1)
    socket.on('error', () => undefined)
    socket.once('close', () => {
      this.sockets.delete(socket)
      const left = (this.perAddress.get(address) ?? 1) - 1
      if (left > 0) this.perAddress.set(address, left)
      else this.perAddress.delete(address)
    })
  }

  private upgrade(request: import('node:http').IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined)
    const refuse = (status: string): void => void socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    // SECURITY: browsers always send Origin; no web page may reach the endpoint (§2.4.3).
    if (request.headers.origin !== undefined || request.headers['sec-websocket-origin'] !== undefined) return refuse('403 Forbidden')
    if (request.url !== NETWORK_PATH) return refuse('404 Not Found')
    const address = peerAddress(socket as Socket)
    this.wss.handleUpgrade(request, socket, head, (ws) => this.welcome(ws, address))
  }

  private welcome(ws: WebSocket, address: string): void {
    ws.on('error', () => undefined)
    const link: FrameLink = {
      send: (body) => {
        if (ws.readyState !== ws.OPEN) return
        ws.send(body, { binary: true })
        // A peer that stops reading would make the agent hold every answer: it is dropped.
        if (ws.bufferedAmount > MAX_UNREAD_BYTES) ws.terminate()
      },
      close: () => {
        if (ws.readyState === ws.OPEN) ws.close(1000)
        setTimeout(() => ws.terminate(), 1_000).unref()
      },
    }
    const connection = this.options.open(link, address)
    if (!connection) return
    this.sessions.add(ws)
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (connection.isClosed) return
      if (!isBinary) return connection.streamError(new FrameError('A text message is not a frame: send each frame body as one binary message.'))
      if (data.length < MIN_FRAME_BODY || data.length > MAX_FRAME_BODY)
        return connection.streamError(new FrameError(`A frame body is ${MIN_FRAME_BODY} to ${MAX_FRAME_BODY} bytes.`))
      connection.receiveBody(new Uint8Array(data.buffer, data.byteOffset, data.length))
    })
    ws.on('close', () => {
      this.sessions.delete(ws)
      connection.closed()
    })
  }
}

/**
 * Who a peer counts as for the per-address limits: its IPv4 address (without the IPv4-mapped
 * prefix), or its IPv6 /64 (one host may use any address of its /64).
 */
function peerAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? ''
  if (address.startsWith('::ffff:')) return address.slice(7)
  return isIPv6(address) ? ipv6Prefix64(address) : address
}
