import { inspect } from 'node:util'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CipherState,
  Handshake,
  NoiseError,
  generateKeyPair,
  keyPairFromPrivate,
  type HandshakeOptions,
  type KeyPair,
  type NoisePattern,
  type NoiseSymmetric,
  type X25519,
  useSymmetric,
  useX25519,
} from '../../../src-shared/local-access/noise'
import { NODE_SYMMETRIC } from '../../../src-main/core/agent/node-symmetric'
import { NODE_X25519 } from '../../../src-main/core/agent/node-x25519'
import vectorFile from '../../vectors/noise-vectors.json'

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'))
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex')
const text = (s: string) => new TextEncoder().encode(s)

interface VectorMessage {
  payload: string
  ciphertext?: string
  length?: number
  sender: 'initiator' | 'responder'
}
interface Vector {
  source: string
  protocol_name: string
  init_prologue: string
  init_static?: string
  init_ephemeral: string
  init_remote_static?: string
  init_psks?: string[]
  resp_prologue: string
  resp_static?: string
  resp_ephemeral: string
  resp_psks?: string[]
  handshake_hash?: string
  messages: VectorMessage[]
}

const vectors = vectorFile.vectors as Vector[]

/**
 * Every set of primitives a process may use (noise.ts useX25519, useSymmetric): noble's (the
 * default, everywhere), and Node's crypto as the CLI installs it. Each passes the same vectors
 * and refusals.
 */
type Suite = { x25519: X25519; symmetric: NoiseSymmetric } | undefined
const CURVES: Array<[string, Suite]> = [
  ['noble', undefined],
  ["Node's crypto", { x25519: NODE_X25519, symmetric: NODE_SYMMETRIC }],
]
const withCurve = (impl: Suite) => {
  beforeAll(() => {
    useX25519(impl?.x25519)
    useSymmetric(impl?.symmetric)
  })
  afterAll(() => {
    useX25519(undefined)
    useSymmetric(undefined)
  })
}
const PROTOCOLS: Record<string, NoisePattern> = {
  Noise_XXpsk0_25519_ChaChaPoly_SHA256: 'XXpsk0',
  Noise_IK_25519_ChaChaPoly_SHA256: 'IK',
  Noise_NX_25519_ChaChaPoly_SHA256: 'NX',
}

function sidesOf(v: Vector): { initiator: Handshake; responder: Handshake } {
  const pattern = PROTOCOLS[v.protocol_name]!
  const pair = (hex?: string) => (hex === undefined ? undefined : keyPairFromPrivate(bytes(hex)))
  // flynn leaves out init_remote_static: for IK it is resp_static's public key.
  const rs = pattern !== 'IK' ? undefined : v.init_remote_static ? bytes(v.init_remote_static) : pair(v.resp_static)!.publicKey
  const psk = (list?: string[]) => (list?.[0] === undefined ? undefined : bytes(list[0]))
  return {
    initiator: new Handshake({ pattern, initiator: true, prologue: bytes(v.init_prologue), s: pair(v.init_static), e: pair(v.init_ephemeral), rs, psk: psk(v.init_psks) }),
    responder: new Handshake({ pattern, initiator: false, prologue: bytes(v.resp_prologue), s: pair(v.resp_static), e: pair(v.resp_ephemeral), psk: psk(v.resp_psks) }),
  }
}

