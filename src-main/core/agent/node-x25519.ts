import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto'
import type { KeyPair, X25519 } from '../../../src-shared/local-access/noise-core'

// The fixed DER prefixes of an X25519 key (RFC 8410): PKCS#8 for a private key, followed by the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

const base64Url = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url')
const raw = (text: string | undefined) => new Uint8Array(Buffer.from(text ?? '', 'base64url'))

/**
 * A key pair's private key as a KeyObject, from its JWK (RFC 8037): Node loads it as raw bytes,
 * where the PKCS#8 form goes through OpenSSL 3's decoders (about 0.4 ms each, more on first use).
 */
const privateKeyOf = (keyPair: KeyPair): KeyObject =>
  createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: base64Url(keyPair.privateKey), x: base64Url(keyPair.publicKey) }, format: 'jwk' })
const publicKeyOf = (publicKey: Uint8Array): KeyObject => createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64Url(publicKey) }, format: 'jwk' })

/**
 * X25519 from Node's crypto (OpenSSL), for the CLI: the same function as noble's (RFC 7748,
 * with its clamping), without noble's table building on first use. OpenSSL refuses a shared
 * secret of all zeros (a low-order public key) by throwing, which dh() turns into a NoiseError.
 * A fresh pair is made by OpenSSL and read back as JWK; a private key alone (a stored static
 * key) has its public key derived through PKCS#8, as it has no JWK without it.
 */
export const NODE_X25519: X25519 = {
  generateKeyPair: () => {
    const jwk = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' })
    return { publicKey: raw(jwk.x), privateKey: raw(jwk.d) }
  },
  getPublicKey: (privateKey) => raw(createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x),
  getSharedSecret: (keyPair, publicKey) => new Uint8Array(diffieHellman({ privateKey: privateKeyOf(keyPair), publicKey: publicKeyOf(publicKey) })),
}
