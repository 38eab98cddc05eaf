/**
 * The Noise Protocol Framework (revision 34, https://noiseprotocol.org/noise.html) for the three
 * handshakes of the local access protocol (docs/pairing-protocol.md §3.1):
 * `Noise_XXpsk0_25519_ChaChaPoly_SHA256` (pairing), `Noise_IK_…` (sessions) and `Noise_NX_…`
 * (application keys, terminals). CipherState, SymmetricState and HandshakeState follow spec §5.
 *
 * This module has no primitives of its own and no dependency: X25519, ChaChaPoly, SHA-256 and
 * HKDF are installed by the process (useX25519, useSymmetric), and noise.ts installs noble's as
 * the default wherever it is imported. The CLI's terminal session (out/cli/keyhold-session.cjs)
 * imports only this module and installs Node's, so it does not load noble (whose modules build
 * their curves on load: ~12 ms of each cold command). It must pass the published vectors
 * (test/vectors/noise-vectors.json) with every set of primitives before anything relies on it.
 */
export type NoisePattern = 'XXpsk0' | 'IK' | 'NX'

export interface KeyPair {
  publicKey: Uint8Array
  privateKey: Uint8Array
}

/** Noise's limit on any message, handshake or transport (spec §3). */
export const MAX_NOISE_MESSAGE = 65_535
export const DH_LENGTH = 32
export const TAG_LENGTH = 16
/** The largest transport plaintext: one message less its tag. */
export const MAX_TRANSPORT_PLAINTEXT = MAX_NOISE_MESSAGE - TAG_LENGTH

/** A failed handshake or transport step. The message names the step, never a key or a payload. */
export class NoiseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'NoiseError'
  }
}

type Token = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk'

interface PatternSpec {
  protocolName: string
  /** `<- s` before the first message (IK): the initiator knows the responder's static key. */
  responderStaticKnown: boolean
  /** Message i is written by the initiator when i is even. */
  messages: readonly (readonly Token[])[]
}

// Spec §7.5 (IK, NX) and §9.4 (XXpsk0).
const PATTERNS: Record<NoisePattern, PatternSpec> = {
  XXpsk0: {
    protocolName: 'Noise_XXpsk0_25519_ChaChaPoly_SHA256',
    responderStaticKnown: false,
    messages: [['psk', 'e'], ['e', 'ee', 's', 'es'], ['s', 'se']],
  },
  IK: {
    protocolName: 'Noise_IK_25519_ChaChaPoly_SHA256',
    responderStaticKnown: true,
    messages: [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']],
  },
  NX: {
    protocolName: 'Noise_NX_25519_ChaChaPoly_SHA256',
    responderStaticKnown: false,
    messages: [['e'], ['e', 'ee', 's', 'es']],
  },
}

const EMPTY = new Uint8Array(0)
/** Nonce 2^64-1 is reserved (spec §5.1), so a key encrypts at most 2^64-1 messages. */
const MAX_NONCE = 2n ** 64n - 1n
const ASCII = new TextEncoder()

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function checkKey(what: string, key: Uint8Array | undefined): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== DH_LENGTH) throw new NoiseError(`${what} must be ${DH_LENGTH} bytes.`)
  return key.slice()
}

/**
 * X25519 (RFC 7748) as Noise uses it: noble's by default (noise.ts), which runs everywhere; a
 * process that has a native one may install it with useX25519 (the CLI installs Node's: noble's
 * first use builds its tables, about 50 ms of a command's start). Both must pass the same vectors.
 */
export interface X25519 {
  /** A fresh key pair, its private key from a CSPRNG. */
  generateKeyPair(): KeyPair
  getPublicKey(privateKey: Uint8Array): Uint8Array
  /**
   * DH of `keyPair`'s private key and `publicKey`. `keyPair.publicKey` is the private key's own
   * public key (an implementation may use it to load the key); the result depends only on the
   * private key. Throws for a public key it refuses (a low-order point); may return all zeros,
   * which dh() refuses.
   */
  getSharedSecret(keyPair: KeyPair, publicKey: Uint8Array): Uint8Array
}

/**
 * ChaChaPoly (RFC 8439) and SHA-256 as Noise uses them (spec §12.3, §12.5): noble's by default
 * (noise.ts); a process with native ones may install them with useSymmetric (the CLI installs
 * Node's, whose first use costs no warm-up in a short process). Both must pass the same vectors.
 */
