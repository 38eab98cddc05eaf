import { promises as fs } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { KeyholdError } from '../../../src-shared/errors'
import { encodeBody, FrameError, FrameReader, jsonBytes, toBase64Url, streamHead, withLengthPrefix } from '../../../src-shared/local-access/frames'
import type { Clock } from '../ports'
import { Vault } from '../vault/vault'
import { LOCAL, type AgentContext, type AgentServices, type ConnectionOrigin } from './agent-context'
import {
  agentEndpoint,
  agentFolder,
  agentGone,
  agentHeldMessage,
  ensureAgentFolder,
  readAgentInfo,
  removeAgentFiles,
  writeAgentInfo,
  type AgentEndpoint,
} from './agent-paths'
import type { Approver } from './approvals'
import { TerminalGrants, type TerminalHost } from './terminals'
import { Connection, type FrameLink } from './connection'
import { AgentLimits, DEFAULT_TIMINGS, type ConnectionTimings } from './limits'
import type { NetworkEndpoint, NetworkListening } from './network/network-endpoint'
import type { TlsIdentity } from './network/certificate'
import { advertisedHosts } from './network/addresses'
import { dropGrants } from './requests'

export const MAX_CONNECTIONS = 64
/** Answers a peer has not read yet, at most: beyond, the connection is closed. */
export const MAX_UNREAD_BYTES = 1024 * 1024
/** Live connections one pairing or one application key may hold at once. */
export const MAX_PER_CALLER = 4
const DAY_MS = 24 * 60 * 60 * 1000
/** A companion may bring the unlock screen up at most this often. */
const UNLOCK_REQUEST_MS = 30_000
/** How often live connections are re-checked: a revoke, an expiry or a key's end closes them within this (and well within 1 s). */
export const SWEEP_MS = 250

export interface LocalAgentOptions {
  services: AgentServices
  clock: Clock
  approver: Approver
  holder: 'app' | 'agent'
  software: string
  /** The folder of the socket (tests); `agentFolder()` by default. */
  folder?: string
  timings?: Partial<ConnectionTimings>
  /** Called on every request (the headless agent counts requests as activity for its idle lock). */
  activity?: () => void
  /** Called when a terminal's command starts (the app counts those as the person's activity for its idle lock). */
  terminalCommand?: () => void
  /** False lifts the per-connection and per-caller request rates (`npm run bench` only). */
  requestLimits?: boolean
  /** Serves the CLI's commands for this user's terminals (docs/terminal-sessions.md); absent: terminals are refused. */
  terminals?: TerminalHost
}

/**
 * The local access agent: serves companions and scripts on a Unix socket that only this
 * user can reach (docs/pairing-protocol.md §2.2), for the vault of `services`. The same class
 * runs in the app's core thread and in `keyhold agent`.
 *
 * What must stay true:
 * - One agent per vault: a second one is refused with who holds it.
 * - While the vault is locked it still answers (VAULT_LOCKED), and it never crashes on input.
 * - A pairing that ends, expires or is revoked (by any process) closes its connections within a second.
 */
export class LocalAgent {
  private server: Server | null = null
  private endpointValue: AgentEndpoint | null = null
  private readonly connections = new Set<Connection>()
  private readonly sockets = new Set<Socket>()
  private sweep: ReturnType<typeof setInterval> | undefined
  private daily: ReturnType<typeof setInterval> | undefined
  private readonly unsubscribe: Array<() => void> = []
  private readonly unlockListeners = new Set<() => void>()
  private readonly lockListeners = new Set<() => void>()
  private ctx: AgentContext | null = null
  private unlockRequestedAt = -Infinity
  private ticking = false
  private networkEndpoint: { endpoint: NetworkEndpoint; listening: NetworkListening; fingerprint: string } | null = null
  private networkQueue: Promise<void> = Promise.resolve()
  /** Called after each re-check (every SWEEP_MS): the service's rules for the network endpoint. */
  onTick: (() => void) | null = null

  constructor(private readonly options: LocalAgentOptions) {}

  get endpoint(): AgentEndpoint | null {
    return this.endpointValue
  }

  get connectionCount(): number {
    return this.connections.size
  }

