import { describe, expect, it } from 'vitest'
import { advertisedHosts, ipv6Prefix64, isServable, servableAddresses } from '../../../src-main/core/agent/network/addresses'

describe('the addresses phones may reach', () => {
  it('serves private and loopback ranges only, never public, unspecified or link-local IPv6', () => {
    for (const ok of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.20', '169.254.3.4', '127.0.0.1', '::1', 'fd12:3456::1', 'fc00::2']) expect(isServable(ok), ok).toBe(true)
    for (const no of ['8.8.8.8', '172.32.0.1', '0.0.0.0', '::', '2001:db8::1', 'fe80::1', '100.64.0.1']) expect(isServable(no), no).toBe(false)
  })

  it('lists interface addresses private first, skips public and scoped ones, and advertises loopback only when nothing else', () => {
    const found = servableAddresses({
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '255.0.0.0', mac: '', cidr: null }],
      wlan0: [
        { address: '192.168.1.20', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null },
        { address: 'fe80::1', family: 'IPv6', internal: false, netmask: 'ffff:ffff:ffff:ffff::', mac: '', cidr: null, scopeid: 3 },
      ],
      eth1: [{ address: '203.0.113.7', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '', cidr: null }],
    })
    expect(found.map((a) => `${a.address} ${a.interface}`)).toEqual(['192.168.1.20 wlan0', '127.0.0.1 lo'])
    expect(advertisedHosts(['192.168.1.20', '127.0.0.1'], 5000)).toEqual(['192.168.1.20:5000'])
    expect(advertisedHosts(['127.0.0.1', '::1'], 5000)).toEqual(['127.0.0.1:5000', '[::1]:5000'])
  })

  it('counts an IPv6 peer by its /64, so one host cannot rotate addresses around the per-address limits', () => {
    expect(ipv6Prefix64('fd12:3456:789a:1::5')).toBe('fd12:3456:789a:1::/64')
    expect(ipv6Prefix64('fd12:3456:789a:1:ffff::9')).toBe('fd12:3456:789a:1::/64')
    expect(ipv6Prefix64('fd00::1')).toBe('fd00:0:0:0::/64')
    expect(ipv6Prefix64('::1')).toBe('0:0:0:0::/64')
  })
})
