import { parseCode } from './authorization-code'
import { canonicalTime } from './iso-time'

/**
 * The payload of the My apps QR code: a versioned URI a companion app (the mobile app or
 * the browser extension) reads to pair with this vault. The format is documented in
 * docs/pairing-uri.md; change it only by adding optional parameters, or by a new `v`.
 *
 *   keyhold://pair?v=1&vault=<vault id>&app=<application id>&key=<code>&exp=<ISO-8601 or empty>
 *                  [&dpk=<desktop public key>][&host=<ip:port>[,<ip:port>]...][&fp=<certificate fingerprint>]
 *
 * `host` and `fp` are for phones (docs/pairing-protocol.md §2.4): where the vault listens on
 * the local network, and the SHA-256 of its certificate's public key, to pin.
 * SECURITY: the URI carries the authorization key; it exists only in the one-time create result.
 */

export const PAIRING_URI_SCHEME = 'keyhold:'
export const PAIRING_URI_ACTION = 'pair'
export const PAIRING_URI_VERSION = 1
/** No legitimate pairing URI comes near this; longer input is refused before parsing. */
export const PAIRING_URI_MAX_LENGTH = 2048

export interface PairingPayload {
  version: typeof PAIRING_URI_VERSION
  vaultId: string
  appId: string
  /** The authorization key as its printed code (grouped, with its check symbol). */
  code: string
  /** ISO-8601 in UTC (`toISOString()` form), or null when the key does not expire. */
  expiresAt: string | null
  /**
   * The vault's static X25519 public key (32 bytes, base64url without padding, 43 characters)
   * that a companion pins when it pairs (docs/pairing-protocol.md §11). Absent in keys made
   * before schema 5.
   */
  desktopKey?: string
  /** For phones: where the vault listens, 1 to 4 of `a.b.c.d:port` or `[v6]:port`, tried in order. */
  hosts?: string[]
  /** For phones: SHA-256 of the certificate's SubjectPublicKeyInfo, base64url (43 characters), to pin. */
  fingerprint?: string
}

export type PairingParseResult = { ok: true; value: PairingPayload } | { ok: false; message: string }

const ID = /^[A-Za-z0-9_-]{1,64}$/
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/
const MAX_HOSTS = 4
const DESKTOP_KEY = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/
/** SHA-256 as base64url without padding: 43 characters, the last one carrying 4 bits. */
const FINGERPRINT = DESKTOP_KEY

/** A certificate fingerprint as `fp` carries it (and the agent's facts file). */
export function isFingerprint(value: unknown): value is string {
  return typeof value === 'string' && FINGERPRINT.test(value)
}

/** One `host` entry: an IPv4 address or a bracketed IPv6 one, and a port 1..65535. Null when malformed. */
export function parseHostPort(entry: string): { address: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry)
  if (!match) return null
  const port = Number(match[3])
  if (port < 1 || port > 65535) return null
  const address = match[1] ?? match[2]!
  if (match[1] !== undefined ? !IPV6.test(address) || !address.includes(':') : !IPV4.test(address)) return null
  return { address, port }
}

function validHosts(hosts: readonly string[]): boolean {
  return hosts.length >= 1 && hosts.length <= MAX_HOSTS && hosts.every((entry) => parseHostPort(entry) !== null)
}
const KNOWN = ['v', 'vault', 'app', 'key', 'exp', 'dpk', 'host', 'fp'] as const