  get networkConnections(): number {
    return [...this.connections].filter((connection) => connection.origin.kind === 'network').length
  }

  /** Where phones reach this agent, while the network endpoint listens. */
  get network(): (NetworkListening & { fingerprint: string; hosts: string[] }) | null {
    const network = this.networkEndpoint
    if (!network) return null
    return { ...network.listening, fingerprint: network.fingerprint, hosts: advertisedHosts(network.listening.addresses, network.listening.port) }
  }

  /**
   * Listens for phones too (§2.4), on `addresses` at `port` (or another free one). The caller
   * decides when (the settings, the lock): this only serves. Restarting with other addresses
   * stops the old listeners first.
   */
  startNetwork(options: { identity: TlsIdentity; addresses: readonly string[]; port: number | null }): Promise<NetworkListening> {
    return this.networkStep(async () => {
      if (!this.server) throw new KeyholdError('AGENT_NOT_RUNNING', 'The agent is not running, so it cannot listen for phones.')
      await this.closeNetwork()
      // Loaded on first use: the CLI and an agent that never serves phones skip TLS and WebSocket code.
      const { NetworkEndpoint } = await import('./network/network-endpoint')
      const endpoint = new NetworkEndpoint({ ...options, open: (link, address) => this.open(link, { kind: 'network', address }) })
      const listening = await endpoint.start()
      // Stopped meanwhile: this endpoint is nobody's, so it goes at once.
      if (!this.server) {
        await endpoint.stop()
        throw new KeyholdError('AGENT_NOT_RUNNING', 'The agent stopped, so it does not listen for phones.')
      }
      this.networkEndpoint = { endpoint, listening, fingerprint: options.identity.fingerprint }
      await this.publish().catch(() => undefined)
      return listening
    })
  }

  /** Stops listening for phones and closes every network connection now. */
  stopNetwork(): Promise<void> {
    return this.networkStep(() => this.closeNetwork())
  }

  /** Starts and stops of the network endpoint run one after the other: never two listeners. */
  private networkStep<T>(step: () => Promise<T>): Promise<T> {
    const run = this.networkQueue.then(step)
    this.networkQueue = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }

  private async closeNetwork(): Promise<void> {
    const network = this.networkEndpoint
    if (!network) return
    this.networkEndpoint = null
    for (const connection of [...this.connections]) if (connection.origin.kind === 'network') connection.end({ event: 'agent.stopping' })
    await network.endpoint.stop()
    await this.publish().catch(() => undefined)
  }