describe.each(CURVES)('Noise conformance vectors (primitives of %s)', (_curve, impl) => {
  withCurve(impl)
  it('cover each of the three protocols from at least two sources', () => {
    for (const name of Object.keys(PROTOCOLS)) {
      expect(new Set(vectors.filter((v) => v.protocol_name === name).map((v) => v.source)).size).toBeGreaterThanOrEqual(2)
    }
    expect(vectors.filter((v) => v.handshake_hash).length).toBe(2)
  })

  it.each(vectors.map((v, i) => [`${v.source} ${v.protocol_name} #${i}`, v] as const))('%s: every message matches byte for byte', (_, v) => {
    const sides = sidesOf(v)
    let transport: Record<VectorMessage['sender'], { send: CipherState; receive: CipherState }> | null = null
    for (const m of v.messages) {
      const payload = bytes(m.payload)
      const writer = sides[m.sender]
      const reader = sides[m.sender === 'initiator' ? 'responder' : 'initiator']
      let ciphertext: Uint8Array
      let received: Uint8Array
      if (!writer.complete) {
        expect(writer.isWriting).toBe(true)
        ciphertext = writer.writeMessage(payload)
        received = reader.readMessage(ciphertext)
      } else {
        transport ??= { initiator: sides.initiator.split(), responder: sides.responder.split() }
        ciphertext = transport[m.sender].send.encrypt(payload)
        received = transport[m.sender === 'initiator' ? 'responder' : 'initiator'].receive.decrypt(ciphertext)
      }
      if (m.ciphertext !== undefined) expect(hexOf(ciphertext)).toBe(m.ciphertext)
      if (m.length !== undefined) expect(ciphertext.length).toBe(m.length)
      expect(hexOf(received)).toBe(m.payload)
    }
    expect(sides.initiator.complete && sides.responder.complete).toBe(true)
    expect(hexOf(sides.initiator.handshakeHash())).toBe(hexOf(sides.responder.handshakeHash()))
    if (v.handshake_hash) expect(hexOf(sides.initiator.handshakeHash())).toBe(v.handshake_hash)
  })
})

// Fresh keys for the behaviour tests below.
const D = generateKeyPair()
const C = generateKeyPair()
const PSK = bytes('11'.repeat(32))
const PROLOGUE = text('keyhold-local/1 test')

function optionsFor(pattern: NoisePattern, initiator: boolean, extra: Partial<HandshakeOptions> = {}): HandshakeOptions {
  const base: HandshakeOptions = { pattern, initiator, prologue: PROLOGUE }
  if (pattern === 'XXpsk0') Object.assign(base, { s: initiator ? C : D, psk: PSK })
  if (pattern === 'IK') Object.assign(base, initiator ? { s: C, rs: D.publicKey } : { s: D })
  if (pattern === 'NX' && !initiator) base.s = D
  return { ...base, ...extra }
}

/** Runs a handshake with payloads "m0", "m1", …; `tamper` may change message i on the wire. */
function handshake(pattern: NoisePattern, tamper?: (i: number, message: Uint8Array) => Uint8Array, extra: { initiator?: Partial<HandshakeOptions>; responder?: Partial<HandshakeOptions> } = {}) {
  const initiator = new Handshake(optionsFor(pattern, true, extra.initiator))
  const responder = new Handshake(optionsFor(pattern, false, extra.responder))
  const lengths: number[] = []
  for (let i = 0; !initiator.complete || !responder.complete; i++) {
    const [writer, reader] = i % 2 === 0 ? [initiator, responder] : [responder, initiator]
    const message = writer.writeMessage(text(`m${i}`))
    lengths.push(message.length)
    const payload = reader.readMessage(tamper ? tamper(i, message) : message)
    if (!tamper) expect(payload).toEqual(text(`m${i}`))
  }
  return { initiator, responder, lengths }
}

const flip = (message: Uint8Array, bit: number) => {
  const copy = message.slice()
  copy[bit >> 3]! ^= 1 << (bit & 7)
  return copy
}

