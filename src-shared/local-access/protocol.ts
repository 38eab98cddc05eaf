/**
 * The parts of the local access protocol (docs/pairing-protocol.md) that a terminal's client
 * needs, with no schema library: versions, the prologue, and checks of the two CLEAR frames the
 * agent sends (its hello, and an error). The CLI's fast path loads this instead of messages.ts,
 * whose zod schemas cost it tens of milliseconds to build (npm run bench). messages.ts
 * re-exports all of it, so both sides still read the protocol from one place.
 */

export const PROTOCOL_VERSION = 1
export const SUPPORTED_VERSIONS = [PROTOCOL_VERSION] as const
export const PROLOGUE_LABEL = 'keyhold-local/1'

export const MODES = ['pair', 'session', 'appkey', 'terminal'] as const
export type Mode = (typeof MODES)[number]

/** The agent's CLEAR hello (§4.1). */
export interface ServerHello {
  t: 'hello'
  v: number
  vault: string
  locked: boolean
  software: string
  ops: string[]
}

/** A CLEAR error from the agent, before or instead of the handshake (§4.3). */
export interface ClearError {
  t: 'error'
  code: string
  message: string
  versions?: number[]
  retryAfterMs?: number
}

const isInt = (value: unknown): value is number => Number.isSafeInteger(value)
const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max
const ID = /^[A-Za-z0-9_-]{1,64}$/

/** The hello if `value` is one as §4.1 writes it (unknown fields ignored), else null. */
export function readServerHello(value: Record<string, unknown>): ServerHello | null {
  const { t, v, vault, locked, software, ops } = value
  if (t !== 'hello' || !isInt(v) || typeof vault !== 'string' || !ID.test(vault) || typeof locked !== 'boolean' || !isText(software, 64)) return null
  if (!Array.isArray(ops) || ops.length > 64 || !ops.every((op) => isText(op, 64))) return null
  return { t, v, vault, locked, software, ops: [...ops] }
}

/** The error if `value` is a CLEAR error as §4.3 writes it (unknown fields ignored), else null. */
export function readClearError(value: Record<string, unknown>): ClearError | null {
  const { t, code, message, versions, retryAfterMs } = value
  if (t !== 'error' || !isText(code, 64) || !isText(message, 500)) return null
  if (versions !== undefined && !(Array.isArray(versions) && versions.length <= 8 && versions.every(isInt))) return null
  if (retryAfterMs !== undefined && !(isInt(retryAfterMs) && retryAfterMs >= 0)) return null
  return { t, code, message, ...(versions !== undefined && { versions: [...versions] }), ...(retryAfterMs !== undefined && { retryAfterMs }) }
}

/**
 * The Noise prologue (§3.2): the label, then the client hello and the last server hello as
 * carried (their JSON bytes), each with its length, so a relay that changes either fails the
 * handshake.
 */
export function prologue(clientHello: Uint8Array, serverHello: Uint8Array): Uint8Array {
  const label = new TextEncoder().encode(PROLOGUE_LABEL)
  const out = new Uint8Array(label.length + 8 + clientHello.length + serverHello.length)
  const view = new DataView(out.buffer)
  out.set(label, 0)
  let at = label.length
  view.setUint32(at, clientHello.length, false)
  out.set(clientHello, at + 4)
  at += 4 + clientHello.length
  view.setUint32(at, serverHello.length, false)
  out.set(serverHello, at + 4)
  return out
}

/** The message that third-party application keys sign (§7). */
export function appKeySignedMessage(handshakeHash: Uint8Array, challenge: Uint8Array, key: string): Uint8Array {
  const label = new TextEncoder().encode('keyhold-appkey-auth/1')
  const keyBytes = new TextEncoder().encode(key)
  const out = new Uint8Array(label.length + 1 + handshakeHash.length + challenge.length + keyBytes.length)
  out.set(label, 0)
  out[label.length] = 0
  out.set(handshakeHash, label.length + 1)
  out.set(challenge, label.length + 1 + handshakeHash.length)
  out.set(keyBytes, label.length + 1 + handshakeHash.length + challenge.length)
  return out
}