export interface NoiseSymmetric {
  /** The ciphertext with its 16-byte tag. */
  seal(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, plaintext: Uint8Array): Uint8Array
  /**
   * Optional, for a streaming cipher: seal() of the parts' concatenation, as the ciphertext of
   * each part and the tag last, with no copy of the whole (a terminal's output frames).
   */
  sealParts?(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[]
  /** The plaintext; throws when the tag does not verify. */
  open(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array
  sha256(data: Uint8Array): Uint8Array
  /** RFC 5869 HKDF-SHA-256 with an empty info: `length` bytes. */
  hkdf(ikm: Uint8Array, salt: Uint8Array, length: number): Uint8Array
}

/** What noise.ts installs as the default (noble's), and what the process installed over it. */
let defaults: { curve?: X25519; symmetric?: NoiseSymmetric } = {}
let installedCurve: X25519 | undefined
let installedSymmetric: NoiseSymmetric | undefined

/** The primitives used when the process installed none (noise.ts gives noble's). */
export function useDefaultPrimitives(primitives: { curve: X25519; symmetric: NoiseSymmetric }): void {
  defaults = primitives
}

/** Uses `impl` for every X25519 operation from now on in this process (undefined: the default again). */
export function useX25519(impl: X25519 | undefined): void {
  installedCurve = impl
}

/** Uses `impl` for every cipher and hash operation from now on in this process (undefined: the default again). */
export function useSymmetric(impl: NoiseSymmetric | undefined): void {
  installedSymmetric = impl
}

const missing = (what: string) => new NoiseError(`No ${what} is installed: import noise.ts (noble's), or install one with use${what === 'X25519' ? 'X25519' : 'Symmetric'}.`)

function curve(): X25519 {
  const impl = installedCurve ?? defaults.curve
  if (!impl) throw missing('X25519')
  return impl
}

function symmetric(): NoiseSymmetric {
  const impl = installedSymmetric ?? defaults.symmetric
  if (!impl) throw missing('cipher')
  return impl
}

/** A fresh X25519 key pair from the platform's CSPRNG. */
export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = curve().generateKeyPair()
  return { publicKey: checkKey('A public key', publicKey), privateKey: checkKey('A private key', privateKey) }
}

export function keyPairFromPrivate(privateKey: Uint8Array): KeyPair {
  const priv = checkKey('A private key', privateKey)
  return { publicKey: curve().getPublicKey(priv), privateKey: priv }
}

/**
 * DH() of spec §4.1. SECURITY: a low-order public key (noble and Node refuse those) or an all-zero
 * result aborts the handshake: it would make the "secret" known to anyone (§3.1 of our doc).
 */
function dh(keyPair: KeyPair, publicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array
  try {
    shared = curve().getSharedSecret(keyPair, publicKey)
  } catch (cause) {
    throw new NoiseError('The peer sent an unusable public key.', { cause })
  }
  if (shared.every((b) => b === 0)) throw new NoiseError('The peer sent an unusable public key.')
  return shared
}

/**
 * HKDF(chaining_key, input_key_material, n) of spec §4.3. It is RFC 5869 HKDF with the chaining
 * key as salt and an empty info: output i is HMAC(temp_key, output_{i-1} || i) in both.
 */
function noiseHkdf(ck: Uint8Array, ikm: Uint8Array, n: 2 | 3): Uint8Array[] {
  const out = symmetric().hkdf(ikm, ck, 32 * n)
  return Array.from({ length: n }, (_, i) => out.slice(32 * i, 32 * (i + 1)))
}

/**
 * One direction's key and nonce (spec §5.1), with the nonce encoding of ChaChaPoly (§12.3):
 * 4 zero bytes, then the 64-bit counter little-endian. SECURITY: the key is in a `#` field, so
 * `console.log`, `util.inspect` and `JSON.stringify` never show it. A failed decrypt disables
 * the state for good (the connection is closed anyway, §2.1), so no caller can retry at the
 * same nonce and use the AEAD as an oracle.
 */
export class CipherState {
  #key: Uint8Array | null
  #nonce: bigint

  constructor(key: Uint8Array, nonce = 0n) {
    this.#key = checkKey('A cipher key', key)
    if (nonce < 0n || nonce > MAX_NONCE) throw new NoiseError('A nonce must be between 0 and 2^64-1.')
    this.#nonce = nonce
  }

  /** The next nonce: how many messages this direction has sent or accepted. */
  get nonce(): bigint {
    return this.#nonce
  }