describe.each(CURVES)('Handshake (primitives of %s)', (_curve, impl) => {
  withCurve(impl)
  it.each(['XXpsk0', 'IK', 'NX'] as const)('%s: both sides agree on the handshake hash and talk both ways', (pattern) => {
    const { initiator, responder } = handshake(pattern)
    expect(initiator.handshakeHash()).toEqual(responder.handshakeHash())
    const i = initiator.split()
    const r = responder.split()
    expect(r.receive.decrypt(i.send.encrypt(text('to D'), text('ad')), text('ad'))).toEqual(text('to D'))
    expect(i.receive.decrypt(r.send.encrypt(text('to C')))).toEqual(text('to C'))
    expect([i.send.nonce, r.receive.nonce, r.send.nonce, i.receive.nonce]).toEqual([1n, 1n, 1n, 1n])
  })

  it('makes messages of the sizes in the protocol table (payloads of 2 bytes here)', () => {
    expect(handshake('XXpsk0').lengths).toEqual([32 + 16 + 2, 32 + 48 + 2 + 16, 48 + 2 + 16])
    expect(handshake('IK').lengths).toEqual([32 + 48 + 2 + 16, 32 + 2 + 16])
    expect(handshake('NX').lengths).toEqual([32 + 2, 32 + 48 + 2 + 16])
    // An empty payload is zero-length, but still carries a tag once a key is set: msg 1 of XXpsk0 is 48 bytes.
    expect(new Handshake(optionsFor('XXpsk0', true)).writeMessage(new Uint8Array(0))).toHaveLength(48)
    expect(new Handshake(optionsFor('NX', true)).writeMessage(new Uint8Array(0))).toHaveLength(32)
  })

  it('learns the remote static key from the message that carries it', () => {
    const xx = handshake('XXpsk0')
    expect(xx.initiator.remoteStatic).toEqual(D.publicKey)
    expect(xx.responder.remoteStatic).toEqual(C.publicKey)
    const ik = handshake('IK')
    expect(ik.responder.remoteStatic).toEqual(C.publicKey)
    const nx = handshake('NX')
    expect(nx.initiator.remoteStatic).toEqual(D.publicKey)
    expect(nx.responder.remoteStatic).toBeNull()
  })

  it('XXpsk0: a wrong PSK fails on message 1, before the responder writes anything', () => {
    const initiator = new Handshake(optionsFor('XXpsk0', true))
    const responder = new Handshake(optionsFor('XXpsk0', false, { psk: bytes('12'.repeat(32)) }))
    const message1 = initiator.writeMessage(new Uint8Array(0))
    expect(() => responder.readMessage(message1)).toThrow(NoiseError)
    expect(() => responder.writeMessage(new Uint8Array(0))).toThrow(/failed and cannot be used again/)
  })

  it('XXpsk0: the right PSK among several is found with one handshake per candidate', () => {
    const message1 = new Handshake(optionsFor('XXpsk0', true)).writeMessage(new Uint8Array(0))
    const candidates = [bytes('01'.repeat(32)), PSK, bytes('02'.repeat(32))]
    const verified = candidates.filter((psk) => {
      try {
        new Handshake(optionsFor('XXpsk0', false, { psk })).readMessage(message1)
        return true
      } catch {
        return false
      }
    })
    expect(verified).toEqual([PSK])
  })

  it.each(['XXpsk0', 'IK', 'NX'] as const)('%s: one flipped bit in any handshake message makes the handshake fail', (pattern) => {
    const count = pattern === 'XXpsk0' ? 3 : 2
    for (let target = 0; target < count; target++) {
      // The first bit, a bit inside the first key, the top bit of the first key (X25519 ignores it, the hash does not) and the last bit.
      for (const bit of [0, 77, 255, -1]) {
        expect(() =>
          handshake(pattern, (i, message) => (i === target ? flip(message, bit < 0 ? message.length * 8 - 1 : bit) : message)),
        ).toThrow(NoiseError)
      }
    }
  })

  it('refuses a low-order (all-zero) remote ephemeral key', () => {
    const zero = new Uint8Array(32)
    // IK: the responder's first DH (es) is with the ephemeral key.
    const ik = new Handshake(optionsFor('IK', false))
    expect(() => ik.readMessage(new Uint8Array(96))).toThrow(/unusable public key/)
    // NX: message 1 is only `e`, so the responder fails when it writes message 2 (ee).
    const nx = new Handshake(optionsFor('NX', false))
    nx.readMessage(zero)
    expect(() => nx.writeMessage(new Uint8Array(0))).toThrow(/unusable public key/)
    // XXpsk0: even a peer who knows the PSK cannot force a known `ee`.
    const evil = new Handshake(optionsFor('XXpsk0', true, { e: { publicKey: zero, privateKey: bytes('33'.repeat(32)) } }))
    const xx = new Handshake(optionsFor('XXpsk0', false))
    xx.readMessage(evil.writeMessage(new Uint8Array(0)))
    expect(() => xx.writeMessage(new Uint8Array(0))).toThrow(/unusable public key/)
    // Another low-order point (order 8), as listed by cr.yp.to/ecdh.html.
    const order8 = bytes('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800')
    const nx2 = new Handshake(optionsFor('NX', false))
    nx2.readMessage(order8)
    expect(() => nx2.writeMessage(new Uint8Array(0))).toThrow(NoiseError)
  })

  it('refuses an IK responder key that is a low-order point', () => {
    const hs = new Handshake(optionsFor('IK', true, { rs: new Uint8Array(32) }))
    expect(() => hs.writeMessage(new Uint8Array(0))).toThrow(/unusable public key/)
  })

  it('clone() gives an independent copy: a failure in one leaves the other able to finish', () => {
    const initiator = new Handshake(optionsFor('XXpsk0', true))
    const responder = new Handshake(optionsFor('XXpsk0', false))
    const message1 = initiator.writeMessage(new Uint8Array(0))
    const copy = responder.clone()
    expect(() => copy.readMessage(flip(message1, 3))).toThrow(NoiseError)
    expect(() => copy.clone()).toThrow(NoiseError)
    responder.readMessage(message1)
    const twin = responder.clone()
    // Each copy draws its own ephemeral key for message 2.
    const fromResponder = responder.writeMessage(new Uint8Array(0))
    expect(twin.writeMessage(new Uint8Array(0)).subarray(0, 32)).not.toEqual(fromResponder.subarray(0, 32))
    initiator.readMessage(fromResponder)
    responder.readMessage(initiator.writeMessage(new Uint8Array(0)))
    expect(responder.handshakeHash()).toEqual(initiator.handshakeHash())
  })

  it('keeps its turn order and gives the hash and the transport keys only once complete', () => {
    const initiator = new Handshake(optionsFor('NX', true))
    expect(() => initiator.readMessage(new Uint8Array(32))).toThrow(/our turn/)
    expect(() => initiator.handshakeHash()).toThrow(/not complete/)
    expect(() => initiator.split()).toThrow(/not complete/)
    const { responder } = handshake('NX')
    responder.split()
    expect(() => responder.split()).toThrow(/already taken/)
    expect(() => responder.writeMessage(new Uint8Array(0))).toThrow(/already complete/)
  })

  it('refuses options its pattern does not use, and keys of the wrong length', () => {
    expect(() => new Handshake({ ...optionsFor('XXpsk0', true), psk: undefined })).toThrow(/needs a PSK/)
    expect(() => new Handshake({ ...optionsFor('XXpsk0', true), rs: D.publicKey })).toThrow(/no remote static key/)
    expect(() => new Handshake({ ...optionsFor('IK', true), rs: undefined })).toThrow(/needs the responder/)
    expect(() => new Handshake({ ...optionsFor('NX', true), s: C })).toThrow(/no static key/)
    expect(() => new Handshake({ ...optionsFor('IK', false), psk: PSK })).toThrow(/no PSK/)
    expect(() => new Handshake({ ...optionsFor('XXpsk0', true), psk: new Uint8Array(31) })).toThrow(/32 bytes/)
    expect(() => new Handshake({ ...optionsFor('NX', true), pattern: 'XX' as NoisePattern })).toThrow(/Unknown/)
  })

  it('refuses messages longer than 65,535 bytes, and short ones', () => {
    const nx = new Handshake(optionsFor('NX', true))
    expect(() => nx.writeMessage(new Uint8Array(65_535 - 31))).toThrow(/longer than a Noise message/)
    expect(() => new Handshake(optionsFor('NX', true)).writeMessage(new Uint8Array(65_535 - 32))).not.toThrow()
    expect(() => new Handshake(optionsFor('NX', false)).readMessage(new Uint8Array(65_536))).toThrow(/too long/)
    expect(() => new Handshake(optionsFor('NX', false)).readMessage(new Uint8Array(31))).toThrow(/too short/)
  })
})

