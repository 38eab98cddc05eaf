import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ed25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { parseCode } from '../../../src-shared/apps/authorization-code'
import { checkPhrase } from '../../../src-shared/local-access/check-phrase'
import { encodeBody, jsonBytes, toBase64Url } from '../../../src-shared/local-access/frames'
import { appKeySignedMessage, prologue } from '../../../src-shared/local-access/messages'
import { Handshake, keyPairFromPrivate, type CipherState } from '../../../src-shared/local-access/noise'
import { pairingPsk } from '../../../src-shared/local-access/psk'

/**
 * Full transcripts of the local access protocol with fixed keys (docs/pairing-protocol.md §13,
 * items 5, 7 and 8): every frame body both sides send, in hex, so an implementation in another
 * language can replay them. The file is written by `KEYHOLD_WRITE_VECTORS=1 npx vitest run
 * test/shared/local-access/transcripts.test.ts` and, like every vector, never edited by hand.
 */
const FILE = join(__dirname, '../../vectors/local-access-transcripts-v1.json')
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const key = (byte: number) => keyPairFromPrivate(new Uint8Array(32).fill(byte))
const VAULT = 'c3a7f725f31ce7b0afc2'
const APP = 'd188ccbf-1272-45df-9d29-0c65b71634b6'
const CODE = '0CTP-Q855-ZXR2-GSR3-3975-SKS6-5054'
const SERVER_HELLO = { t: 'hello', v: 1, vault: VAULT, locked: false, software: 'keyhold/0.1.0', ops: ['session.ping', 'secrets.list'] }
const DESKTOP = key(0x11)
const COMPANION = key(0x22)

/** Both sides' cipher states after Split, and a recorder of transport frames. */
function transport(initiator: Handshake, responder: Handshake) {
  const c = initiator.split()
  const d = responder.split()
  const frames: Array<{ from: 'C' | 'D'; plaintext: unknown; body: string }> = []
  const send = (from: 'C' | 'D', value: object) => {
    const sender: CipherState = from === 'C' ? c.send : d.send
    const receiver: CipherState = from === 'C' ? d.receive : c.receive
    const ciphertext = sender.encrypt(jsonBytes(value))
    expect(JSON.parse(new TextDecoder().decode(receiver.decrypt(ciphertext)))).toEqual(value)
    frames.push({ from, plaintext: value, body: hex(encodeBody('transport', ciphertext)) })
  }
  return { frames, send }
}

function handshakeRun(pattern: 'XXpsk0' | 'IK' | 'NX', clientHello: object, payloads: Uint8Array[], options: { psk?: Uint8Array }) {
  const c = jsonBytes(clientHello)
  const s = jsonBytes(SERVER_HELLO)
  const pro = prologue(c, s)
  const initiator = new Handshake({
    pattern,
    initiator: true,
    prologue: pro,
    e: key(0x33),
    ...(pattern !== 'NX' && { s: COMPANION }),
    ...(pattern === 'IK' && { rs: DESKTOP.publicKey }),
    ...(options.psk && { psk: options.psk }),
  })
  const responder = new Handshake({ pattern, initiator: false, prologue: pro, e: key(0x44), s: DESKTOP, ...(options.psk && { psk: options.psk }) })
  const messages: string[] = []
  payloads.forEach((payload, i) => {
    const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator]
    const message = writer.writeMessage(payload)
    expect(reader.readMessage(message)).toEqual(payload)
    messages.push(hex(encodeBody('handshake', message)))
  })
  expect(hex(initiator.handshakeHash())).toBe(hex(responder.handshakeHash()))
  return {
    clientHello: hex(encodeBody('clear', c)),
    serverHello: hex(encodeBody('clear', s)),
    prologue: hex(pro),
    messages,
    h: hex(initiator.handshakeHash()),
    hBytes: initiator.handshakeHash(),
    initiator,
    responder,
  }
}

