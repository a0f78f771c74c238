import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createTokenSigner } from '../src/core/tokens.js'
import { sqliteFile, startServer, tempDataDir, type Running } from './helpers/server.js'

const SECRET = 'test-secret-test-secret-test-secret-0123'
const data = tempDataDir()
afterAll(() => data.remove())

let running: Running
beforeAll(async () => {
  running = await startServer(data.dir, { DIRECTLINE_TOKEN_SECRET: SECRET, DIRECTLINE_RATE_LIMIT: '12', DIRECTLINE_GENERATE_LIMIT: '1000' })
})
afterEach(() => undefined)
afterAll(async () => running?.stop())

interface Activity {
  type: string
  id: string
  text?: string
  from: { id: string; role?: string }
  channelData?: { clientActivityID?: string }
  suggestedActions?: { actions: { title: string }[] }
}
interface ActivitySet {
  activities: Activity[]
  watermark?: string
}

async function call(method: string, path: string, { token, body, raw }: { token?: string; body?: unknown; raw?: string } = {}) {
  const response = await fetch(`${running.url}/v3/directline${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...((body !== undefined || raw) && { 'content-type': 'application/json' }) },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

async function newConversation(): Promise<{ conversationId: string; token: string }> {
  const { status, body } = await call('POST', '/tokens/generate')
  expect(status).toBe(200)
  return body
}

let clientIds = 0
const message = (text: string) => ({ type: 'message', text, from: { id: 'ignored' }, channelData: { clientActivityID: `client-${++clientIds}` } })

/** A WebSocket stream that collects every activity set it receives. */
async function openStream(streamUrl: string): Promise<{ sets: ActivitySet[]; socket: WebSocket; waitFor(n: number): Promise<Activity[]> }> {
  const socket = new WebSocket(streamUrl)
  const sets: ActivitySet[] = []
  socket.on('message', (data) => {
    const text = data.toString()
    if (text) sets.push(JSON.parse(text))
  })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const all = () => sets.flatMap((s) => s.activities)
  return {
    sets,
    socket,
    async waitFor(n) {
      for (let i = 0; i < 100 && all().length < n; i++) await new Promise((r) => setTimeout(r, 20))
      return all()
    },
  }
}

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url)
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    socket.on('open', () => {
      socket.close()
      resolve(101)
    })
    socket.on('error', () => undefined)
  })
}

describe('Direct Line: a conversation as Web Chat runs it', () => {
  it('generates a token, starts, streams the echo with its clientActivityID, then the replies', async () => {
    const { conversationId, token } = await newConversation()

    const started = await call('POST', '/conversations', { token })
    expect(started.status).toBe(201)
    expect(started.body).toMatchObject({ conversationId, token, expires_in: expect.any(Number) })
    expect(started.body.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${conversationId}/stream\\?watermark=0&t=`))
    const stream = await openStream(started.body.streamUrl)

    const posted = await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('i get a 403 error') })
    expect(posted.status).toBe(200)
    const activities = await stream.waitFor(4)

    expect(activities[0]).toMatchObject({ id: posted.body.id, type: 'message', text: 'i get a 403 error', from: { role: 'user' }, channelData: { clientActivityID: `client-${clientIds}` } })
    expect(activities[0]!.from.id).not.toBe('ignored') // identity comes from the token
    expect(activities.slice(1).map((a) => a.from.role)).toEqual(['bot', 'bot', 'bot'])
    expect(activities[1]!.text).toMatch(/^Hi, I'm the CAC help-desk bot/)
    expect(activities[3]!.suggestedActions?.actions.map((a) => a.title)).toEqual(['Not sure', 'No', 'Yes, it is'])
    expect(stream.sets.every((s) => typeof s.watermark === 'string')).toBe(true)
    expect(stream.sets.at(-1)!.watermark).toBe('4') // one set per committed batch, the watermark is its last number
    stream.socket.close()
  })

  it('welcomes exactly once, however often the page sends webchat/join, and uses the browser it names', async () => {
    const { conversationId, token } = await newConversation()
    const join = { type: 'event', name: 'webchat/join', value: { browser: 'chrome', os: 'windows' } }

    await call('POST', `/conversations/${conversationId}/activities`, { token, body: join })
    await call('POST', `/conversations/${conversationId}/activities`, { token, body: join })
    await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('how do i clear my cache') })
    const { body } = await call('GET', `/conversations/${conversationId}/activities?watermark=0`, { token })

    const botTexts = (body.activities as Activity[]).filter((a) => a.from.role === 'bot').map((a) => a.text)
    expect(botTexts.filter((t) => t?.startsWith("Hi, I'm the CAC help-desk bot"))).toHaveLength(1)
    // A hint only: used, but said as what the page sees, with a way to correct it.
    expect(botTexts).toContain(
      "This page is open in Chrome, so here are the Chrome steps. If your CAC reader is on another computer, tell me the browser you use there and I'll switch the steps.",
    )
  })

  it('treats the join value as untrusted: unknown values are dropped, never echoed by the bot', async () => {
    const { conversationId, token } = await newConversation()

    const posted = await call('POST', `/conversations/${conversationId}/activities`, {
      token,
      body: { type: 'event', name: 'webchat/join', value: { browser: '<script>alert(1)</script>', os: 42, extra: 'x'.repeat(100) } },
    })
    const { body } = await call('GET', `/conversations/${conversationId}/activities?watermark=0`, { token })

    expect(posted.status).toBe(200)
    const botTexts = (body.activities as Activity[]).filter((a) => a.from.role === 'bot').map((a) => a.text ?? '')
    expect(botTexts).toHaveLength(1)
    expect(botTexts.join()).not.toContain('script')
  })

  it('returns activities after a watermark over HTTP, with the watermark as a string', async () => {
    const { conversationId, token } = await newConversation()
    await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('thanks') })

    const all = await call('GET', `/conversations/${conversationId}/activities?watermark=0`, { token })
    const none = await call('GET', `/conversations/${conversationId}/activities?watermark=${all.body.watermark}`, { token })

    expect(all.body.activities.length).toBe(3) // echo, welcome, "you're welcome"
    expect(all.body.watermark).toBe('3')
    expect(none.body).toEqual({ activities: [], watermark: '3' })
  })

  it('reconnects from a watermark: the new stream replays what came after it', async () => {
    const { conversationId, token } = await newConversation()
    await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('thanks') })

    const reconnected = await call('GET', `/conversations/${conversationId}?watermark=1`, { token })
    const stream = await openStream(reconnected.body.streamUrl)
    const replayed = await stream.waitFor(2)

    expect(reconnected.body).toMatchObject({ conversationId, token })
    expect(replayed.map((a) => a.from.role)).toEqual(['bot', 'bot'])
    stream.socket.close()
  })

  it('redacts a secret in the echo and everything stored', async () => {
    const { conversationId, token } = await newConversation()

    await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('my pin is 24681357 and it is locked') })
    const { body } = await call('GET', `/conversations/${conversationId}/activities?watermark=0`, { token })

    expect(body.activities[0].text).toBe('my pin is [redacted] and it is locked')
    expect(body.activities[1].text).toMatch(/^That looked like a PIN/)
    const stored = sqliteFile(data.dir).prepare('SELECT activity FROM dl_activities WHERE conversation_id = ?').all(conversationId)
    expect(JSON.stringify(stored)).not.toContain('24681357')
  })

  it('refreshes a token for the same conversation', async () => {
    const { conversationId, token } = await newConversation()

    const refreshed = await call('POST', '/tokens/refresh', { token })

    expect(refreshed.status).toBe(200)
    expect(refreshed.body.conversationId).toBe(conversationId)
    expect((await call('GET', `/conversations/${conversationId}/activities`, { token: refreshed.body.token })).status).toBe(200)
  })
})