  encrypt(plaintext: Uint8Array, ad: Uint8Array = EMPTY): Uint8Array {
    const key = this.#use()
    if (plaintext.length > MAX_TRANSPORT_PLAINTEXT) throw new NoiseError('The message is longer than a Noise message may be.')
    const ciphertext = symmetric().seal(key, this.#nonceBytes(), ad, plaintext)
    this.#nonce++
    return ciphertext
  }

  /**
   * encrypt() of the parts' concatenation, as pieces whose concatenation is that message (one
   * piece where the installed cipher cannot stream): a large frame is not copied to be sealed.
   */
  encryptParts(parts: readonly Uint8Array[]): Uint8Array[] {
    const length = parts.reduce((sum, part) => sum + part.length, 0)
    const { sealParts } = symmetric()
    if (!sealParts) return [this.encrypt(concat(...parts))]
    const key = this.#use()
    if (length > MAX_TRANSPORT_PLAINTEXT) throw new NoiseError('The message is longer than a Noise message may be.')
    const pieces = sealParts(key, this.#nonceBytes(), EMPTY, parts)
    this.#nonce++
    return pieces
  }

  decrypt(ciphertext: Uint8Array, ad: Uint8Array = EMPTY): Uint8Array {
    const key = this.#use()
    try {
      if (ciphertext.length < TAG_LENGTH || ciphertext.length > MAX_NOISE_MESSAGE) throw new NoiseError('The message has an impossible length.')
      const plaintext = symmetric().open(key, this.#nonceBytes(), ad, ciphertext)
      this.#nonce++
      return plaintext
    } catch (cause) {
      this.#key = null
      throw cause instanceof NoiseError ? cause : new NoiseError('The message failed authentication.', { cause })
    }
  }

  clone(): CipherState {
    if (!this.#key) throw new NoiseError('This cipher state failed before and cannot be used again.')
    return new CipherState(this.#key, this.#nonce)
  }

  #use(): Uint8Array {
    if (!this.#key) throw new NoiseError('This cipher state failed before and cannot be used again.')
    // SECURITY: 2^64-1 is reserved; reaching it means the key must not be used again (§5.1).
    if (this.#nonce >= MAX_NONCE) throw new NoiseError('The nonce is exhausted: start a new handshake.')
    return this.#key
  }

  #nonceBytes(): Uint8Array {
    const nonce = new Uint8Array(12)
    new DataView(nonce.buffer).setBigUint64(4, this.#nonce, true)
    return nonce
  }
}

/** The chaining key, the handshake hash and the current key (spec §5.2). */
class SymmetricState {
  constructor(
    private ck: Uint8Array,
    private h: Uint8Array,
    private cipher: CipherState | null = null,
  ) {}

  static initialize(protocolName: string): SymmetricState {
    const name = ASCII.encode(protocolName)
    const h = name.length <= 32 ? concat(name, new Uint8Array(32 - name.length)) : symmetric().sha256(name)
    return new SymmetricState(h.slice(), h)
  }

  get hash(): Uint8Array {
    return this.h.slice()
  }

  mixKey(ikm: Uint8Array): void {
    const [ck, key] = noiseHkdf(this.ck, ikm, 2) as [Uint8Array, Uint8Array]
    this.ck = ck
    this.cipher = new CipherState(key)
  }

  mixHash(data: Uint8Array): void {
    this.h = symmetric().sha256(concat(this.h, data))
  }

  /** Only for the `psk` token (spec §9.2). */
  mixKeyAndHash(ikm: Uint8Array): void {
    const [ck, tempH, key] = noiseHkdf(this.ck, ikm, 3) as [Uint8Array, Uint8Array, Uint8Array]
    this.ck = ck
    this.mixHash(tempH)
    this.cipher = new CipherState(key)
  }

  /** Before any key is set, plaintext goes out as is; after, even an empty payload carries a tag. */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipher ? this.cipher.encrypt(plaintext, this.h) : plaintext.slice()
    this.mixHash(ciphertext)
    return ciphertext
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.cipher ? this.cipher.decrypt(ciphertext, this.h) : ciphertext.slice()
    this.mixHash(ciphertext)
    return plaintext
  }

  get hasKey(): boolean {
    return this.cipher !== null
  }

  split(): [CipherState, CipherState] {
    const [k1, k2] = noiseHkdf(this.ck, EMPTY, 2) as [Uint8Array, Uint8Array]
    return [new CipherState(k1), new CipherState(k2)]
  }

  clone(): SymmetricState {
    return new SymmetricState(this.ck.slice(), this.h.slice(), this.cipher?.clone() ?? null)
  }
}

export interface HandshakeOptions {
  pattern: NoisePattern
  initiator: boolean
  /** Mixed in before any message (doc §3.2). */
  prologue: Uint8Array
  /** Our static key: both sides in XXpsk0, both in IK, the responder in NX. */
  s?: KeyPair
  /** The responder's static public key: the IK initiator only (the pinned `dpk`). */
  rs?: Uint8Array
  /** The 32-byte pre-shared key: XXpsk0 only (doc §3.4). */
  psk?: Uint8Array
  /** A fixed ephemeral key, for test vectors only. Never set it in production code. */
  e?: KeyPair
}

/**
 * HandshakeState (spec §5.3) for one side of one handshake. Call writeMessage and readMessage in
 * turn; when `complete`, take `handshakeHash()` and `split()`. SECURITY: any failure leaves the
 * handshake unusable (every later call throws), so a half-applied message is never built on.
 * To try several PSKs against one message 1, make one Handshake per candidate: the PSK is fixed
 * at construction and psk0 is mixed in first, so a fresh Handshake per try costs a few hashes.
 */
export class Handshake {
  readonly pattern: NoisePattern
  readonly initiator: boolean
  readonly #spec: PatternSpec
  /** The checked options, for clone(). */
  readonly #options: HandshakeOptions
  #state: SymmetricState
  #s: KeyPair | null
  #e: KeyPair | null
  #rs: Uint8Array | null
  #re: Uint8Array | null = null
  #psk: Uint8Array | null
  #step = 0
  #failed = false
  #split = false

  constructor(options: HandshakeOptions) {
    const { pattern, initiator } = options
    if (!Object.hasOwn(PATTERNS, pattern)) throw new NoiseError('Unknown Noise pattern.')
    const spec = PATTERNS[pattern]
    this.pattern = pattern
    this.initiator = initiator
    this.#spec = spec
    const usesPsk = pattern === 'XXpsk0'
    const needsS = pattern !== 'NX' || !initiator
    const needsRs = spec.responderStaticKnown && initiator
    // A key the pattern ignores is a caller's mistake (an `rs` in XX would pin nothing), so refuse it.
    if (needsS !== (options.s !== undefined)) throw new NoiseError(needsS ? 'This handshake needs our static key.' : 'This handshake takes no static key.')
    if (needsRs !== (options.rs !== undefined))
      throw new NoiseError(needsRs ? "This handshake needs the responder's static key." : "This handshake takes no remote static key; compare remoteStatic instead.")
    if (usesPsk !== (options.psk !== undefined)) throw new NoiseError(usesPsk ? 'This handshake needs a PSK.' : 'This handshake takes no PSK.')
    if (!(options.prologue instanceof Uint8Array)) throw new NoiseError('The prologue must be bytes.')
    const copyPair = (pair: KeyPair) => ({ publicKey: checkKey('A public key', pair.publicKey), privateKey: checkKey('A private key', pair.privateKey) })
    this.#options = {
      pattern,
      initiator,
      prologue: options.prologue.slice(),
      s: options.s && copyPair(options.s),
      rs: options.rs && checkKey("The responder's static key", options.rs),
      psk: options.psk && checkKey('A PSK', options.psk),
      e: options.e && copyPair(options.e),
    }
    this.#s = this.#options.s ?? null
    this.#e = this.#options.e ? copyPair(this.#options.e) : null
    this.#rs = this.#options.rs?.slice() ?? null
    this.#psk = this.#options.psk ?? null

    this.#state = SymmetricState.initialize(spec.protocolName)
    this.#state.mixHash(this.#options.prologue)
    // Pre-message `<- s` (spec §5.3 Initialize): the responder's static key, known to both.
    if (spec.responderStaticKnown) this.#state.mixHash(initiator ? this.#rs! : this.#s!.publicKey)
  }

  get complete(): boolean {
    return this.#step === this.#spec.messages.length
  }

  /** Whether the next call is writeMessage (else readMessage). */
  get isWriting(): boolean {
    return !this.complete && (this.#step % 2 === 0) === this.initiator
  }

  /** The peer's static public key, once known (after the message that carries it, or from `rs`). */
  get remoteStatic(): Uint8Array | null {
    return this.#rs?.slice() ?? null
  }

  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    return this.#guard(true, () => {
      const parts: Uint8Array[] = []
      for (const token of this.#tokens()) {
        if (token === 'e') {
          this.#e ??= generateKeyPair()
          parts.push(this.#e.publicKey)
          this.#mixEphemeral(this.#e.publicKey)
        } else if (token === 's') {
          parts.push(this.#state.encryptAndHash(this.#s!.publicKey))
        } else this.#mixToken(token)
      }
      parts.push(this.#state.encryptAndHash(payload))
      const message = concat(...parts)
      if (message.length > MAX_NOISE_MESSAGE) throw new NoiseError('The handshake message is longer than a Noise message may be.')
      return message
    })
  }

  readMessage(message: Uint8Array): Uint8Array {
    return this.#guard(false, () => {
      if (message.length > MAX_NOISE_MESSAGE) throw new NoiseError('The handshake message is too long.')
      let at = 0
      const take = (n: number): Uint8Array => {
        if (message.length - at < n) throw new NoiseError('The handshake message is too short.')
        return message.slice(at, (at += n))
      }
      for (const token of this.#tokens()) {
        if (token === 'e') {
          this.#re = take(DH_LENGTH)
          this.#mixEphemeral(this.#re)
        } else if (token === 's') {
          this.#rs = this.#state.decryptAndHash(take(DH_LENGTH + (this.#state.hasKey ? TAG_LENGTH : 0)))
        } else this.#mixToken(token)
      }
      return this.#state.decryptAndHash(message.slice(at))
    })
  }

  /** GetHandshakeHash() (spec §11.2): the channel binding for the check phrase and app-key proofs. */
  handshakeHash(): Uint8Array {
    this.#checkUsable()
    if (!this.complete) throw new NoiseError('The handshake is not complete.')
    return this.#state.hash
  }

  /**
   * Split() (spec §5.2): the transport keys for our role. SECURITY: allowed once, so two
   * CipherStates never share a key and a nonce.
   */
  split(): { send: CipherState; receive: CipherState } {
    this.#checkUsable()
    if (!this.complete) throw new NoiseError('The handshake is not complete.')
    if (this.#split) throw new NoiseError('The transport keys were already taken.')
    this.#split = true
    const [c1, c2] = this.#state.split()
    return this.initiator ? { send: c1, receive: c2 } : { send: c2, receive: c1 }
  }

  /** A deep copy: each copy goes on alone, and a failure in one leaves the other as it was. */
  clone(): Handshake {
    this.#checkUsable()
    const copy = new Handshake(this.#options)
    copy.#state = this.#state.clone()
    copy.#e = this.#e && { publicKey: this.#e.publicKey.slice(), privateKey: this.#e.privateKey.slice() }
    copy.#rs = this.#rs?.slice() ?? null
    copy.#re = this.#re?.slice() ?? null
    copy.#step = this.#step
    copy.#split = this.#split
    return copy
  }

  #tokens(): readonly Token[] {
    return this.#spec.messages[this.#step]!
  }

  /** `e` (spec §5.3), plus MixKey(e) in psk handshakes only (spec §9.2). */
  #mixEphemeral(publicKey: Uint8Array): void {
    this.#state.mixHash(publicKey)
    if (this.#psk) this.#state.mixKey(publicKey)
  }

  /** `ee`, `es`, `se`, `ss` (spec §5.3: the first letter is the initiator's key) and `psk`. */
  #mixToken(token: Exclude<Token, 'e' | 's'>): void {
    if (token === 'psk') return this.#state.mixKeyAndHash(this.#psk!)
    const mine = token[this.initiator ? 0 : 1] === 'e' ? this.#e : this.#s
    const theirs = token[this.initiator ? 1 : 0] === 'e' ? this.#re : this.#rs
    if (!mine || !theirs) throw new NoiseError('A key the handshake needs is missing.')
    this.#state.mixKey(dh(mine, theirs))
  }

  #guard<T>(writing: boolean, step: () => T): T {
    this.#checkUsable()
    if (this.complete) throw new NoiseError('The handshake is already complete.')
    if (this.isWriting !== writing) throw new NoiseError(writing ? 'It is the peer’s turn to write.' : 'It is our turn to write.')
    try {
      const result = step()
      this.#step++
      // SECURITY: the ephemeral private key is not needed once the handshake is complete.
      if (this.complete) this.#e?.privateKey.fill(0)
      return result
    } catch (cause) {
      this.#failed = true
      throw cause instanceof NoiseError ? cause : new NoiseError('The handshake failed.', { cause })
    }
  }

  #checkUsable(): void {
    if (this.#failed) throw new NoiseError('This handshake failed and cannot be used again.')
  }
}
