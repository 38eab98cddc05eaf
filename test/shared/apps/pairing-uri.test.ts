import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CODE_DATA_LENGTH, codeFromRandomBytes } from '../../../src-shared/apps/authorization-code'
import { canonicalTime } from '../../../src-shared/apps/iso-time'
import { buildPairingUri, parsePairingUri, type PairingPayload } from '../../../src-shared/apps/pairing-uri'

const code = codeFromRandomBytes(randomBytes(CODE_DATA_LENGTH))
const payload: PairingPayload = {
  version: 1,
  vaultId: 'c3a7f725f31ce7b0afc2',
  appId: 'd188ccbf-1272-45df-9d29-0c65b71634b6',
  code,
  expiresAt: '2027-01-01T08:00:00.000Z',
}

/** A desktop public key: 32 bytes in base64url, 43 characters. */
const DPK = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'
/** A certificate's SPKI SHA-256, base64url. */
const FP = 'Tp_JuvazGI1f6uUvrNjvOgMwbVCIndp5Def2iz5dkwI'

describe('pairing URI', () => {
  it('carries the desktop key as dpk after exp, and refuses a dpk of the wrong length, characters or padding bits, or repeated', () => {
    const uri = buildPairingUri({ ...payload, desktopKey: DPK, hosts: ['10.0.0.2:1'] })
    expect(uri).toMatch(new RegExp(`&exp=[^&]*&dpk=${DPK}&host=10.0.0.2%3A1$`))
    for (const bad of [DPK.slice(1), `${DPK}A`, `${DPK.slice(0, 20)}+${DPK.slice(21)}`, `${DPK.slice(0, 42)}B`]) {
      const parsed = parsePairingUri(buildPairingUri(payload) + `&dpk=${encodeURIComponent(bad)}`)
      expect(parsed, bad).toMatchObject({ ok: false, message: expect.stringMatching(/desktop key/) })
      expect(() => buildPairingUri({ ...payload, desktopKey: bad })).toThrow(RangeError)
    }
    expect(parsePairingUri(`${uri}&dpk=${DPK}`)).toMatchObject({ ok: false, message: expect.stringMatching(/repeats its "dpk"/) })
  })

  it('carries 1 to 4 hosts in one comma-separated host, and the fingerprint as fp; refuses anything else in them', () => {
    const uri = buildPairingUri({ ...payload, desktopKey: DPK, hosts: ['192.168.1.20:47123', '[fd00::1]:47123'], fingerprint: FP })
    expect(uri).toMatch(new RegExp(`&dpk=${DPK}&host=192.168.1.20%3A47123%2C%5Bfd00%3A%3A1%5D%3A47123&fp=${FP}$`))
    const base = buildPairingUri(payload)
    const badHosts = ['', 'example.com:1', '192.168.1.20', '192.168.1.20:0', '192.168.1.20:65536', '256.1.1.1:5', '[fd00::1:5', 'fd00::1:5', '1.2.3.4:5,', Array(5).fill('1.2.3.4:5').join(',')]
    for (const bad of badHosts) {
      expect(parsePairingUri(`${base}&host=${encodeURIComponent(bad)}`), bad).toMatchObject({ ok: false, message: expect.stringMatching(/network address/) })
      expect(() => buildPairingUri({ ...payload, hosts: bad === '' ? [] : bad.split(',') }), bad).toThrow(RangeError)
    }
    for (const bad of ['sha256:AbC+/9=', FP.slice(1), `${FP}A`]) {
      expect(parsePairingUri(`${base}&fp=${encodeURIComponent(bad)}`), bad).toMatchObject({ ok: false, message: expect.stringMatching(/fingerprint/) })
      expect(() => buildPairingUri({ ...payload, fingerprint: bad })).toThrow(RangeError)
    }
  })

  it('has the documented shape, parameters in a fixed order', () => {
    expect(buildPairingUri(payload)).toBe(
      `keyhold://pair?v=1&vault=c3a7f725f31ce7b0afc2&app=d188ccbf-1272-45df-9d29-0c65b71634b6&key=${code}&exp=2027-01-01T08%3A00%3A00.000Z`,
    )
    expect(buildPairingUri({ ...payload, expiresAt: null })).toMatch(/&exp=$/)
  })

  it('round-trips: parse(build(p)) is p and build(parse(u)) is u, with and without expiry and reserved fields', () => {
    const variants: PairingPayload[] = [
      payload,
      { ...payload, expiresAt: null },
      { ...payload, hosts: ['192.168.1.20:47123'], fingerprint: FP },
      { ...payload, hosts: ['[fd00::1]:47123'] },
      { ...payload, desktopKey: DPK },
      { ...payload, desktopKey: DPK, hosts: ['192.168.1.20:47123', '10.1.2.3:47123', '[fd12:3456::2]:47123'], fingerprint: FP },
    ]
    for (const p of variants) {
      const uri = buildPairingUri(p)
      const parsed = parsePairingUri(uri)
      expect(parsed).toEqual({ ok: true, value: p })
      if (parsed.ok) expect(buildPairingUri(parsed.value)).toBe(uri)
    }
  })

  it('normalises what it reads: a typed-style key and an expiry with an offset', () => {
    const uri = buildPairingUri(payload)
      .replace(code, code.toLowerCase().replace(/-/g, ''))
      .replace('2027-01-01T08%3A00%3A00.000Z', '2027-01-01T10:00+02:00'.replace('+', '%2B'))
    expect(parsePairingUri(uri)).toEqual({ ok: true, value: payload })
  })

  it('ignores unknown parameters so v1 can grow optional ones', () => {
    expect(parsePairingUri(`${buildPairingUri(payload)}&label=phone`)).toEqual({ ok: true, value: payload })
  })

  it('refuses other schemes, actions, versions, repeats, missing fields and a key that fails its check', () => {
    const uri = buildPairingUri(payload)
    const typo = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0')
    const refused = [
      uri.replace('keyhold:', 'https:'),
      uri.replace('//pair', '//unpair'),
      uri.replace('v=1', 'v=2'),
      uri.replace('v=1&', ''),
      `${uri}&key=${code}`,
      uri.replace(/&app=[^&]+/, ''),
      uri.replace(/&exp=[^&]*/, ''),
      uri.replace(code, typo),
      uri.replace('vault=c3a7f725f31ce7b0afc2', 'vault=a%20b'),
      uri.replace('2027-01-01T08%3A00%3A00.000Z', '2027-02-31T08%3A00Z'),
      `${uri}&host=${encodeURIComponent('bad host/')}`,
      'not a uri',
      `${uri}&x=${'a'.repeat(3000)}`,
    ]
    for (const bad of refused) {
      const result = parsePairingUri(bad)
      expect(result.ok, bad.slice(0, 120)).toBe(false)
      if (!result.ok) expect(result.message).not.toContain(code)
    }
    expect(parsePairingUri(uri.replace('v=1', 'v=2'))).toMatchObject({ message: expect.stringMatching(/version 2/) })
  })

  it('refuses to build a URI around an invalid code or id', () => {
    expect(() => buildPairingUri({ ...payload, code: 'ABCD' })).toThrow(RangeError)
    expect(() => buildPairingUri({ ...payload, appId: 'a b' })).toThrow(RangeError)
    expect(() => buildPairingUri({ ...payload, expiresAt: 'tomorrow' })).toThrow(RangeError)
  })
})

describe('canonicalTime', () => {
  it('accepts ISO-8601 with a time zone and gives UTC toISOString form', () => {
    expect(canonicalTime('2026-12-31T18:00:00Z')).toBe('2026-12-31T18:00:00.000Z')
    expect(canonicalTime('2026-12-31T18:00Z')).toBe('2026-12-31T18:00:00.000Z')
    expect(canonicalTime('2027-01-01T00:30:00.5+05:30')).toBe('2026-12-31T19:00:00.500Z')
  })

  it('refuses a missing time zone, impossible dates and times, and other formats', () => {
    for (const bad of ['2026-12-31T18:00:00', '2026-02-29T00:00Z', '2026-04-31T00:00Z', '2026-13-01T00:00Z', '2026-12-31T24:00Z', '2026-12-31', 'tomorrow', ''])
      expect(canonicalTime(bad), bad).toBeNull()
    expect(canonicalTime('2028-02-29T00:00Z')).toBe('2028-02-29T00:00:00.000Z')
  })
})
