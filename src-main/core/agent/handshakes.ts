import { randomBytes } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import type { z } from 'zod'
import type { SerializedError } from '../../../src-shared/errors'
import { FrameError, fromBase64Url, jsonBytes, parseJsonObject, toBase64Url, type Frame } from '../../../src-shared/local-access/frames'
import { appKeySignedMessage, authSchema, clientHelloSchema, deviceClaimSchema, SUPPORTED_VERSIONS, type ClientHello, type DeviceClaim } from '../../../src-shared/local-access/messages'
import { Handshake, type KeyPair } from '../../../src-shared/local-access/noise'
import type { ClaimedApp, PairingRecord } from '../pairings/pairings.service'
import type { AgentContext, ConnectionOrigin } from './agent-context'

/**
 * The responder's side of the three handshakes (docs/pairing-protocol.md §5 to §7), as steps
 * that take a message and give the reply: the connection decides what to send and when.
 * None of them writes to the vault.
 */

/**
 * The client hello (§4): the hello, or the CLEAR error to answer before closing (no common
 * version, another vault, typed codes paused, too many pairings, a mode the network may not
 * use: §2.4.3). FrameError when malformed.
 */
export function admitHello(ctx: AgentContext, data: Uint8Array, origin: ConnectionOrigin): { hello: ClientHello } | { refusal: Record<string, unknown> } {
  const hello = parseWith(clientHelloSchema, parseJsonObject(data))
  const refuse = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ refusal: { t: 'error', code, message, ...extra } })
  if (!hello.v.some((v) => (SUPPORTED_VERSIONS as readonly number[]).includes(v)))
    return refuse('UNSUPPORTED_VERSION', 'This Keyhold speaks local access version 1 only. Update the companion or Keyhold.', { versions: [...SUPPORTED_VERSIONS] })
  if (hello.mode !== 'pair' && hello.vault === undefined) throw new FrameError('The hello names no vault.')
  if (hello.vault !== undefined && hello.vault !== ctx.vaultId)
    return refuse('NOT_FOUND', 'This agent holds another vault. Check which vault the companion was paired with.')
  if (hello.app !== undefined && hello.mode !== 'pair') throw new FrameError('Only a pairing hello names an application.')
  if (origin.kind === 'network') {
    if (hello.mode === 'appkey') return refuse('FORBIDDEN', 'Application keys connect on this computer only, not over the network.')
    if (hello.mode === 'terminal') return refuse('FORBIDDEN', 'Terminals connect on this computer only.')
    if (hello.mode === 'pair' && hello.app === undefined) return refuse('FORBIDDEN', 'Over the network a phone pairs by scanning the QR code; a typed code works on this computer only.')
  }
  if (hello.mode === 'terminal' && !ctx.terminals) return refuse('FORBIDDEN', 'This Keyhold does not serve terminals.')
  if (hello.mode === 'pair' && hello.app === undefined && ctx.limits.typedCodesBlocked())
    return refuse('RATE_LIMITED', 'Too many wrong codes were typed. Wait 10 minutes, or scan the QR code instead.')
  if (hello.mode === 'pair' && !ctx.limits.takePairingHandshake(origin))
    return refuse('RATE_LIMITED', 'Too many pairing attempts. Wait a minute and try again.', { retryAfterMs: 60_000 })
  return { hello }
}

/** IK message 1 → message 2, or null for the uniform refusal (bad tag, no live pairing). */
export function respondSession(ctx: AgentContext, prologue: Uint8Array, s: KeyPair, message: Uint8Array): { hs: Handshake; reply: Uint8Array; pairing: PairingRecord } | null {
  const hs = new Handshake({ pattern: 'IK', initiator: false, prologue, s })
  try {
    hs.readMessage(message)
  } catch {
    return null
  }
  // SECURITY: the pairing is looked up only after the message proved the companion's key.
  const pairing = ctx.services.pairings.liveByCompanionKey(hs.remoteStatic!)
  if (!pairing) return null
  const payload = { pairing: ctx.services.pairings.view(pairing), clipboardClearSeconds: ctx.services.settings.get().clipboardClearSeconds }
  return { hs, reply: hs.writeMessage(jsonBytes(payload)), pairing }
}

