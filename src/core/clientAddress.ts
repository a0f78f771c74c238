import { BlockList, isIP } from 'node:net'

/** `::ffff:10.0.0.1` (IPv4 over an IPv6 socket) as `10.0.0.1`. */
const plain = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')

/** Parses TRUSTED_PROXIES: addresses and CIDR ranges, IPv4 or IPv6, comma-separated. Throws naming a bad entry. */
export function parseTrustedProxies(spec: string): BlockList {
  const list = new BlockList()
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [address = '', bits] = entry.split('/')
    const family = isIP(plain(address))
    if (!family || (bits !== undefined && !/^\d{1,3}$/.test(bits))) throw new Error(`"${entry}" is not an address or a CIDR range`)
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (bits === undefined) list.addAddress(plain(address), type)
    else list.addSubnet(plain(address), Number(bits), type)
  }
  return list
}

/**
 * The client's address for rate limits: the socket's peer, or, when that peer is a trusted proxy, the nearest
 * X-Forwarded-For entry that is not itself a trusted proxy (read from the right: entries further left are
 * whatever the client claimed).
 */
export function createClientAddress(trusted: BlockList): (socketAddress: string | undefined, forwardedFor: string | undefined) => string {
  const isTrusted = (address: string) => {
    const family = isIP(address)
    return family !== 0 && trusted.check(address, family === 4 ? 'ipv4' : 'ipv6')
  }
  return (socketAddress, forwardedFor) => {
    let client = plain(socketAddress ?? 'unknown')
    if (!isTrusted(client) || !forwardedFor) return client
    for (const hop of forwardedFor.split(',').map(plain).reverse()) {
      if (!isIP(hop)) return client // a malformed entry: stop at the last address we can vouch for
      client = hop
      if (!isTrusted(hop)) return client
    }
    return client
  }
}