describe('Direct Line: token rules', () => {
  it('never lets a token for one conversation read or write another (403)', async () => {
    const mine = await newConversation()
    const theirs = await newConversation()
    const started = await call('POST', '/conversations', { token: theirs.token })

    expect((await call('GET', `/conversations/${theirs.conversationId}/activities`, { token: mine.token })).status).toBe(403)
    expect((await call('POST', `/conversations/${theirs.conversationId}/activities`, { token: mine.token, body: message('hi') })).status).toBe(403)
    expect((await call('GET', `/conversations/${theirs.conversationId}`, { token: mine.token })).status).toBe(403)
    const foreignStream = started.body.streamUrl.replace(/t=[^&]+/, `t=${encodeURIComponent(mine.token)}`)
    expect(await upgradeStatus(foreignStream)).toBe(403)
  })

  it.each([
    { name: 'no token', token: undefined, status: 401, code: 'TokenMissing' },
    { name: 'a garbled token', token: 'abc.def', status: 401, code: 'TokenInvalid' },
    { name: 'a token signed with another secret', token: createTokenSigner('another-secret-another-secret-0000').issue('dl-x', 'u').token, status: 401, code: 'TokenInvalid' },
  ])('rejects $name with $status', async ({ token, status, code }) => {
    const { conversationId } = await newConversation()

    const response = await call('GET', `/conversations/${conversationId}/activities`, { token })

    expect(response).toEqual({ status, body: { error: { code, message: expect.any(String) } } })
  })

  it('answers an expired token with 403, as Direct Line clients expect, over HTTP and WebSocket', async () => {
    const { conversationId, token } = await newConversation()
    const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())
    const expired = createTokenSigner(SECRET, { ttlSeconds: 60 }).issue(conversationId, claims.u, Date.now() - 3_600_000).token

    expect((await call('POST', '/tokens/refresh', { token: expired })).body.error.code).toBe('TokenExpired')
    expect((await call('GET', `/conversations/${conversationId}/activities`, { token: expired })).status).toBe(403)
    const stream = `${running.url.replace('http', 'ws')}/v3/directline/conversations/${conversationId}/stream?t=${encodeURIComponent(expired)}`
    expect(await upgradeStatus(stream)).toBe(403)
  })
})

