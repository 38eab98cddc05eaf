import { parseCode } from '../apps/authorization-code'
import { parsePairingUri } from '../apps/pairing-uri'
import { checkPhrase } from './check-phrase'
import { fromBase64Url, jsonBytes, parseJsonObject, toBase64Url } from './frames'
import { CompanionError, DEFAULT_CLIPBOARD_CLEAR_SECONDS, equal, Link, openNx, Session, type FrameTransport } from './link'
import { appKeySignedMessage, challengeSchema, pairingViewSchema, pairOfferSchema, type DeviceClaim, type PairingView, type PairOffer } from './messages'
import { generateKeyPair, Handshake, keyPairFromPrivate } from './noise'
import { pairingPsk } from './psk'

/**
 * The reference companion: pair with a vault by its authorization key, open sessions as
 * that pairing, or as an application key, and send requests (docs/pairing-protocol.md).
 * Plain TypeScript on noble, with no Node, Electron or DOM dependency: the CLI, the tests,
 * the browser extension and phone apps use it over their own transport.
 */

export { FrameQueue } from './frame-queue'
export { CompanionError, DEFAULT_CLIPBOARD_CLEAR_SECONDS, openTerminalSession, Session, type FrameTransport, type SecretListPage } from './link'

/** What a paired companion keeps (in its platform's secure store): enough to open sessions. */
export interface PairedIdentity {
  vaultId: string
  /** The vault's static public key, pinned (base64url). */
  desktopKey: string
  /** This companion's static private key for this pairing only (base64url). SECURITY: a secret. */
  privateKey: string
  pairing: PairingView
  /** A phone's: where the vault listens on the local network and the certificate it pins (§2.4), from the QR code. */
  network?: NetworkTarget
}

/** Where a phone reaches the vault: `ip:port` entries tried in order, and the certificate's SPKI SHA-256 (base64url) it pins. */
export interface NetworkTarget {
  hosts: string[]
  fingerprint: string
}

/** What the person gave: a scanned pairing URI or a typed code. */
export interface PairingInput {
  code: string
  vaultId?: string
  appId?: string
  desktopKey?: string
  /** From a phone's QR code: where to connect, and what to pin. */
  network?: NetworkTarget
}

/** Reads a scanned URI or a typed code, with the code's typo check; throws INVALID_INPUT in words for people. */
export function readPairingInput(text: string): PairingInput {
  const trimmed = text.trim()
  if (/^keyhold:/i.test(trimmed)) {
    const parsed = parsePairingUri(trimmed)
    if (!parsed.ok) throw new CompanionError('INVALID_INPUT', parsed.message)
    const { code, vaultId, appId, desktopKey, hosts, fingerprint } = parsed.value
    return {
      code,
      vaultId,
      appId,
      ...(desktopKey !== undefined && { desktopKey }),
      ...(hosts !== undefined && fingerprint !== undefined && { network: { hosts, fingerprint } }),
    }
  }
  const parsed = parseCode(trimmed)
  if (!parsed.ok) throw new CompanionError('INVALID_INPUT', parsed.message)
  return { code: parsed.code }
}

export interface PairOptions {
  claim: DeviceClaim
  /** Called with the check phrase as soon as it is known, to show it to the person. */
  onPhrase?(phrase: string, offer: PairOffer): void
  /** Called when the desktop is showing its approval dialog. */
  onWaiting?(timeoutMs: number): void
}

