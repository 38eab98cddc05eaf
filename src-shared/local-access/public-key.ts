import { fromBase64Url, toBase64Url } from './frames'

const OPENSSH = /^ssh-ed25519\s+([A-Za-z0-9+/]+={0,2})(\s+.*)?$/

/**
 * A third-party key's Ed25519 public key as its issuer gives it: 32 raw bytes in base64url
 * (43 characters), or an OpenSSH `ssh-ed25519 AAAA… [comment]` line. Returns the base64url
 * form Keyhold stores, or null when it is neither.
 */
export function readEd25519PublicKey(text: string): string | null {
  const trimmed = text.trim()
  const raw = fromBase64Url(trimmed, 32)
  if (raw) return toBase64Url(raw)
  const ssh = OPENSSH.exec(trimmed)
  if (!ssh) return null
  let blob: Uint8Array
  try {
    blob = Uint8Array.from(atob(ssh[1]!), (c) => c.charCodeAt(0))
  } catch {
    return null
  }
  // SSH wire format: string "ssh-ed25519", string key (32 bytes).
  const view = new DataView(blob.buffer)
  if (blob.length !== 4 + 11 + 4 + 32 || view.getUint32(0) !== 11 || view.getUint32(15) !== 32) return null
  if (new TextDecoder().decode(blob.subarray(4, 15)) !== 'ssh-ed25519') return null
  return toBase64Url(blob.subarray(19))
}
