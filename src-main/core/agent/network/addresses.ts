import { BlockList, isIPv6 } from 'node:net'
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'

/** An address the network endpoint may listen on, with the interface it belongs to (shown in Settings). */
export interface ServableAddress {
  address: string
  family: 'IPv4' | 'IPv6'
  interface: string
  loopback: boolean
}

/**
 * Private and loopback ranges only (docs/pairing-protocol.md §2.4.2): the endpoint never
 * listens on a public address, nor on 0.0.0.0 / ::. IPv6 link-local (fe80::/10) is left out:
 * it needs a zone that a QR code cannot carry.
 */
const PRIVATE = new BlockList()
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4')
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4')
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4')
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4')
PRIVATE.addSubnet('fc00::', 7, 'ipv6')
const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

export function isLoopback(address: string): boolean {
  return LOOPBACK.check(address, isIPv6(address) ? 'ipv6' : 'ipv4')
}

export function isServable(address: string): boolean {
  const type = isIPv6(address) ? 'ipv6' : 'ipv4'
  return PRIVATE.check(address, type) || LOOPBACK.check(address, type)
}

/** The addresses of this computer's interfaces that the endpoint may serve, private ones first. */
export function servableAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): ServableAddress[] {
  const found: ServableAddress[] = []
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' && info.family !== 'IPv6') continue
      if (info.scopeid) continue
      if (!isServable(info.address)) continue
      found.push({ address: info.address, family: info.family, interface: name, loopback: isLoopback(info.address) })
    }
  }
  return found.sort((a, b) => Number(a.loopback) - Number(b.loopback) || (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1))
}

/** `a.b.c.d:port` or `[v6]:port`, as the pairing URI's `host` carries it. */
export function hostPort(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`
}

/**
 * The `host` a QR code carries: the served addresses that a phone can reach (loopback only when
 * there is nothing else, as in tests), at most 4.
 */
export function advertisedHosts(addresses: readonly string[], port: number): string[] {
  const reachable = addresses.filter((address) => !isLoopback(address))
  return (reachable.length > 0 ? reachable : addresses).slice(0, 4).map((address) => hostPort(address, port))
}

/** The first 64 bits of an IPv6 address, as `a:b:c:d::/64`. */
export function ipv6Prefix64(address: string): string {
  const [head = '', tail = ''] = address.split('%')[0]!.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g || '0', 16) || 0).toString(16))
    .join(':')}::/64`
}
