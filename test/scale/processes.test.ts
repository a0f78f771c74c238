import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { AGENT_ACCOUNTS } from '../helpers/agents.js'
import { DATABASE_URL, freshNamespace, REDIS_URL } from '../helpers/postgres.js'
import { tempDataDir } from '../helpers/server.js'

// Two bot processes, as `npm start` runs them, on one PostgreSQL schema and one Redis prefix; one is killed with -9.
const namespace = freshNamespace()
const data = tempDataDir()
const env = {
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: data.dir,
  LOG_LEVEL: 'info',
  DATABASE_URL,
  DATABASE_SCHEMA: namespace.schema,
  REDIS_URL,
  REDIS_KEY_PREFIX: namespace.redisPrefix,
  AGENT_ACCOUNTS, // so the procedure ends by opening a case for a person
  SHED_TURN_LATENCY_MS: '0', // slow turns on the loaded test machine must not shed these; test/loadShedding.test.ts does
}

interface Instance {
  child: ChildProcess
  url: string
}

/** Starts `src/index.ts` in a process of its own and resolves once it listens (its JSON log says where). */
function startProcess(): Promise<Instance> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '--import', 'tsx', 'src/index.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string }
      if (entry.msg === 'listening') resolve({ child, url: entry.url! })
    })
    child.once('exit', (code) => reject(new Error(`instance exited with ${code} before listening`)))
  })
}

let a: Instance
let b: Instance
beforeAll(async () => {
  ;[a, b] = await Promise.all([startProcess(), startProcess()])
}, 60_000)
afterAll(async () => {
  for (const instance of [a, b]) instance?.child.kill('SIGKILL')
  await namespace.drop()
  data.remove()
})

interface Activity {
  id: string
  type: string
  text?: string
  from: { role?: string }
}

async function call(instance: Instance, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${instance.url}/v3/directline${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

/** A stream as Web Chat holds it: it remembers the watermark of the last set it got. */
async function openStream(url: string, into: Activity[]) {
  const socket = new WebSocket(url)
  let watermark = 0
  socket.on('message', (raw) => {
    const text = raw.toString()
    if (!text) return
    const set = JSON.parse(text) as { activities: Activity[]; watermark?: string }
    into.push(...set.activities.filter((x) => x.type !== 'typing'))
    if (set.watermark) watermark = Number(set.watermark)
  })
  socket.on('error', () => undefined)
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  return { socket, watermark: () => watermark }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000) {
  for (const until = Date.now() + timeoutMs; !condition(); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
  }
}

let clientIds = 0
const message = (text: string) => ({ type: 'message', text, channelData: { clientActivityID: `p-${++clientIds}` } })

describe('two bot processes on PostgreSQL + Redis', () => {
  it('carries a conversation on at the same step on the other instance after kill -9 mid-turn, nothing lost or doubled', async () => {
    const received: Activity[] = []
    const { conversationId, token } = (await call(a, 'POST', '/tokens/generate')).body
    const started = await call(b, 'POST', '/conversations', token)
    const onB = await openStream(started.body.streamUrl, received) // the stream is held by B
    const saw = (pattern: RegExp) => () => received.some((x) => pattern.test(x.text ?? ''))

    await call(a, 'POST', `/conversations/${conversationId}/activities`, token, message('my cac says 403 access forbidden'))
    await waitUntil(saw(/Is your current CAC registered/), 'the first question, posted on A, on B')
    await call(b, 'POST', `/conversations/${conversationId}/activities`, token, message('yes, it is'))
    await waitUntil(saw(/Which browser are you using/), 'the browser question, posted on B')
    await call(a, 'POST', `/conversations/${conversationId}/activities`, token, message('i use edge'))
    await waitUntil(saw(/Edge uses Windows' own setting/), 'the Edge step, posted on A')

    // B dies while a message is in flight: whether it got to commit or not, the client's retry on A settles it.
    const retried = message('no')
    const inFlight = call(b, 'POST', `/conversations/${conversationId}/activities`, token, retried).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 15))
    b.child.kill('SIGKILL')
    await inFlight // here B never answered (killed 15 ms in): the turn died before or after its commit
    await waitUntil(() => onB.socket.readyState === WebSocket.CLOSED, 'the stream on B to drop')
    const retry = await call(a, 'POST', `/conversations/${conversationId}/activities`, token, retried)
    expect(retry.status).toBe(200)
    const resumed = await call(a, 'GET', `/conversations/${conversationId}?watermark=${onB.watermark()}`, token)
    const onA = await openStream(resumed.body.streamUrl, received)
    await waitUntil(saw(/connecting you with a help-desk agent/), 'the step after "no", on A')
    await call(a, 'POST', `/conversations/${conversationId}/activities`, token, message('no'))
    await waitUntil(() => received.filter((x) => x.from.role === 'user').length === 5, 'the last echo')
    await new Promise((r) => setTimeout(r, 300))
    onA.socket.close()

    const stored = (await call(a, 'GET', `/conversations/${conversationId}/activities?watermark=0`, token)).body.activities as Activity[]
    expect(received.map((x) => x.id)).toEqual(stored.map((x) => x.id)) // every activity streamed once, in order
    expect(stored.map((x) => x.id)).toEqual(stored.map((_, i) => `${conversationId}|${String(i + 1).padStart(7, '0')}`))
    expect(stored.filter((x) => x.from.role === 'user').map((x) => x.text)).toEqual(['my cac says 403 access forbidden', 'yes, it is', 'i use edge', 'no', 'no'])
    expect(stored.filter((x) => /You still get the 403/.test(x.text ?? ''))).toHaveLength(1) // the killed turn ran once
    expect(stored.filter((x) => /Hi, I'm the CAC help-desk bot/.test(x.text ?? ''))).toHaveLength(1) // never started over
  }, 60_000)
})
