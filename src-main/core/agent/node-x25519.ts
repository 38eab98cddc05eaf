import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, type KeyObject } from 'node:crypto'
import type { X25519 } from '../../../src-shared/local-access/noise'

// The fixed DER prefixes of an X25519 key (RFC 8410): PKCS#8 for a private key, SPKI for a
// public one, each followed by the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

const privateKeyOf = (raw: Uint8Array): KeyObject => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' })
const publicKeyOf = (raw: Uint8Array): KeyObject => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })

/**
 * X25519 from Node's crypto (OpenSSL), for the CLI: the same function as noble's (RFC 7748,
 * with its clamping), without noble's table building on first use. OpenSSL refuses a shared
 * secret of all zeros (a low-order public key) by throwing, which dh() turns into a NoiseError.
 */
export const NODE_X25519: X25519 = {
  randomSecretKey: () => new Uint8Array(randomBytes(32)),
  getPublicKey: (privateKey) => new Uint8Array(createPublicKey(privateKeyOf(privateKey)).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length)),
  getSharedSecret: (privateKey, publicKey) => new Uint8Array(diffieHellman({ privateKey: privateKeyOf(privateKey), publicKey: publicKeyOf(publicKey) })),
}