  /** Listens. CONFLICT when another live agent holds the vault; VAULT_FOLDER_UNSAFE for a bad folder. */
  async start(): Promise<AgentEndpoint> {
    if (this.server) return this.endpointValue!
    const { services } = this.options
    const vaultId = services.vault.isUnlocked ? services.vault.vault().id : (await Vault.peek(services.vault.path))?.vaultId
    if (!vaultId) throw new KeyholdError('VAULT_NOT_FOUND', 'There is no vault to serve yet. Create one first.')
    const endpoint = agentEndpoint(vaultId, this.options.folder ?? agentFolder())
    await ensureAgentFolder(endpoint.folder)
    const held = readAgentInfo(endpoint)
    if (held && !(await agentGone(held, endpoint))) throw new KeyholdError('CONFLICT', agentHeldMessage(held))
    await removeAgentFiles(endpoint)

    this.ctx = this.context(vaultId)
    // No server.maxConnections: Node would drop the 65th silently; accept() refuses it in words.
    const server = createServer((socket) => this.accept(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(endpoint.socket, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', () => undefined)
    if (process.platform !== 'win32') await fs.chmod(endpoint.socket, 0o600)
    this.server = server
    this.endpointValue = endpoint
    await this.publish()
    this.unsubscribe.push(
      services.vault.onUnlock(() => this.unlocked()),
      services.vault.onLock(() => this.locked()),
    )
    this.sweep = setInterval(() => void this.tick(), SWEEP_MS)
    this.sweep.unref?.()
    // Idle auto-revoke: at start, at every unlock, and once a day while running.
    if (services.vault.isUnlocked) void services.pairings.endIdle().catch(() => undefined)
    this.daily = setInterval(() => void services.pairings.endIdle().catch(() => undefined), DAY_MS)
    this.daily.unref?.()
    return endpoint
  }

  /** Stops listening, closes every connection and removes the socket and the facts file. */
  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = null
    clearInterval(this.sweep)
    clearInterval(this.daily)
    for (const off of this.unsubscribe.splice(0)) off()
    await this.stopNetwork()
    for (const connection of [...this.connections]) connection.end({ event: 'agent.stopping' })
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    if (this.endpointValue) await removeAgentFiles(this.endpointValue)
  }

  private context(vaultId: string): AgentContext {
    const { services, clock, approver, software } = this.options
    return {
      vaultId,
      software,
      clock,
      services,
      approver,
      limits: new AgentLimits(clock, this.options.requestLimits !== false),
      timings: { ...DEFAULT_TIMINGS, ...this.options.timings },
      registry: {
        authenticated: (connection) => this.limitPerCaller(connection),
        closed: (connection) => this.connections.delete(connection),
      },
      onUnlocked: (listener) => {
        this.unlockListeners.add(listener)
        return () => this.unlockListeners.delete(listener)
      },
      onLocked: (listener) => {
        this.lockListeners.add(listener)
        return () => this.lockListeners.delete(listener)
      },
      requestUnlock: () => {
        const now = clock.now()
        if (now - this.unlockRequestedAt < UNLOCK_REQUEST_MS) return
        this.unlockRequestedAt = now
        approver.requestUnlock()
      },
      activity: () => this.options.activity?.(),
      terminalCommand: () => this.options.terminalCommand?.(),
      holder: this.options.holder,
      ...(this.options.terminals && { terminals: { host: this.options.terminals, grants: new TerminalGrants(clock) } }),
    }
  }

  /** A new connection over `link`; null (after telling the peer RATE_LIMITED) when the agent is full. */
  private open(link: FrameLink, origin: ConnectionOrigin): Connection | null {
    const ctx = this.ctx
    if (!ctx || this.connections.size >= MAX_CONNECTIONS) {
      link.send(encodeBody('clear', jsonBytes(TOO_MANY)))
      link.close()
      return null
    }
    const connection = new Connection(ctx, link, origin)
    this.connections.add(connection)
    return connection
  }

  private accept(socket: Socket): void {
    if (!this.ctx || this.connections.size >= MAX_CONNECTIONS) {
      refuseSocket(socket)
      return
    }
    this.sockets.add(socket)
    const connection = this.open(
      {
        send: (body) => {
          if (socket.destroyed) return
          socket.write(withLengthPrefix(body))
          // A peer that stops reading would make the agent hold every answer: it is dropped.
          if (socket.writableLength > MAX_UNREAD_BYTES) socket.destroy()
        },
        sendPieces: (kind, pieces) => {
          if (socket.destroyed) return
          const head = streamHead(kind, pieces.reduce((sum, piece) => sum + piece.length, 0))
          // One write of them all (writev), each piece as it is.
          socket.cork()
          try {
            socket.write(head)
            for (const piece of pieces) socket.write(piece)
          } finally {
            socket.uncork()
          }
          if (socket.writableLength > MAX_UNREAD_BYTES) socket.destroy()
        },
        buffered: () => socket.writableLength,
        drained: () =>
          new Promise<void>((resolve) => {
            if (socket.destroyed || socket.writableLength === 0) return resolve()
            const done = () => {
              socket.off('drain', done)
              socket.off('close', done)
              resolve()
            }
            socket.on('drain', done)
            socket.on('close', done)
          }),
        close: () => {
          if (!socket.destroyed) socket.end()
          setTimeout(() => socket.destroy(), 1_000).unref()
        },
      },
      LOCAL,
    )!
    const reader = new FrameReader()
    socket.on('data', (chunk: Buffer) => {
      if (connection.isClosed) return
      let bodies: Uint8Array[]
      try {
        bodies = reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))
      } catch (error) {
        connection.streamError(error instanceof FrameError ? error : new FrameError('The stream is not framed.'))
        return
      }
      for (const body of bodies) connection.receiveBody(body)
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      this.sockets.delete(socket)
      this.connections.delete(connection)
      connection.closed()
    })
  }

