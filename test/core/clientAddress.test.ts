import { describe, expect, it } from 'vitest'
import { createClientAddress, parseTrustedProxies } from '../../src/core/clientAddress.js'

const behind = createClientAddress(parseTrustedProxies('10.0.0.0/8, 192.168.1.5, fd00::/8'))

describe('client address behind trusted proxies', () => {
  it.each([
    { name: 'a direct client', socket: '203.0.113.7', xff: undefined, client: '203.0.113.7' },
    { name: 'a direct client that forges the header', socket: '203.0.113.7', xff: '1.2.3.4', client: '203.0.113.7' },
    { name: 'a client behind the proxy', socket: '10.1.2.3', xff: '198.51.100.9', client: '198.51.100.9' },
    { name: 'a client behind two trusted proxies', socket: '::ffff:10.1.2.3', xff: '198.51.100.9, 192.168.1.5', client: '198.51.100.9' },
    { name: 'a forged entry left of the real one', socket: '10.1.2.3', xff: '1.1.1.1, 198.51.100.9', client: '198.51.100.9' },
    { name: 'the proxy without the header', socket: '10.1.2.3', xff: undefined, client: '10.1.2.3' },
    { name: 'a malformed header', socket: '10.1.2.3', xff: 'not-an-address', client: '10.1.2.3' },
    { name: 'IPv6 behind an IPv6 proxy', socket: 'fd00::1', xff: '2001:db8::7', client: '2001:db8::7' },
  ])('takes $client for $name', ({ socket, xff, client }) => {
    expect(behind(socket, xff)).toBe(client)
  })

  it('trusts no proxy by default', () => {
    expect(createClientAddress(parseTrustedProxies(''))('10.1.2.3', '198.51.100.9')).toBe('10.1.2.3')
  })

  it('names a bad entry', () => {
    expect(() => parseTrustedProxies('10.0.0.0/8, proxy.local')).toThrow('"proxy.local" is not an address or a CIDR range')
  })
})
