/**
 * The website channel's load test, for `npm run bench`: N concurrent Direct Line conversations over WebSocket, each
 * walking a scripted procedure, against the real server in a child process; and the same N against a minimal
 * echo bot on /api/messages, as the reference. Traffic stays on 127.0.0.1; every loop is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { randomBytes } from 'node:crypto'
import { seededRandom } from '../core/classifier.js'
import { dropSchema } from '../infra/postgres/schemas.js'

export const SCRIPT = ['a cacreg box wants my username and password', 'Edge', 'no', 'no']
const TURN_TIMEOUT_MS = 30_000
// The flags `npm start` uses (a larger young generation: fewer, shorter GC pauses); the echo bot gets them too.
const NODE_FLAGS = ['--max-semi-space-size=64', '--disable-warning=DEP0111']
// Extra flags for the servers only, e.g. LOAD_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (not allowed in NODE_OPTIONS).
const extraFlags = () => (process.env.LOAD_NODE_FLAGS ?? '').split(' ').filter(Boolean)
const WARM_UP_CONVERSATIONS = 50
const SETTLE_MS = 5000 // longer than load shedding's three calm seconds

export interface LoadResult {
  conversations: number
  /** Conversations turned away with 503 (load shedding) when they asked to start. */
  shed: number
  /** The first of them, in the order conversations started (undefined: none was shed). */
  firstShedAt?: number
  serverCpuMsPerTurn?: number
  /** The load generator's own CPU per turn: it shares the two cores with the server. */
  clientCpuMsPerTurn?: number
  turns: number
  errors: number
  seconds: number
  turnsPerSecond: number
  medianMs: number
  p99Ms: number
  peakServerMb: number
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

async function startChild(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [...NODE_FLAGS, ...extraFlags(), '--import', 'tsx', script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.status === 200 || r.status === 404, () => false)) return { child, url }
    await new Promise((r) => setTimeout(r, 100))
  }
  child.kill()
  throw new Error(`${script} did not start`)
}

/** Peak resident memory of a process, from /proc (Linux). */
function peakMb(pid: number | undefined): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb ? Number(kb) / 1024 : NaN
  } catch {
    return NaN
  }
}

function summarise(conversations: number, latencies: number[], errors: number, seconds: number, peak: number): Omit<LoadResult, 'shed'> {
  const sorted = [...latencies].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
  return {
    conversations,
    turns: latencies.length,
    errors,
    seconds,
    turnsPerSecond: latencies.length / seconds,
    medianMs: at(0.5),
    p99Ms: at(0.99),
    peakServerMb: peak,
  }
}

export interface Pace {
  /** Milliseconds a simulated person waits before each message: [min, max), drawn with a fixed seed. */
  thinkMs: [number, number]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A conversation the server turned away (503): load shedding, not an error. */
export class Shed extends Error {}

/** A simulated user: `connect` once, then `turn` for each line of the script; latencies go to `latencies`. */
interface Client {
  connect(): Promise<void>
  turn(index: number, text: string): Promise<number | undefined> // latency in ms, or undefined on error
  close(): void
}

/** A Direct Line conversation as Web Chat runs it: token, start, WebSocket stream, posts. */
function directLineClient(url: string): Client {
  let auth: Record<string, string> = {}
  let conversationId = ''
  let socket: WebSocket | undefined
  let waiting: { clientId: string; echoId?: string; resolve: () => void } | undefined
  return {
    async connect() {
      const generated = await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' })
      if (generated.status === 503) throw new Shed('shed')
      const token = (await generated.json()) as { token: string; conversationId: string }
      conversationId = token.conversationId
      auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' }
      const response = await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: auth })
      const started = (await response.json()) as { streamUrl?: string }
      if (!started.streamUrl) throw new Error(`starting a conversation answered ${response.status} ${JSON.stringify(started)}`)
      const ws = new WebSocket(started.streamUrl)
      socket = ws
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)))
      ws.on('message', (data) => {
        const text = data.toString()
        if (!text || !waiting) return
        const set = JSON.parse(text) as { activities: { id: string; replyToId?: string; from: { role?: string }; channelData?: { clientActivityID?: string } }[] }
        for (const activity of set.activities) {
          if (activity.channelData?.clientActivityID === waiting.clientId) waiting.echoId = activity.id
          else if (activity.from.role === 'bot' && waiting.echoId && activity.replyToId === waiting.echoId) waiting.resolve()
        }
      })
    },
    async turn(index, text) {
      const clientId = `${conversationId}-${index}`
      const t0 = performance.now()
      const replied = new Promise<'replied'>((resolve) => (waiting = { clientId, resolve: () => resolve('replied') }))
      const timeout = sleep(TURN_TIMEOUT_MS).then(() => 'timeout' as const)
      const status = await fetch(`${url}/v3/directline/conversations/${conversationId}/activities`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ type: 'message', text, channelData: { clientActivityID: clientId } }),
      }).then((r) => (void r.arrayBuffer(), r.status), () => 0)
      if (status !== 200 || (await Promise.race([replied, timeout])) === 'timeout') return undefined
      return performance.now() - t0 // posted → first reply received over the stream
    },
    close: () => socket?.close(),
  }
}