function build() {
  const keys = {
    desktopPrivate: hex(DESKTOP.privateKey),
    desktopPublic: hex(DESKTOP.publicKey),
    companionPrivate: hex(COMPANION.privateKey),
    companionPublic: hex(COMPANION.publicKey),
    initiatorEphemeralPrivate: hex(key(0x33).privateKey),
    responderEphemeralPrivate: hex(key(0x44).privateKey),
  }
  const parsed = parseCode(CODE)
  if (!parsed.ok) throw new Error('code')
  const claim = { device: { name: 'Pixel 8', platform: 'android' }, software: 'keyhold-android/1.0.0', kind: 'mobile' }
  const offer = { vault: VAULT, app: { id: APP, name: 'Work phone', type: 'mobile' }, expiresAt: null }
  const pairRun = handshakeRun('XXpsk0', { t: 'hello', v: [1], mode: 'pair', vault: VAULT, app: APP }, [new Uint8Array(0), jsonBytes(offer), jsonBytes(claim)], {
    psk: pairingPsk(parsed.key),
  })
  const view = { id: '5b0c7e4e-9d7a-4c1e-8f57-3c2b1a0f9e8d', app: offer.app, scope: { secrets: 'all' }, reveal: 'ask', createdAt: '2026-12-04T08:00:00.000Z', expiresAt: null }
  const pairT = transport(pairRun.initiator, pairRun.responder)
  pairT.send('D', { t: 'pair.waiting', timeoutMs: 120000 })
  pairT.send('D', { t: 'pair.approved', pairing: view })
  pairT.send('C', { id: 1, op: 'secrets.list', args: { limit: 1 } })
  pairT.send('D', { id: 1, ok: true, value: { items: [], total: 0, offset: 0, nextOffset: null } })

  const ikRun = handshakeRun('IK', { t: 'hello', v: [1], mode: 'session', vault: VAULT }, [new Uint8Array(0), jsonBytes({ pairing: view })], {})
  const ikT = transport(ikRun.initiator, ikRun.responder)
  ikT.send('C', { id: 1, op: 'session.ping', args: {} })
  ikT.send('D', { id: 1, ok: true, value: { now: '2026-12-04T08:00:01.000Z' } })

  const challenge = new Uint8Array(32).fill(0x55)
  const nxRun = handshakeRun('NX', { t: 'hello', v: [1], mode: 'appkey', vault: VAULT }, [new Uint8Array(0), jsonBytes({ challenge: toBase64Url(challenge) })], {})
  const nxT = transport(nxRun.initiator, nxRun.responder)
  nxT.send('C', { t: 'auth', key: 'keyhold-c3a7f7-abcdefghjkmn', token: 'A'.repeat(43) })
  nxT.send('D', { t: 'auth.result', ok: true })
  const issuer = new Uint8Array(32).fill(0x66)
  const signedKey = 'partner-key-0001'
  const signed = appKeySignedMessage(nxRun.hBytes, challenge, signedKey)
  const sig = ed25519.sign(signed, issuer)

  const strip = ({ hBytes: _h, initiator: _i, responder: _r, ...rest }: ReturnType<typeof handshakeRun>) => rest
  return {
    about: 'Local access protocol v1 transcripts with fixed keys (docs/pairing-protocol.md §13). Frame bodies in hex: kind byte + data; on the Unix socket each is prefixed by its u32be length.',
    keys,
    serverHello: SERVER_HELLO,
    pairing: { code: CODE, psk: hex(pairingPsk(parsed.key)), ...strip(pairRun), checkPhrase: checkPhrase(pairRun.hBytes), transport: pairT.frames },
    session: { ...strip(ikRun), transport: ikT.frames },
    appKey: {
      ...strip(nxRun),
      challenge: hex(challenge),
      transport: nxT.frames,
      signature: { issuerPrivate: hex(issuer), issuerPublic: hex(ed25519.getPublicKey(issuer)), key: signedKey, signedMessage: hex(signed), sig: toBase64Url(sig) },
    },
  }
}

describe('local access transcripts (fixed keys)', () => {
  it('the pairing, session and application-key transcripts are exactly the recorded vectors', () => {
    const built = JSON.parse(JSON.stringify(build()))
    if (process.env.KEYHOLD_WRITE_VECTORS === '1') writeFileSync(FILE, `${JSON.stringify(built, null, 2)}\n`)
    expect(built).toEqual(JSON.parse(readFileSync(FILE, 'utf8')))
  })

  it('the recorded signature verifies, and only for its own handshake hash', () => {
    const { appKey } = JSON.parse(readFileSync(FILE, 'utf8'))
    const sig = Buffer.from(appKey.signature.sig, 'base64url')
    const message = Buffer.from(appKey.signature.signedMessage, 'hex')
    expect(ed25519.verify(sig, message, Buffer.from(appKey.signature.issuerPublic, 'hex'), { zip215: false })).toBe(true)
    message[30]! ^= 1
    expect(ed25519.verify(sig, message, Buffer.from(appKey.signature.issuerPublic, 'hex'), { zip215: false })).toBe(false)
  })
})