  /** A fifth connection of one pairing or key is closed with RATE_LIMITED. */
  private limitPerCaller(connection: Connection): void {
    const id = callerId(connection)
    const same = [...this.connections].filter((other) => !other.isClosed && callerId(other) === id)
    if (same.length > MAX_PER_CALLER)
      connection.end({ event: 'error', error: { code: 'RATE_LIMITED', message: `At most ${MAX_PER_CALLER} connections per paired app or key. Close one and try again.` } })
  }

  /**
   * Every SWEEP_MS: reads the vault again if another process saved it (a revoke by `keyhold
   * app revoke`, a key deactivated in the CLI), then re-checks every connection.
   */
  private async tick(): Promise<void> {
    if (this.ticking) return
    this.ticking = true
    try {
      const { vault } = this.options.services
      if (vault.isUnlocked) await vault.vault().refresh()
    } catch {
      // A file that cannot be read now (being replaced, a disk fault) is read at the next tick.
    } finally {
      this.ticking = false
    }
    this.check()
    this.onTick?.()
  }

  /** Re-checks every authenticated connection: pairing still live, key still allowed. */
  private check(): void {
    const { services } = this.options
    if (!services.vault.isUnlocked) return
    for (const connection of this.connections) {
      const caller = connection.caller
      if (!caller) continue
      try {
        if (caller.type === 'pairing') {
          const live = services.pairings.live(caller.pairingId)
          if (!live) connection.end({ event: 'pairing.ended', reason: services.pairings.endReason(caller.pairingId) })
        } else if (caller.type === 'terminal') {
          if (!caller.lockOnly && !this.ctx?.terminals?.grants.allowed(caller.grant)) connection.end({ event: 'terminal.ended', reason: 'expired' })
        } else if (!services.appKeys.stillAllowed(caller.key)) {
          connection.end({ event: 'key.ended' })
        }
      } catch {
        // Locked meanwhile: requests answer VAULT_LOCKED.
      }
    }
  }

  private unlocked(): void {
    for (const listener of [...this.unlockListeners]) listener()
    for (const connection of this.connections) connection.notify({ event: 'vault.unlocked' })
    this.check()
    void this.publish().catch(() => undefined)
    void this.options.services.pairings.endIdle().catch(() => undefined)
  }

  private locked(): void {
    if (this.ctx) dropGrants(this.ctx)
    // Locking ends every terminal's grant, and its connections with it.
    this.ctx?.terminals?.grants.clear()
    for (const connection of this.connections) if (connection.caller?.type === 'terminal') connection.end({ event: 'terminal.ended', reason: 'locked' })
    for (const listener of [...this.lockListeners]) listener()
    for (const connection of this.connections) connection.notify({ event: 'vault.locked' })
    // The facts say locked (dpk null): terminals and scripts take the master password instead.
    void this.publish().catch(() => undefined)
  }

  private async publish(): Promise<void> {
    const endpoint = this.endpointValue
    if (!endpoint || !this.ctx) return
    const { services } = this.options
    const dpk = services.vault.isUnlocked ? toBase64Url(services.pairings.desktopKey().publicKey) : null
    const network = this.network
    await writeAgentInfo(endpoint, {
      v: 1,
      vault: this.ctx.vaultId,
      dpk,
      pid: process.pid,
      holder: this.options.holder,
      since: new Date().toISOString(),
      network: network ? { hosts: network.hosts, fp: network.fingerprint } : null,
      terminals: this.options.terminals !== undefined,
      path: await fs.realpath(services.vault.path).catch(() => services.vault.path),
    })
  }
}

function callerId(connection: Connection): string | null {
  const caller = connection.caller
  if (!caller) return null
  return caller.type === 'pairing' ? `p:${caller.pairingId}` : caller.type === 'terminal' ? `t:${caller.grant}` : `k:${caller.key}`
}

const TOO_MANY = { t: 'error', code: 'RATE_LIMITED', message: 'Too many connections to Keyhold. Close some and try again.' }

function refuseSocket(socket: Socket): void {
  socket.on('error', () => undefined)
  socket.end(withLengthPrefix(encodeBody('clear', jsonBytes(TOO_MANY))))
}