/** The reference: one conversation with the echo bot over /api/messages, replies in the response (expectReplies). */
function echoClient(url: string, id: number): Client {
  return {
    async connect() {},
    async turn(_index, text) {
      const t0 = performance.now()
      const response = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message', channelId: 'bench', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
          conversation: { id: `echo-${id}` }, from: { id: 'u' }, recipient: { id: 'bot' }, text,
        }),
      }).catch(() => undefined)
      const ok = response?.status === 200 && ((await response.json()) as { activities?: unknown[] }).activities?.length === 1
      return ok ? performance.now() - t0 : undefined
    },
    close() {},
  }
}

/** CPU seconds a process has used (user + system), from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

async function run(
  script: string,
  env: Record<string, string>,
  conversations: number,
  makeClient: (url: string, id: number) => Client,
  { pace, rounds = 1, startsPerSecond, instances = 1 }: { pace?: Pace; rounds?: number; startsPerSecond?: number; instances?: number },
): Promise<LoadResult> {
  // The first instance alone (it migrates a fresh database), then the others; conversation i goes to instance i % n.
  const servers = [await startChild(script, env)]
  for (let i = 1; i < instances; i++) servers.push(await startChild(script, env))
  const urlOf = (id: number) => servers[id % servers.length]!.url
  const cpuOfAll = () => servers.reduce((sum, s) => sum + cpuSeconds(s.child.pid), 0)
  try {
    // Warm up first (JIT, caches), with conversations of their own, so the figures are of a running server.
    const warmUp = Array.from({ length: WARM_UP_CONVERSATIONS }, (_, i) => makeClient(urlOf(i), 1_000_000 + i))
    await Promise.all(warmUp.map(async (client) => {
      try {
        await client.connect()
      } catch {
        return // shed, or a connection the loaded machine dropped: the warm-up only warms
      }
      for (const [i, text] of SCRIPT.entries()) await client.turn(i, text)
      client.close()
    }))
    // Let load shedding the warm-up itself tripped (cold JIT, 50 conversations at once) end before the figures.
    await sleep(SETTLE_MS)
    // `conversations` users at a time; each walks `rounds` fresh conversations one after another. They start all at
    // once (set up first, untimed: only turns are timed), or `startsPerSecond` (a ramp: each conversation starts in
    // its slot and walks its script right away, while later ones are still arriving: where load shedding begins).
    const clients = Array.from({ length: conversations * rounds }, (_, i) => makeClient(urlOf(i), i))
    const shedAt: number[] = []
    let failedStarts = 0
    const starting = clients.map(async (client, i) => {
      if (startsPerSecond) await sleep((i * 1000) / startsPerSecond)
      try {
        await client.connect()
        return true
      } catch (err) {
        if (err instanceof Shed) shedAt.push(i)
        else failedStarts++ // e.g. a socket the server closed under load: an error, not a crash of the whole run
        return false
      }
    })
    if (!startsPerSecond) await Promise.all(starting)
    const random = seededRandom(7)
    const thinks = clients.map(() => SCRIPT.map(() => (pace ? pace.thinkMs[0] + random() * (pace.thinkMs[1] - pace.thinkMs[0]) : 0)))
    const latencies: number[] = []
    let errors = 0
    const cpu0 = cpuOfAll()
    const clientCpu0 = process.cpuUsage()
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: conversations }, async (_, user) => {
        for (let round = 0; round < rounds; round++) {
          const c = round * conversations + user
          const client = clients[c]!
          if (!(await starting[c])) continue // shed: the person was told to come back later
          for (const [i, text] of SCRIPT.entries()) {
            if (pace) await sleep(thinks[c]![i]!)
            const latency = await client.turn(i, text).catch(() => undefined)
            if (latency === undefined) errors++
            else latencies.push(latency)
          }
          client.close()
        }
      }),
    )
    const seconds = (performance.now() - t0) / 1000
    const result = summarise(conversations, latencies, errors + failedStarts, seconds, Math.max(...servers.map((s) => peakMb(s.child.pid))))
    const clientCpu = process.cpuUsage(clientCpu0)
    const perTurn = (ms: number) => ms / Math.max(1, latencies.length)
    return {
      ...result,
      shed: shedAt.length,
      firstShedAt: shedAt.length > 0 ? Math.min(...shedAt) : undefined,
      serverCpuMsPerTurn: perTurn((cpuOfAll() - cpu0) * 1000), // every instance together
      clientCpuMsPerTurn: perTurn((clientCpu.user + clientCpu.system) / 1000),
    }
  } finally {
    for (const server of servers) server.child.kill()
  }
}

/**
 * Runs the script for `conversations` users against our bot (website channel), against our channel with an echo
 * for a bot (src/tools/channelEcho.ts), and against the echo bot on /api/messages.
 */
