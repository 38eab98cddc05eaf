import { describe, expect, it } from 'vitest'
import { readEd25519PublicKey } from '../../../src-shared/local-access/public-key'

/** RFC 8032 §7.1 test 1's public key, as base64url and as an OpenSSH line. */
const RAW = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'
const SSH = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea'

describe('readEd25519PublicKey', () => {
  it('reads 43 base64url characters and an ssh-ed25519 line (with or without a comment) to the same key', () => {
    expect(readEd25519PublicKey(RAW)).toBe(RAW)
    expect(readEd25519PublicKey(`  ${SSH} issuer@example  `)).toBe(RAW)
    expect(readEd25519PublicKey(SSH)).toBe(RAW)
  })

  it('refuses other lengths, other key types, padding bits and broken SSH blobs', () => {
    for (const bad of [
      RAW.slice(1),
      `${RAW}A`,
      `${RAW.slice(0, 42)}B`,
      'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ',
      SSH.replace('AAAAC3', 'AAAAC4'),
      `${SSH.slice(0, -4)}`,
      'ssh-ed25519',
      '',
    ])
      expect(readEd25519PublicKey(bad), bad).toBeNull()
  })
})