/** A terminal's NX message 1 → message 2 (empty payload: a terminal proves nothing; the person allows it). */
export function respondTerminal(prologue: Uint8Array, s: KeyPair, message: Uint8Array): { hs: Handshake; reply: Uint8Array } {
  const hs = new Handshake({ pattern: 'NX', initiator: false, prologue, s })
  try {
    hs.readMessage(message)
  } catch {
    throw new FrameError('The first handshake message is malformed.')
  }
  return { hs, reply: hs.writeMessage(jsonBytes({})) }
}

/** NX message 1 → message 2 with a fresh challenge; FrameError for a malformed message. */
export function respondAppKey(prologue: Uint8Array, s: KeyPair, message: Uint8Array): { hs: Handshake; reply: Uint8Array; challenge: Uint8Array } {
  const hs = new Handshake({ pattern: 'NX', initiator: false, prologue, s })
  try {
    hs.readMessage(message)
  } catch {
    throw new FrameError('The first handshake message is malformed.')
  }
  const challenge = new Uint8Array(randomBytes(32))
  return { hs, reply: hs.writeMessage(jsonBytes({ challenge: toBase64Url(challenge) })), challenge }
}

/**
 * XXpsk0 message 1 → message 2 (§5.2 step 1): tries the named application's PSK, or every
 * pending key's for a typed code. Null when none verifies (a failed proof). SECURITY: an
 * unknown or spent application costs the same work, against a random PSK.
 */
export function respondPair(ctx: AgentContext, hello: ClientHello, prologue: Uint8Array, s: KeyPair, message: Uint8Array): { hs: Handshake; reply: Uint8Array; app: ClaimedApp } | null {
  const pairings = ctx.services.pairings
  const real = pairings.candidates(hello.app)
  const candidates = hello.app !== undefined && real.length === 0 ? [{ appId: null, psk: new Uint8Array(randomBytes(32)) }] : real
  for (const candidate of candidates) {
    const hs = new Handshake({ pattern: 'XXpsk0', initiator: false, prologue, s, psk: candidate.psk })
    try {
      hs.readMessage(message)
    } catch {
      continue
    }
    if (candidate.appId === null) return null
    const app = pairings.app(candidate.appId)
    if (!app) return null
    const offer = { vault: ctx.vaultId, app: { id: app.id, name: app.name, type: app.type }, expiresAt: app.expiresAt }
    return { hs, reply: hs.writeMessage(jsonBytes(offer)), app }
  }
  return null
}

/** XXpsk0 message 3: the companion's claim, or null when the proof fails; FrameError for a claim of the wrong shape. */
export function readPairClaim(hs: Handshake, message: Uint8Array): DeviceClaim | null {
  let payload: Uint8Array
  try {
    payload = hs.readMessage(message)
  } catch {
    return null
  }
  return parseWith(deviceClaimSchema, parseJsonObject(payload))
}

/** The first transport frame of an app-key session (§7): whether the key may connect. */
export function checkAuth(ctx: AgentContext, auth: z.infer<typeof authSchema>, h: Uint8Array, challenge: Uint8Array): boolean {
  const keys = ctx.services.appKeys
  if ('sig' in auth) return keys.authenticate({ key: auth.key }, (publicKey) => verifySignature(auth.sig, appKeySignedMessage(h, challenge, auth.key), publicKey))
  return keys.authenticate({ key: auth.key, token: auth.token })
}

function verifySignature(sig: string, message: Uint8Array, publicKey: Uint8Array): boolean {
  const bytes = fromBase64Url(sig, 64)
  if (!bytes) return false
  try {
    return ed25519.verify(bytes, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}

/** A message checked against its schema; FrameError (PROTOCOL_ERROR) when it does not fit. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new FrameError('The message does not have the fields this step needs.')
  return parsed.data
}

export function protocolError(detail: string): SerializedError {
  return { code: 'PROTOCOL_ERROR', message: `The companion broke the local access protocol: ${detail} Update the companion; the connection was closed.` }
}

/** The data of a frame of the kind this step expects; FrameError (PROTOCOL_ERROR) otherwise. */
export function expectKind(frame: Frame, kind: 'clear' | 'handshake' | 'transport'): Uint8Array {
  if (frame.kind !== kind) throw new FrameError(`A ${frame.kind} frame came where a ${kind} frame was expected.`)
  if (kind === 'handshake' && frame.data.length > 2_048) throw new FrameError('The handshake message is too large.')
  return frame.data
}

export const frameMessage = (error: FrameError | z.ZodError) => (error instanceof FrameError ? error.message : 'The message does not have the fields this step needs.')