describe('Direct Line: limits and malformed input', () => {
  it('refuses a message over the size limit with 413', async () => {
    const { conversationId, token } = await newConversation()

    const response = await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('x'.repeat(4001)) })

    expect(response).toEqual({ status: 413, body: { error: { code: 'MessageSizeTooBig', message: 'A message may have at most 4000 characters.' } } })
  })

  it('limits the rate per conversation with 429, without touching other conversations', async () => {
    const busy = await newConversation()
    const quiet = await newConversation()

    const statuses: number[] = []
    for (let i = 0; i < 13; i++) statuses.push((await call('POST', `/conversations/${busy.conversationId}/activities`, { token: busy.token, body: message('thanks') })).status)

    expect(statuses.slice(0, 12).every((s) => s === 200)).toBe(true)
    expect(statuses[12]).toBe(429)
    expect((await call('POST', `/conversations/${quiet.conversationId}/activities`, { token: quiet.token, body: message('thanks') })).status).toBe(200)
  })

  it.each([
    { name: 'malformed JSON', raw: '{"type": "message", "text": ', status: 400 },
    { name: 'a JSON array', body: [1, 2], status: 400 },
    { name: 'an unknown activity type', body: { type: 'invoke', text: 'x' }, status: 400 },
    { name: 'a message without text', body: { type: 'message', text: '   ' }, status: 400 },
    { name: 'an attachment', body: { type: 'message', text: 'x', attachments: [{ contentType: 'image/png' }] }, status: 400 },
    { name: 'text of the wrong type', body: { type: 'message', text: 42 }, status: 400 },
  ])('answers $name with $status, never 5xx', async ({ body, raw, status }) => {
    const { conversationId, token } = await newConversation()

    const response = await call('POST', `/conversations/${conversationId}/activities`, { token, body, raw })

    expect(response.status).toBe(status)
  })

  it.each([
    ['GET', '/conversations/dl-abc/activities?watermark=-1'],
    ['GET', '/conversations/dl-abc/activities?watermark=abc'],
    ['GET', '/conversations/not%20an%20id/activities'],
  ])('answers %s %s with 400 or 403, never 5xx', async (method, path) => {
    const { token } = await newConversation()

    const { status } = await call(method, path, { token })

    expect([400, 403]).toContain(status)
  })

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await call('GET', '/nothing-here')).status).toBe(404)
    expect((await call('DELETE', '/tokens/generate')).status).toBe(405)
    expect(await upgradeStatus(`${running.url.replace('http', 'ws')}/v3/directline/elsewhere`)).toBe(404)
  })
})

describe('Direct Line: a restart', () => {
  it('keeps the conversation, its history, its tokens and the step the user was on', async () => {
    const { conversationId, token } = await newConversation()
    await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('a cacreg box wants my username and password') })
    await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('Firefox') })
    const before = await call('GET', `/conversations/${conversationId}/activities?watermark=0`, { token })

    await running.stop()
    running = await startServer(data.dir, { DIRECTLINE_TOKEN_SECRET: SECRET, DIRECTLINE_RATE_LIMIT: '12' })
    const after = await call('GET', `/conversations/${conversationId}/activities?watermark=0`, { token })
    await call('POST', `/conversations/${conversationId}/activities`, { token, body: message('no') })
    const next = await call('GET', `/conversations/${conversationId}/activities?watermark=${after.body.watermark}`, { token })

    expect(after.body).toEqual(before.body)
    expect(next.body.activities.map((a: Activity) => a.text)).toEqual([
      'no',
      "Clearing the cache didn't fix it, and the help page's steps are used up.",
      expect.stringMatching(/^No help-desk agent is available through this chat/), // this server has no agent accounts
    ])
  })

  it('keeps tokens valid across a restart without a configured secret (it is kept in the database)', async () => {
    const own = tempDataDir()
    let server = await startServer(own.dir)
    const generated = await fetch(`${server.url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json())
    await server.stop()

    server = await startServer(own.dir)
    const response = await fetch(`${server.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${generated.token}` } })
    await server.stop()
    own.remove()

    expect(response.status).toBe(200)
  })
})
