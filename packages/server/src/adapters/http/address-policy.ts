import { BlockList, isIPv4, isIPv6 } from 'node:net'

/** Why an address is not one the node calls out to by default. */
export type AddressClass =
  'unspecified' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'multicast' | 'reserved'

const v4: [string, number, AddressClass][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT (and Alibaba's metadata at 100.100.100.200)
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'metadata'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
]

const v6: [string, number, AddressClass][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fd00:ec2::254', 128, 'metadata'],
  ['fc00::', 7, 'private'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
]

function blockList(entries: [string, number, AddressClass][], type: 'ipv4' | 'ipv6') {
  return entries.map(([network, prefix, kind]) => {
    const list = new BlockList()
    list.addSubnet(network, prefix, type)
    return { list, kind }
  })
}

const V4 = blockList(v4, 'ipv4')
const V6 = blockList(v6, 'ipv6')

/** The IPv4 address an IPv6 address embeds (`::ffff:a.b.c.d`, `::a.b.c.d`, NAT64), if any. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase()
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (dotted) return dotted[1]
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower)
  if (!hex) return undefined
  const high = parseInt(hex[1]!, 16)
  const low = parseInt(hex[2]!, 16)
  return [high >> 8, high & 255, low >> 8, low & 255].join('.')
}

/**
 * Classifies an IP address: undefined for a public unicast address, else why the node does not
 * call it by default (loopback, private, link-local, cloud metadata, unspecified…). IPv6 forms of
 * an IPv4 address are judged as that IPv4 address.
 */
export function classifyAddress(address: string): AddressClass | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  if (isIPv4(bare)) return V4.find(({ list }) => list.check(bare, 'ipv4'))?.kind
  if (!isIPv6(bare)) return 'reserved'
  const inner = embeddedV4(bare)
  if (inner !== undefined) return classifyAddress(inner)
  return V6.find(({ list }) => list.check(bare, 'ipv6'))?.kind
}
