import { createHash, X509Certificate } from 'node:crypto'
import type { Vault } from '../../vault/vault'
import { readMeta, writeMeta } from '../../vault/meta'

const KEY = 'network_tls_key'
const CERT = 'network_tls_cert'
const VALID_YEARS = 20

/** The network endpoint's TLS identity: PEM key and certificate, and the `fp` a phone pins. */
export interface TlsIdentity {
  key: string
  cert: string
  fingerprint: string
}

/** `fp` (§2.4.1): SHA-256 of the certificate's SubjectPublicKeyInfo (DER), base64url. */
export function spkiFingerprint(cert: string | Buffer): string {
  const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('base64url')
}

/** The vault's identity, read from `meta`. Null until the endpoint was first turned on. */
export function readTlsIdentity(vault: Vault): TlsIdentity | null {
  const [key, cert] = vault.read((db) => [readMeta(db, KEY), readMeta(db, CERT)])
  return key && cert ? { key, cert, fingerprint: spkiFingerprint(cert) } : null
}

/**
 * The vault's TLS identity, generated once (ECDSA P-256, self-signed, 20 years: the pin is the
 * trust, not a date) and kept in the encrypted vault. SECURITY: the private key never leaves
 * the core; only the certificate and its fingerprint are shown.
 */
export async function ensureTlsIdentity(vault: Vault): Promise<TlsIdentity> {
  const existing = readTlsIdentity(vault)
  if (existing) return existing
  const notBeforeDate = new Date(Date.now() - 24 * 60 * 60 * 1000)
  const notAfterDate = new Date(notBeforeDate)
  notAfterDate.setUTCFullYear(notAfterDate.getUTCFullYear() + VALID_YEARS)
  // Loaded on first use: only a vault that serves phones ever makes a certificate.
  const { generate } = await import('selfsigned')
  const pems = await generate([{ name: 'commonName', value: `Keyhold vault ${vault.id}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
    ],
  })
  // Another writer (a second window's request) may have made one meanwhile: the first one stays.
  await vault.mutate((db) => {
    if (readMeta(db, KEY) && readMeta(db, CERT)) return
    writeMeta(db, KEY, pems.private)
    writeMeta(db, CERT, pems.cert)
  })
  return readTlsIdentity(vault)!
}
