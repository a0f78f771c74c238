import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ChannelAuthority {
  /** Its OpenID metadata, for `ToBotFromChannelOpenIdMetadataUrl`. */
  metadataUrl: string
  /** A channel token for `appId`, as Azure Bot Service signs them (RS256, issuer api.botframework.com). */
  token(appId: string, serviceUrl: string): string
  server: Server
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * A stand-in for Bot Framework's token authority: it publishes an RSA key the way login.botframework.com does, so
 * botbuilder validates our tokens for real (signature, issuer, audience, expiry, serviceurl claim).
 */
export function channelAuthority(): Promise<ChannelAuthority> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = randomUUID()
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as object), kid, use: 'sig', kty: 'RSA' }
  const server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(req.url === '/keys' ? { keys: [jwk] } : { issuer: 'https://api.botframework.com', jwks_uri: `${origin}/keys` }))
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve({
        metadataUrl: `${origin}/.well-known/openidconfiguration`,
        server,
        token(appId, serviceUrl) {
          const now = Math.floor(Date.now() / 1000)
          const unsigned = `${base64url({ alg: 'RS256', typ: 'JWT', kid })}.${base64url({ iss: 'https://api.botframework.com', aud: appId, serviceurl: serviceUrl, nbf: now - 10, exp: now + 600 })}`
          return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`
        },
      })
    }),
  )
}
