import { request } from 'node:http'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTokenSigner } from '../src/core/tokens.js'
import { AGENT_ACCOUNTS, ALICE } from './helpers/agents.js'
import { startServer, tempDataDir, type Running } from './helpers/server.js'

// The smaller findings of issue 10, point 6.
const data = tempDataDir()
let running: Running | undefined
afterEach(async () => {
  await running?.stop()
  running = undefined
})

/** A raw HTTP request, so the Host and X-Forwarded-Proto headers are exactly what an attacker sends. */
function raw(url: string, path: string, { method = 'GET', headers = {} as Record<string, string>, body = '' } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { ...headers, ...(body && { 'content-length': Buffer.byteLength(body) }) } }, (res) => {
      let text = ''
      res.on('data', (c) => (text += c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('Direct Line tokens', () => {
  it('reach an absolute end of life, however often they are refreshed', () => {
    const signer = createTokenSigner('a'.repeat(32), { ttlSeconds: 60, maxAgeSeconds: 100 })
    const t0 = Date.parse('2026-01-01T00:00:00Z')
    const first = signer.issue('dl-c', 'u', t0)
    const born = t0 / 1000

    const refreshed = signer.issue('dl-c', 'u', t0 + 50_000, born)
    const last = signer.issue('dl-c', 'u', t0 + 90_000, born)

    expect(signer.verify(first.token, t0 + 30_000).ok).toBe(true)
    expect(refreshed.expiresIn).toBe(50) // capped at the end of life, not 60 more
    expect(signer.verify(refreshed.token, t0 + 99_000).ok).toBe(true)
    expect(last.expiresIn).toBe(10)
    expect(signer.verify(last.token, t0 + 100_000)).toEqual({ ok: false, reason: 'expired' })
  })
})

describe('HTTP headers', () => {
  it('builds streamUrl only from a plain Host header without PUBLIC_URL', async () => {
    running = await startServer(data.dir)
    const { token } = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
    const start = (headers: Record<string, string>) => raw(running!.url, '/v3/directline/conversations', { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers } })

    const plain = await start({ host: 'help.example.mil:8443', 'x-forwarded-proto': 'https' })
    const evil = await start({ host: 'evil.example.com/steal?x=' })
    const junkProto = await start({ host: 'help.example.mil', 'x-forwarded-proto': 'javascript' })

    expect(JSON.parse(plain.body).streamUrl).toMatch(/^wss:\/\/help\.example\.mil:8443\/v3\/directline\/conversations\/dl-/)
    expect(evil.status).toBe(400)
    expect(JSON.parse(evil.body).error.message).toMatch(/not a plain host name; set PUBLIC_URL/)
    expect(JSON.parse(junkProto.body).streamUrl).toMatch(/^ws:\/\/help\.example\.mil\//)
  })

  it('lets the help page open WebSockets to its own host only', async () => {
    running = await startServer(data.dir)

    const csp = String((await raw(running.url, '/')).headers['content-security-policy'])
    const host = new URL(running.url).host

    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host};`)
    expect(csp).not.toMatch(/ wss?:[ ;]/)
  })

  it('marks JSON and error responses nosniff', async () => {
    running = await startServer(data.dir)

    for (const response of [await raw(running.url, '/healthz'), await raw(running.url, '/nowhere'), await raw(running.url, '/api/messages', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('sends HSTS and Secure cookies when served over https (PUBLIC_URL), and neither over plain http', async () => {
    const login = (url: string) =>
      fetch(`${url}/agent/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ALICE.username, password: ALICE.password }) })
    running = await startServer(data.dir, { AGENT_ACCOUNTS, PUBLIC_URL: 'https://help.example.mil' })
    const overHttps = await login(running.url)
    await running.stop()
    running = await startServer(data.dir, { AGENT_ACCOUNTS })
    const overHttp = await login(running.url)

    expect(overHttps.headers.get('strict-transport-security')).toBe('max-age=31536000')
    expect(overHttps.headers.getSetCookie().every((c) => c.endsWith('; Secure'))).toBe(true)
    expect(overHttp.headers.get('strict-transport-security')).toBeNull()
    expect(overHttp.headers.getSetCookie().some((c) => c.includes('Secure'))).toBe(false)
  })

  it('cuts off a request body that trickles in, with 408', async () => {
    running = await startServer(data.dir, { HTTP_REQUEST_TIMEOUT_SECONDS: '1' })
    const { port } = new URL(running.url)
    const started = performance.now()

    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":')
      })
      let text = ''
      socket.on('data', (c) => (text += c))
      socket.on('close', () => resolve(text))
    })

    expect(answer).toMatch(/^HTTP\/1\.1 408/)
    expect(answer).toContain('did not arrive within 1 s')
    expect(performance.now() - started).toBeLessThan(5000)
  })
})