/** Pairs (XXpsk0), waits for the person's approval, and returns the identity and an open session. */
export async function pair(transport: FrameTransport, input: PairingInput, options: PairOptions): Promise<{ identity: PairedIdentity; session: Session }> {
  const parsed = parseCode(input.code)
  if (!parsed.ok) throw new CompanionError('INVALID_INPUT', parsed.message)
  const pinned = input.desktopKey === undefined ? null : fromBase64Url(input.desktopKey, 32)
  if (input.desktopKey !== undefined && !pinned) throw new CompanionError('INVALID_INPUT', 'The desktop key in the pairing code is not valid.')
  const link = new Link(transport)
  const { prologue: pro, hello } = await link.hello('pair', { vault: input.vaultId, app: input.appId })
  const s = generateKeyPair()
  const hs = new Handshake({ pattern: 'XXpsk0', initiator: true, prologue: pro, s, psk: pairingPsk(parsed.key) })
  link.send('handshake', hs.writeMessage(new Uint8Array(0)))
  const msg2 = await link.expect('handshake', 'pair')
  let offer: PairOffer
  try {
    offer = pairOfferSchema.parse(parseJsonObject(hs.readMessage(msg2)))
  } catch {
    throw link.abort('PROTOCOL_ERROR', 'The agent sent a pairing offer this companion cannot read.')
  }
  const rs = hs.remoteStatic!
  if (pinned && !equal(pinned, rs)) throw link.abort('FORBIDDEN', 'This is not the Keyhold that showed the code (its key differs). Nothing was sent.')
  if ((input.vaultId !== undefined && offer.vault !== input.vaultId) || (input.appId !== undefined && offer.app.id !== input.appId))
    throw link.abort('FORBIDDEN', 'The agent answered for another vault or application than the code names.')
  link.send('handshake', hs.writeMessage(jsonBytes(options.claim)))
  const phrase = checkPhrase(hs.handshakeHash())
  link.keys(hs)
  options.onPhrase?.(phrase, offer)
  for (;;) {
    const message = await link.readTransport()
    if (message.t === 'pair.waiting') {
      options.onWaiting?.(Number(message.timeoutMs) || 120_000)
      continue
    }
    if (message.t === 'pair.approved') {
      const pairing = pairingViewSchema.parse(message.pairing)
      const identity: PairedIdentity = {
        vaultId: hello.vault,
        desktopKey: toBase64Url(rs),
        privateKey: toBase64Url(s.privateKey),
        pairing,
        ...(input.network !== undefined && { network: input.network }),
      }
      return { identity, session: new Session(link) }
    }
    if (message.t === 'pair.refused') {
      link.close()
      throw new CompanionError('FORBIDDEN', REFUSED_WORDS[String(message.reason)] ?? REFUSED_WORDS.denied!)
    }
    throw link.abort('PROTOCOL_ERROR', 'The agent sent something unexpected while waiting for approval.')
  }
}

/** Why the desktop refused a pairing that reached its dialog; in every case the key is used up. */
const REFUSED_WORDS: Record<string, string> = {
  denied: 'The pairing was denied on the computer. The key is used up: generate a new one in My apps to pair again.',
  timeout: 'Nobody approved the pairing on the computer within 2 minutes. The key is used up: generate a new one in My apps and try again.',
  locked: 'Keyhold locked before the pairing was approved. The key is used up: unlock Keyhold, generate a new key in My apps and pair again.',
  cancelled: 'The pairing was cancelled. The key is used up: generate a new one in My apps to pair again.',
}

/** Opens a session as a pairing (IK). FORBIDDEN when the pairing ended, expired or was revoked. */
export async function openSession(transport: FrameTransport, identity: PairedIdentity): Promise<Session> {
  const privateKey = fromBase64Url(identity.privateKey, 32)
  const desktopKey = fromBase64Url(identity.desktopKey, 32)
  if (!privateKey || !desktopKey) throw new CompanionError('INVALID_INPUT', 'The stored pairing is damaged. Pair again.')
  const link = new Link(transport)
  const { prologue: pro } = await link.hello('session', { vault: identity.vaultId })
  const hs = new Handshake({ pattern: 'IK', initiator: true, prologue: pro, s: keyPairFromPrivate(privateKey), rs: desktopKey })
  link.send('handshake', hs.writeMessage(new Uint8Array(0)))
  const msg2 = await link.expect('handshake', 'session')
  let payload: Uint8Array
  try {
    payload = hs.readMessage(msg2)
  } catch {
    throw link.abort('FORBIDDEN', 'The agent could not prove it holds this vault. Pair again.')
  }
  link.keys(hs)
  let seconds: unknown
  try {
    seconds = parseJsonObject(payload).clipboardClearSeconds
  } catch {
    seconds = undefined
  }
  const clipboardClearSeconds = Number.isInteger(seconds) && (seconds as number) > 0 && (seconds as number) <= 86_400 ? (seconds as number) : DEFAULT_CLIPBOARD_CLEAR_SECONDS
  return new Session(link, clipboardClearSeconds)
}

/** An application key's proof: the internal token, or a signature by the issuer's Ed25519 key. */
export type AppKeyProof = { key: string; token: string } | { key: string; sign(message: Uint8Array): Uint8Array | Promise<Uint8Array> }

/** Opens a session as an application key (NX, then auth). `desktopKey` pins the agent. */
export async function openAppKeySession(transport: FrameTransport, target: { vaultId: string; desktopKey: string }, proof: AppKeyProof): Promise<Session> {
  const { link, payload, h } = await openNx(transport, target, 'appkey')
  let challenge: Uint8Array | null
  try {
    challenge = fromBase64Url(challengeSchema.parse(parseJsonObject(payload)).challenge, 32)
  } catch {
    challenge = null
  }
  if (!challenge) throw link.abort('PROTOCOL_ERROR', 'The agent sent a challenge this client cannot read.')
  if ('token' in proof) link.sendTransport({ t: 'auth', key: proof.key, token: proof.token })
  else link.sendTransport({ t: 'auth', key: proof.key, sig: toBase64Url(await proof.sign(appKeySignedMessage(h, challenge, proof.key))) })
  await link.readResult('auth.result', 'The agent did not answer the key check.')
  return new Session(link)
}