describe('CipherState', () => {
  const key = bytes('42'.repeat(32))

  it('uses the ChaChaPoly nonce of Noise: 4 zero bytes, then the counter little-endian', () => {
    const nonce = bytes('00000000' + '0807060504030201')
    const expected = chacha20poly1305(key, nonce, text('ad')).encrypt(text('x'))
    expect(new CipherState(key, 0x0102030405060708n).encrypt(text('x'), text('ad'))).toEqual(expected)
  })

  it('refuses a replayed transport message, and anything after a failure', () => {
    const send = new CipherState(key)
    const receive = new CipherState(key)
    const first = send.encrypt(text('one'))
    const second = send.encrypt(text('two'))
    expect(receive.decrypt(first)).toEqual(text('one'))
    expect(() => receive.decrypt(first)).toThrow(/failed authentication/)
    expect(() => receive.decrypt(second)).toThrow(/cannot be used again/)
  })

  it('refuses a flipped bit and a changed associated data', () => {
    const sealed = new CipherState(key).encrypt(text('hello'), text('ad'))
    expect(() => new CipherState(key).decrypt(flip(sealed, 9), text('ad'))).toThrow(NoiseError)
    expect(() => new CipherState(key).decrypt(sealed, text('AD'))).toThrow(NoiseError)
    expect(() => new CipherState(key).decrypt(sealed.subarray(0, 15))).toThrow(/impossible length/)
  })

  it('stops at nonce 2^64-1, which is reserved', () => {
    const cs = new CipherState(key, 2n ** 64n - 2n)
    cs.encrypt(new Uint8Array(0))
    expect(cs.nonce).toBe(2n ** 64n - 1n)
    expect(() => cs.encrypt(new Uint8Array(0))).toThrow(/exhausted/)
    expect(() => new CipherState(key, 2n ** 64n - 1n).decrypt(new Uint8Array(16))).toThrow(/exhausted/)
  })

  it('seals at most 65,519 bytes, so a transport message fits in 65,535', () => {
    expect(new CipherState(key).encrypt(new Uint8Array(65_519))).toHaveLength(65_535)
    expect(() => new CipherState(key).encrypt(new Uint8Array(65_520))).toThrow(NoiseError)
  })

  it.each(CURVES)('encryptParts (primitives of %s) is encrypt of the parts joined, in pieces, bounded the same', (_curve, impl) => {
    useSymmetric(impl?.symmetric)
    try {
      const parts = [Uint8Array.of(1), new Uint8Array(65_518).fill(7)]
      const sender = new CipherState(key, 5n)
      const pieces = sender.encryptParts(parts)
      expect(sender.nonce).toBe(6n)
      // The next message, whole, is the next nonce's.
      expect(sender.encrypt(text('next'))).toEqual(new CipherState(key, 6n).encrypt(text('next')))
      // Node's crypto streams (a piece per part, then the tag); noble's is one piece.
      expect(pieces).toHaveLength(impl ? 3 : 1)
      const joined = Uint8Array.from(Buffer.concat(pieces))
      expect(joined).toEqual(new CipherState(key, 5n).encrypt(Uint8Array.from(Buffer.concat(parts))))
      expect(new CipherState(key, 5n).decrypt(joined)).toEqual(Uint8Array.from(Buffer.concat(parts)))
      const cs = new CipherState(key)
      expect(() => cs.encryptParts([Uint8Array.of(1), new Uint8Array(65_519)])).toThrow(NoiseError)
      // Nothing was used up by the refusal.
      expect(cs.nonce).toBe(0n)
    } finally {
      useSymmetric(undefined)
    }
  })

  it('never shows its key when printed', () => {
    const shown = JSON.stringify(new CipherState(key)) + inspect(new CipherState(key), { showHidden: true, depth: 9 })
    expect(shown).not.toContain('42424242')
  })
})

describe.each(CURVES)('key pairs (primitives of %s)', (_curve, impl) => {
  withCurve(impl)
  it('derive the RFC 7748 §6.1 public keys', () => {
    const alice = keyPairFromPrivate(bytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'))
    expect(hexOf(alice.publicKey)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
  })

  it('are fresh each time', () => {
    const a: KeyPair = generateKeyPair()
    expect(a.privateKey).toHaveLength(32)
    expect(generateKeyPair().privateKey).not.toEqual(a.privateKey)
  })

  it("carry the private key's own public key (the handshake sends it, and Node's loads the private key with it)", () => {
    for (let i = 0; i < 4; i++) {
      const pair = generateKeyPair()
      expect(hexOf(keyPairFromPrivate(pair.privateKey).publicKey)).toBe(hexOf(pair.publicKey))
    }
  })
})
