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

export const SCRIPT = ['a cacreg box wants my username and password', 'Edge', 'no', 'no']
const TURN_TIMEOUT_MS = 30_000

export interface LoadResult {
  conversations: number
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
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
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

function summarise(conversations: number, latencies: number[], errors: number, seconds: number, peak: number): LoadResult {
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

/** One Direct Line conversation: token, start, stream, then the script turn by turn. */
async function directLineConversation(url: string, latencies: number[]): Promise<number> {
  let errors = 0
  const token = await fetch(`${url}/v3/directline/tokens/generate`, { method: 'POST' }).then((r) => r.json() as Promise<{ token: string; conversationId: string }>)
  const auth = { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' }
  const started = (await fetch(`${url}/v3/directline/conversations`, { method: 'POST', headers: auth }).then((r) => r.json())) as { streamUrl: string }
  const socket = new WebSocket(started.streamUrl)
  await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)))
  let waiting: { clientId: string; echoId?: string; resolve: () => void } | undefined
  socket.on('message', (data) => {
    const text = data.toString()
    if (!text || !waiting) return
    for (const activity of (JSON.parse(text) as { activities: { id: string; replyToId?: string; from: { role?: string }; channelData?: { clientActivityID?: string } }[] }).activities) {
      if (activity.channelData?.clientActivityID === waiting.clientId) waiting.echoId = activity.id
      else if (activity.from.role === 'bot' && waiting.echoId && activity.replyToId === waiting.echoId) waiting.resolve()
    }
  })
  for (const [i, text] of SCRIPT.entries()) {
    const clientId = `${token.conversationId}-${i}`
    const t0 = performance.now()
    const replied = new Promise<void>((resolve) => (waiting = { clientId, resolve }))
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), TURN_TIMEOUT_MS).unref())
    const posted = await fetch(`${url}/v3/directline/conversations/${token.conversationId}/activities`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'message', text, channelData: { clientActivityID: clientId } }),
    }).then((r) => (r.arrayBuffer(), r.status), () => 0)
    if (posted !== 200 || (await Promise.race([replied, timeout])) === 'timeout') {
      errors++
      continue
    }
    latencies.push(performance.now() - t0)
  }
  socket.close()
  return errors
}

/** One echo-bot conversation over /api/messages with expectReplies. */
async function echoConversation(url: string, id: number, latencies: number[]): Promise<number> {
  let errors = 0
  for (const text of SCRIPT) {
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
    if (!ok) errors++
    else latencies.push(performance.now() - t0)
  }
  return errors
}

async function run(
  script: string,
  env: Record<string, string>,
  conversations: number,
  conversation: (url: string, id: number, latencies: number[]) => Promise<number>,
): Promise<LoadResult> {
  const { child, url } = await startChild(script, env)
  try {
    const latencies: number[] = []
    const t0 = performance.now()
    const errors = await Promise.all(Array.from({ length: conversations }, (_, i) => conversation(url, i, latencies).catch(() => SCRIPT.length)))
    const seconds = (performance.now() - t0) / 1000
    return summarise(conversations, latencies, errors.reduce((a, b) => a + b, 0), seconds, peakMb(child.pid))
  } finally {
    child.kill()
  }
}

export async function loadTest(conversations: number): Promise<{ ours: LoadResult; echo: LoadResult }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-load-'))
  try {
    const env = { DATA_DIR: dataDir, DIRECTLINE_GENERATE_LIMIT: '1000000', DIRECTLINE_RATE_LIMIT: '1000000' }
    const ours = await run('src/index.ts', env, conversations, (url, _id, latencies) => directLineConversation(url, latencies))
    const echo = await run('src/tools/echoBot.ts', {}, conversations, echoConversation)
    return { ours, echo }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