/** Builds the URI with the parameters in a fixed order, so the same payload gives the same URI. */
export function buildPairingUri(payload: Omit<PairingPayload, 'version'> & { version?: typeof PAIRING_URI_VERSION }): string {
  const code = parseCode(payload.code)
  if (!code.ok) throw new RangeError('The pairing URI needs a valid authorization code.')
  if (!ID.test(payload.vaultId) || !ID.test(payload.appId)) throw new RangeError('The pairing URI needs a vault id and an application id.')
  const exp = payload.expiresAt === null ? '' : canonicalTime(payload.expiresAt)
  if (exp === null) throw new RangeError('The pairing URI needs the expiry as an ISO-8601 time.')
  const params: Array<[string, string]> = [
    ['v', String(PAIRING_URI_VERSION)],
    ['vault', payload.vaultId],
    ['app', payload.appId],
    ['key', code.code],
    ['exp', exp],
  ]
  if (payload.desktopKey !== undefined) {
    if (!DESKTOP_KEY.test(payload.desktopKey)) throw new RangeError('The pairing URI needs the desktop key as 43 base64url characters.')
    params.push(['dpk', payload.desktopKey])
  }
  if (payload.hosts !== undefined) {
    if (!validHosts(payload.hosts)) throw new RangeError('The pairing URI needs 1 to 4 hosts, each an IP address and a port.')
    params.push(['host', payload.hosts.join(',')])
  }
  if (payload.fingerprint !== undefined) {
    if (!FINGERPRINT.test(payload.fingerprint)) throw new RangeError('The pairing URI needs the fingerprint as 43 base64url characters.')
    params.push(['fp', payload.fingerprint])
  }
  const query = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')
  return `${PAIRING_URI_SCHEME}//${PAIRING_URI_ACTION}?${query}`
}

/**
 * Reads a pairing URI. Unknown parameters are ignored (a later v1 may add optional ones);
 * an unknown version, a repeated or missing parameter, or a key that fails its check is
 * refused with a sentence for people that never quotes the key.
 */
export function parsePairingUri(uri: string): PairingParseResult {
  const fail = (message: string): PairingParseResult => ({ ok: false, message })
  if (uri.length > PAIRING_URI_MAX_LENGTH) return fail('This is not a Keyhold pairing code: it is far too long.')
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return fail('This is not a Keyhold pairing code.')
  }
  if (url.protocol !== PAIRING_URI_SCHEME || url.hostname !== PAIRING_URI_ACTION || (url.pathname !== '' && url.pathname !== '/'))
    return fail('This is not a Keyhold pairing code.')
  const params = url.searchParams
  for (const name of KNOWN) if (params.getAll(name).length > 1) return fail(`The pairing code repeats its "${name}" field.`)
  const version = params.get('v')
  if (version === null) return fail('The pairing code has no version.')
  if (version !== String(PAIRING_URI_VERSION))
    return fail(`The pairing code is version ${version.slice(0, 8)}; this app reads version ${PAIRING_URI_VERSION}. Update it.`)
  const vaultId = params.get('vault')
  const appId = params.get('app')
  if (vaultId === null || !ID.test(vaultId)) return fail('The pairing code has no valid vault id.')
  if (appId === null || !ID.test(appId)) return fail('The pairing code has no valid application id.')
  const key = params.get('key')
  if (key === null) return fail('The pairing code has no key.')
  const code = parseCode(key)
  if (!code.ok) return fail(`The key in the pairing code is not valid. ${code.message}`)
  const exp = params.get('exp')
  if (exp === null) return fail('The pairing code has no expiry field (it is empty when the key does not expire).')
  const expiresAt = exp === '' ? null : canonicalTime(exp)
  if (exp !== '' && expiresAt === null) return fail('The expiry in the pairing code is not an ISO-8601 time.')
  const value: PairingPayload = { version: PAIRING_URI_VERSION, vaultId, appId, code: code.code, expiresAt }
  const desktopKey = params.get('dpk')
  if (desktopKey !== null) {
    if (!DESKTOP_KEY.test(desktopKey)) return fail("The desktop key in the pairing code is not valid. Show the code again in Keyhold's My apps.")
    value.desktopKey = desktopKey
  }
  const host = params.get('host')
  if (host !== null) {
    const hosts = host.split(',')
    if (!validHosts(hosts)) return fail("The network address in the pairing code is not valid. Show the code again in Keyhold's My apps.")
    value.hosts = hosts
  }
  const fingerprint = params.get('fp')
  if (fingerprint !== null) {
    if (!FINGERPRINT.test(fingerprint)) return fail("The certificate fingerprint in the pairing code is not valid. Show the code again in Keyhold's My apps.")
    value.fingerprint = fingerprint
  }
  return { ok: true, value }
}