export async function loadTest(
  conversations: number,
  {
    pace,
    rounds = 1,
    startsPerSecond,
    env: extra = {},
    bots = ['ours', 'chan', 'echo'],
  }: { pace?: Pace; rounds?: number; startsPerSecond?: number; env?: Record<string, string>; bots?: readonly ('ours' | 'chan' | 'echo')[] } = {},
): Promise<{ ours?: LoadResult; channelEcho?: LoadResult; echo?: LoadResult }> {
  const dataDirs: string[] = []
  const env = () => {
    dataDirs.push(mkdtempSync(join(tmpdir(), 'helpdesk-load-')))
    return { DATA_DIR: dataDirs.at(-1)!, DIRECTLINE_GENERATE_LIMIT: '1000000', DIRECTLINE_RATE_LIMIT: '1000000', ...extra }
  }
  const options = { pace, rounds, startsPerSecond }
  try {
    const ours = bots.includes('ours') ? await run('src/index.ts', env(), conversations, (url) => directLineClient(url), options) : undefined
    const channelEcho = bots.includes('chan') ? await run('src/tools/channelEcho.ts', env(), conversations, (url) => directLineClient(url), options) : undefined
    const echo = bots.includes('echo') ? await run('src/tools/echoBot.ts', {}, conversations, echoClient, options) : undefined
    return { ours, channelEcho, echo }
  } finally {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The same load on our bot with several instances: PostgreSQL (a scratch schema, dropped after) and Redis (a
 * scratch key prefix), `instances` bot processes, each conversation on one of them.
 */
export async function loadTestScaled(
  conversations: number,
  { instances, databaseUrl, redisUrl, pace, rounds = 1 }: { instances: number; databaseUrl: string; redisUrl: string; pace?: Pace; rounds?: number },
): Promise<LoadResult> {
  const tag = randomBytes(4).toString('hex')
  const schema = `bench_${tag}`
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-load-'))
  const env = {
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `bench:${tag}:`,
    DIRECTLINE_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    DIRECTLINE_GENERATE_LIMIT: '1000000',
    DIRECTLINE_RATE_LIMIT: '1000000',
    // What several instances serve, not where one sheds (saturated runs are over any latency bound by design).
    SHED_TURN_LATENCY_MS: '0',
    SHED_EVENT_LOOP_DELAY_MS: '0',
  }
  try {
    return await run('src/index.ts', env, conversations, (url) => directLineClient(url), { pace, rounds, instances })
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
    await dropSchema(databaseUrl, schema)
  }
}
