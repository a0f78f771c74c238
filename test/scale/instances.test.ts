import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { DATABASE_URL, freshNamespace, REDIS_URL } from '../helpers/postgres.js'
import { AGENT_ACCOUNTS, ALICE, BOB, signIn } from '../helpers/agents.js'
import { startServer, tempDataDir, type Running } from '../helpers/server.js'

// Two instances of the whole application on one PostgreSQL schema and one Redis prefix, as behind a load balancer.
const namespace = freshNamespace()
const data = tempDataDir()
const env = { DATABASE_URL, DATABASE_SCHEMA: namespace.schema, REDIS_URL, REDIS_KEY_PREFIX: namespace.redisPrefix, DIRECTLINE_GENERATE_LIMIT: '1000' }
let a: Running
let b: Running
beforeAll(async () => {
  ;[a, b] = await Promise.all([startServer(data.dir, env), startServer(data.dir, env)]) // both migrate at once: one does
})
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
  await namespace.drop()
  data.remove()
})

interface Activity {
  id: string
  type: string
  text?: string
  from: { role?: string }
  channelData?: { clientActivityID?: string }
}

async function call(instance: Running, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${instance.url}/v3/directline${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

async function openStream(url: string) {
  const socket = new WebSocket(url)
  const sets: { activities: Activity[]; watermark?: string }[] = []
  socket.on('message', (raw) => {
    const text = raw.toString()
    if (text) sets.push(JSON.parse(text))
  })
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  const all = () => sets.flatMap((s) => s.activities).filter((x) => x.type !== 'typing')
  return {
    sets,
    socket,
    all,
    async waitFor(n: number) {
      for (let i = 0; i < 250 && all().length < n; i++) await new Promise((r) => setTimeout(r, 20))
      return all()
    },
  }
}

let clientIds = 0
const message = (text: string, clientActivityID = `c-${++clientIds}`) => ({ type: 'message', text, channelData: { clientActivityID } })

describe('two instances on PostgreSQL + Redis', () => {
  it('answers a conversation whose messages alternate between instances on the stream held by one, in order, once each', async () => {
    const generated = await call(a, 'POST', '/tokens/generate')
    const { conversationId, token } = generated.body
    const started = await call(b, 'POST', '/conversations', token) // A's token works on B: the secret is shared
    expect(started.status).toBe(201)
    const stream = await openStream(started.body.streamUrl)

    const first = await call(a, 'POST', `/conversations/${conversationId}/activities`, token, message('my cac says 403 access forbidden'))
    const afterFirst = await stream.waitFor(4)
    const second = await call(b, 'POST', `/conversations/${conversationId}/activities`, token, message('not sure'))
    const third = await call(a, 'POST', `/conversations/${conversationId}/activities`, token, message('yes'))
    await new Promise((r) => setTimeout(r, 300))
    const activities = stream.all()

    expect([first.status, second.status, third.status]).toEqual([200, 200, 200])
    expect(afterFirst[0]).toMatchObject({ id: first.body.id, text: 'my cac says 403 access forbidden', channelData: { clientActivityID: `c-${clientIds - 2}` } })
    const ids = activities.map((x) => x.id)
    expect(new Set(ids).size).toBe(ids.length) // nothing twice
    expect(ids).toEqual([...ids].sort()) // in watermark order
    const echoes = activities.filter((x) => x.from.role === 'user').map((x) => x.text)
    expect(echoes).toEqual(['my cac says 403 access forbidden', 'not sure', 'yes'])
    expect(activities.at(-1)!.id).toBe(`${conversationId}|${String(activities.length).padStart(7, '0')}`) // no gap
    const polled = await call(a, 'GET', `/conversations/${conversationId}/activities?watermark=0`, token)
    expect(polled.body.activities.map((x: Activity) => x.id)).toEqual(ids)
    stream.socket.close()
  })

  it('replays exactly the missing activities to a stream reopened on the other instance', async () => {
    const { conversationId, token } = (await call(a, 'POST', '/tokens/generate')).body
    await call(a, 'POST', `/conversations/${conversationId}/activities`, token, message('i forgot my pin'))
    const all = (await call(b, 'GET', `/conversations/${conversationId}/activities?watermark=0`, token)).body
    const seen = 2

    const resumed = await call(b, 'GET', `/conversations/${conversationId}?watermark=${seen}`, token)
    const stream = await openStream(resumed.body.streamUrl)
    const replayed = await stream.waitFor(all.activities.length - seen)
    await new Promise((r) => setTimeout(r, 200))

    expect(replayed.map((x) => x.id)).toEqual(all.activities.slice(seen).map((x: Activity) => x.id))
    expect(stream.all()).toHaveLength(all.activities.length - seen)
    stream.socket.close()
  })

  it('keeps one stream per conversation: a newer one on the other instance closes the older', async () => {
    const { conversationId, token } = (await call(a, 'POST', '/tokens/generate')).body
    const older = await openStream((await call(a, 'POST', '/conversations', token)).body.streamUrl)
    const closed = new Promise<string>((resolve) => older.socket.once('close', (_code, reason) => resolve(reason.toString())))

    const newer = await openStream((await call(b, 'GET', `/conversations/${conversationId}?watermark=0`, token)).body.streamUrl)
    await call(a, 'POST', `/conversations/${conversationId}/activities`, token, message('i forgot my pin'))

    expect(await closed).toBe('collision')
    expect((await newer.waitFor(2)).length).toBeGreaterThanOrEqual(2)
    newer.socket.close()
  })

  it('handles a client retry once, whichever instance it reaches', async () => {
    const { conversationId, token } = (await call(a, 'POST', '/tokens/generate')).body
    const posted = message('my cac says 403 access forbidden')

    const [one, two] = await Promise.all([
      call(a, 'POST', `/conversations/${conversationId}/activities`, token, posted),
      call(b, 'POST', `/conversations/${conversationId}/activities`, token, posted),
    ])
    const again = await call(b, 'POST', `/conversations/${conversationId}/activities`, token, posted)
    const stored = (await call(a, 'GET', `/conversations/${conversationId}/activities?watermark=0`, token)).body.activities as Activity[]

    expect([one.status, two.status, again.status]).toEqual([200, 200, 200])
    expect(new Set([one.body.id, two.body.id, again.body.id]).size).toBe(1)
    expect(stored.filter((x) => x.from.role === 'user')).toHaveLength(1)
    expect(stored.filter((x) => /^Hi, I'm the CAC help-desk bot/.test(x.text ?? ''))).toHaveLength(1)
  })
})

describe('health of an instance on PostgreSQL + Redis', () => {
  it('says the database and Redis answer, and is ready', async () => {
    const health = await fetch(`${a.url}/healthz`)
    const ready = await fetch(`${a.url}/readyz`)

    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok', database: { ok: true }, redis: { ok: true } })
    expect(ready.status).toBe(200)
  })

  it('with Redis down: says so, warns, and still serves the streams it holds', async () => {
    const alone = await startServer(data.dir, { ...env, REDIS_URL: 'redis://127.0.0.1:1' })
    try {
      const health = await fetch(`${alone.url}/healthz`)
      const { conversationId, token } = (await call(alone, 'POST', '/tokens/generate')).body
      const started = await call(alone, 'POST', '/conversations', token)
      const stream = await openStream(started.body.streamUrl)
      await call(alone, 'POST', `/conversations/${conversationId}/activities`, token, message('my cac says 403 access forbidden'))
      const activities = await stream.waitFor(4)
      stream.socket.close()

      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ status: 'degraded', database: { ok: true }, redis: { ok: false } })
      expect(activities.map((x) => x.from.role)).toEqual(['user', 'bot', 'bot', 'bot'])
      expect(alone.logs.lines.some((l) => l.msg === 'redis unavailable: live events reach this instance only')).toBe(true)
      expect(alone.logs.lines.some((l) => l.msg === 'redis unavailable: rate limits are per instance')).toBe(true)
    } finally {
      await alone.stop()
    }
  })
})

describe('the agent console across instances', () => {
  it('streams events from any instance to every console, with ids a reconnecting console resumes from', async () => {
    const agents = { ...env, AGENT_ACCOUNTS, HANDOFF_WAIT_SECONDS: '60' }
    const [c, d] = await Promise.all([startServer(data.dir, agents), startServer(data.dir, agents)])
    try {
      const alice = await signIn(c.url, ALICE)
      const bob = await signIn(d.url, BOB) // a session made on one instance is valid on every one
      expect((await bob.call('GET', '/me')).status).toBe(200)
      const events = await readEvents(c.url, alice.cookie)

      const { conversationId, token } = (await call(d, 'POST', '/tokens/generate')).body
      await call(d, 'POST', `/conversations/${conversationId}/activities`, token, message('talk to a person'))
      const changed = await events.waitFor((e) => e.event === 'changed')
      const caseId = JSON.parse(changed.data).caseId as string
      const claims = await Promise.all([alice.call('POST', `/cases/${caseId}/claim`, {}), bob.call('POST', `/cases/${caseId}/claim`, {})])
      await call(d, 'POST', `/conversations/${conversationId}/activities`, token, message('hello, are you there?'))
      const relayed = await events.waitFor((e) => e.event === 'message' && e.data.includes('are you there'))
      events.stop()

      expect(claims.map((r) => r.status).sort()).toEqual([200, 409]) // two agents, one case: exactly one wins
      expect(Number(relayed.id)).toBeGreaterThan(Number(changed.id))
      const resumed = await readEvents(d.url, bob.cookie, changed.id)
      const replayed = await resumed.waitFor((e) => e.id === relayed.id)
      resumed.stop()
      expect(resumed.all[0]!.id).not.toBe(changed.id) // only what followed the last one seen
      expect(replayed.data).toContain('are you there')
    } finally {
      await Promise.all([c.stop(), d.stop()])
    }
  })
})

/** A server-sent event stream, read as the console's EventSource does (with Last-Event-ID when resuming). */
async function readEvents(url: string, cookie: string, lastEventId?: string) {
  const abort = new AbortController()
  const response = await fetch(`${url}/agent/api/events`, { headers: { cookie, ...(lastEventId && { 'last-event-id': lastEventId }) }, signal: abort.signal })
  const all: { id: string; event: string; data: string }[] = []
  void (async () => {
    let buffer = ''
    for await (const chunk of response.body!) {
      buffer += Buffer.from(chunk).toString('utf8')
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim()
        if (field('event')) all.push({ id: field('id') ?? '', event: field('event')!, data: field('data') ?? '' })
      }
    }
  })().catch(() => {})
  return {
    all,
    stop: () => abort.abort(),
    async waitFor(match: (e: { id: string; event: string; data: string }) => boolean) {
      for (let i = 0; i < 250; i++) {
        const found = all.find(match)
        if (found) return found
        await new Promise((r) => setTimeout(r, 20))
      }
      throw new Error(`no such event in ${JSON.stringify(all)}`)
    },
  }
}

describe('rate limits across instances', () => {
  it('counts new conversations per client address on every instance together, behind a trusted proxy', async () => {
    const limited = { ...env, DIRECTLINE_GENERATE_LIMIT: '3', TRUSTED_PROXIES: '127.0.0.1' }
    const [c, d] = await Promise.all([startServer(data.dir, limited), startServer(data.dir, limited)])
    const generate = (instance: Running, client: string) =>
      fetch(`${instance.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'x-forwarded-for': client } }).then((r) => r.status)
    try {
      const first = [await generate(c, '198.51.100.1'), await generate(d, '198.51.100.1'), await generate(c, '198.51.100.1')]
      const fourth = await generate(d, '198.51.100.1')
      const forged = await generate(d, '203.0.113.9, 198.51.100.1') // the proxy appends the real address last
      const someoneElse = await generate(c, '198.51.100.2')

      expect(first).toEqual([200, 200, 200])
      expect(fourth).toBe(429)
      expect(forged).toBe(429)
      expect(someoneElse).toBe(200)
    } finally {
      await Promise.all([c.stop(), d.stop()])
    }
  })
})
