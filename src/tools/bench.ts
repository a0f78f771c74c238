/**
 * `npm run bench`: prints figures, asserts nothing. Recognizer training and per-utterance latency, the floor
 * botbuilder-dialogs sets, bot start-up, full-turn latency over HTTP (/api/messages with expectReplies, on
 * 127.0.0.1), peak memory, and the website channel's load test against two references: the echo bot, and our own
 * channel with an echo for a bot (src/tools/load.ts); then our bot on PostgreSQL + Redis, one and two instances (the
 * DATABASE_URL and REDIS_URL set, else the local ones the tests use). Takes about eight minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { BotAdapter, ConversationState, MemoryStorage, TurnContext, type Activity, type ResourceResponse } from 'botbuilder'
import { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type DialogState } from 'botbuilder-dialogs'
import { intents } from '../../intents/index.js'
import { loadConfig } from '../core/config.js'
import { loadCorpus } from '../core/evaluation.js'
import { createLogger } from '../core/logger.js'
import { loadProcedures } from '../core/procedures.js'
import { createRecognizer, createRecognizerFromExamples } from '../core/recognizer.js'
import { createApplication } from '../application.js'
import { boundRecognizer } from '../core/boundedRecognizer.js'
import { loadTest, loadTestScaled, SCRIPT, type LoadResult } from './load.js'

const out = (line = '') => process.stdout.write(line + '\n')
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const ms = (x: number) => `${x.toFixed(3)} ms`

function summary(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b)
  out(`${name.padEnd(34)} median ${ms(quantile(sorted, 0.5))}  p99 ${ms(quantile(sorted, 0.99))}  max ${ms(sorted.at(-1)!)}  (n=${sorted.length})`)
}

out(`node ${process.version}, ${process.arch}`)
const procedures = loadProcedures(loadConfig({}).KNOWLEDGE_DIR)
const trainings: number[] = []
for (let i = 0; i < 5; i++) {
  const t0 = performance.now()
  createRecognizer(intents, { procedures })
  trainings.push(performance.now() - t0)
}
summary('recognizer training', trainings)
const clinc = loadCorpus('../shared/benchmarks/nlu/clinc150/full.jsonl').filter((r) => r.split === 'train')
const clincStarted = performance.now()
const clincCpu = process.cpuUsage()
createRecognizerFromExamples(clinc)
const clincSeconds = (performance.now() - clincStarted) / 1000
// CPU time beside wall time: on a shared, loaded machine the wall clock also counts other processes' turns.
const clincUsage = process.cpuUsage(clincCpu)
const clincCpuSeconds = (clincUsage.user + clincUsage.system) / 1e6
out(`recognizer training, CLINC150 full (${clinc.length} utterances, 151 intents): ${clincSeconds.toFixed(2)} s (CPU ${clincCpuSeconds.toFixed(2)} s)`)

const recognizer = createRecognizer(intents, { procedures })
const utterances = ['intents/evaluation.jsonl', 'intents/evaluation-independent.jsonl'].flatMap((file) => loadCorpus(file).map((r) => r.text))
for (const text of utterances) recognizer.recognize(text) // warm-up
const latencies: number[] = []
for (let round = 0; round < 20; round++) {
  for (const text of utterances) {
    const t0 = performance.now()
    recognizer.recognize(text)
    latencies.push(performance.now() - t0)
  }
}
summary('recognizer latency per utterance', latencies)

/**
 * The floor botbuilder-dialogs sets: a turn of the smallest dialog that asks and loops (one waterfall, one text
 * prompt), state in memory, replies dropped. No recognizer, no database, no HTTP: what any bot built on it pays.
 */
async function dialogsFloorMsPerTurn(turns: number): Promise<number> {
  class NullAdapter extends BotAdapter {
    async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
      return activities.map(() => ({ id: '' }))
    }
    async updateActivity(): Promise<void> {}
    async deleteActivity(): Promise<void> {}
    async continueConversation(): Promise<void> {}
  }
  const adapter = new NullAdapter()
  const state = new ConversationState(new MemoryStorage())
  const dialogs = new DialogSet(state.createProperty<DialogState>('dialogs'))
  dialogs.add(new TextPrompt('answer'))
  dialogs.add(new WaterfallDialog('loop', [(step) => step.prompt('answer', 'Did that work?'), (step) => step.replaceDialog('loop')]))
  const turn = async (i: number) => {
    const context = new TurnContext(adapter, {
      type: 'message', channelId: 'bench', conversation: { id: `c${i % 100}` }, from: { id: 'u' }, recipient: { id: 'b' }, text: 'no',
    } as Activity)
    const dc = await dialogs.createContext(context)
    if ((await dc.continueDialog()).status === DialogTurnStatus.empty) await dc.beginDialog('loop')
    await state.saveChanges(context)
  }
  for (let i = 0; i < turns; i++) await turn(i) // warm-up
  const cpu = process.cpuUsage()
  for (let i = 0; i < turns; i++) await turn(i)
  const used = process.cpuUsage(cpu)
  return (used.user + used.system) / 1000 / turns
}
const floorMs = await dialogsFloorMsPerTurn(20_000)
out(`${'botbuilder-dialogs floor (CPU)'.padEnd(34)} ${ms(floorMs)} per turn (one waterfall and a prompt, state in memory)`)

const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'))
try {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DIRECTLINE_GENERATE_LIMIT: '1000000', DIRECTLINE_RATE_LIMIT: '1000000', SHED_EVENT_LOOP_DELAY_MS: '0', SHED_TURN_LATENCY_MS: '0' })
  const logger = createLogger({ level: 'silent' })
  const t0 = performance.now()
  const app = await createApplication(config, logger)
  out(`${'start-up (whole application)'.padEnd(34)} ${ms(performance.now() - t0)}`)
  const { server } = app
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`
  const script = ['a cacreg box wants my username and password', 'chrome', 'no', 'no']
  const turns: number[] = []
  let errors = 0
  for (let conversation = 0; conversation < 100; conversation++) {
    for (const text of script) {
      const t0 = performance.now()
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message', channelId: 'bench', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
          conversation: { id: `bench-${conversation}` }, from: { id: 'u' }, recipient: { id: 'bot' }, text,
        }),
      })
      await response.arrayBuffer()
      turns.push(performance.now() - t0)
      if (response.status !== 200) errors++
    }
  }
  summary('full turn over HTTP (sequential)', turns)
  out(`${'turn errors'.padEnd(34)} ${errors}`)

  // The worst message the website channel accepts (DIRECTLINE_MAX_TEXT characters), whole turn and recognizer alone.
  const max = config.DIRECTLINE_MAX_TEXT
  const fill = (unit: string) => unit.repeat(Math.ceil(max / unit.length)).slice(0, max)
  const candidates: [string, string][] = [
    ['digits', fill('7')],
    ['spaced digits', fill('5 ')],
    ['words', fill('my cac says 403 access forbidden and the page cannot be displayed ')],
    ['pin phrases', fill('my pin is 551902 ')],
    ['password phrases', fill('password Tr0ub4dor&3 ')],
    ['full-width digits', fill('５５１９０２ ')],
    ['one long word', fill('x')],
  ]
  let worst = { name: '', turnMs: 0, recognizerMs: 0 }
  for (const [name, text] of candidates) {
    const samples: number[] = []
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now()
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message', channelId: 'bench', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies',
          conversation: { id: `worst-${name}-${i}` }, from: { id: 'u' }, recipient: { id: 'bot' }, text,
        }),
      })
      await response.arrayBuffer()
      if (i >= 2) samples.push(performance.now() - t0) // the first two warm up
    }
    const r0 = performance.now()
    const bounded = boundRecognizer(recognizer, config.RECOGNIZER_MAX_CHARS) // as the bot reads it
    for (let i = 0; i < 20; i++) bounded.recognize(text)
    const turnMs = quantile(samples.sort((a, b) => a - b), 0.5)
    if (turnMs > worst.turnMs) worst = { name, turnMs, recognizerMs: (performance.now() - r0) / 20 }
  }
  out(`${'worst allowed message'.padEnd(34)} ${max} characters of ${worst.name}: whole turn median ${ms(worst.turnMs)}, recognizer ${ms(worst.recognizerMs)}`)
  await app.stop()
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
out(`${'peak memory (max RSS)'.padEnd(34)} ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`)

out()
out(`website channel load: Direct Line over WebSocket, each conversation walking "${SCRIPT.join('" / "')}"`)
out('reference (echo): a minimal botbuilder echo bot on /api/messages (expectReplies), same conversations, same client')
out('chan: our server and website channel, every middleware, with an echo in place of the help-desk bot')
out('saturated = every user sends the next message as soon as the reply arrives; paced = each waits 2-6 s first')
out('mode       users  bot   turns/s  median ms  p99 ms  errors  server peak MB  server CPU ms/turn  client CPU ms/turn')
const row = (mode: string, n: number, bot: string, r: LoadResult) =>
  out(
    `${mode.padEnd(10)} ${String(n).padStart(5)}  ${bot}  ${r.turnsPerSecond.toFixed(0).padStart(7)}  ${r.medianMs.toFixed(1).padStart(9)}  ` +
      `${r.p99Ms.toFixed(1).padStart(6)}  ${String(r.errors).padStart(6)}  ${r.peakServerMb.toFixed(0).padStart(14)}  ${(r.serverCpuMsPerTurn ?? NaN).toFixed(2).padStart(18)}  ${(r.clientCpuMsPerTurn ?? NaN).toFixed(2).padStart(18)}`,
  )
let saturated1000: { ours: LoadResult; chan: LoadResult } | undefined
for (const n of [100, 1000]) {
  // Saturated, 100 users would be done in half a second: each walks ten conversations in turn, so every saturated
  // row times 4000 turns.
  const { ours, channelEcho, echo } = await loadTest(n, { rounds: Math.max(1, Math.round(1000 / n)), env: { SHED_EVENT_LOOP_DELAY_MS: '0', SHED_TURN_LATENCY_MS: '0' } })
  row('saturated', n, 'ours', ours!)
  row('saturated', n, 'chan', channelEcho!)
  row('saturated', n, 'echo', echo!)
  const ratio = (r: LoadResult) => (r.turnsPerSecond / echo!.turnsPerSecond).toFixed(2)
  out(`${''.padEnd(17)}throughput / echo's: ours ${ratio(ours!)}, chan ${ratio(channelEcho!)}`)
  if (n === 1000) saturated1000 = { ours: ours!, chan: channelEcho! }
}
const paced = { thinkMs: [2000, 6000] as [number, number] }
const paced1000 = await loadTest(1000, { pace: paced })
row('paced', 1000, 'ours', paced1000.ours!)
row('paced', 1000, 'chan', paced1000.channelEcho!)
row('paced', 1000, 'echo', paced1000.echo!)
// 2000 paced conversations starting 100 a second (each walks its script as soon as it starts), with load shedding
// as configured by default.
const paced2000 = await loadTest(2000, { pace: paced, startsPerSecond: 100, bots: ['ours'] })
row('paced', 2000, 'ours', paced2000.ours!)

out()
const shedding = loadConfig({})
out(
  `load shedding (defaults): new conversations get 503 + Retry-After ${shedding.SHED_RETRY_AFTER_SECONDS} s while the p95 turn latency of ` +
    `the last second is over SHED_TURN_LATENCY_MS=${shedding.SHED_TURN_LATENCY_MS} or its event-loop delay p99 over ` +
    `SHED_EVENT_LOOP_DELAY_MS=${shedding.SHED_EVENT_LOOP_DELAY_MS} (ms); open ones carry on`,
)
for (const [n, r] of [[1000, paced1000.ours!], [2000, paced2000.ours!]] as const) {
  out(
    `${`paced ${n}`.padEnd(34)} ${r.conversations - r.shed} served: p99 ${r.p99Ms.toFixed(0)} ms, median ${r.medianMs.toFixed(0)} ms, ` +
      `${r.errors} errors; ${r.shed} turned away (503)` +
      (r.firstShedAt === undefined ? ', none' : `, the first at conversation ${r.firstShedAt + 1}`),
  )
}
out()
out('goals, measured in this run (CPU is shared: figures are noisy)')
const cpuRatio = saturated1000 ? saturated1000.ours.serverCpuMsPerTurn! / (saturated1000.chan.serverCpuMsPerTurn! + floorMs) : NaN
out(`${'bot turn CPU / (channel + floor)'.padEnd(34)} ${cpuRatio.toFixed(2)}  (goal <= 1.5; saturated 1000: ours ${saturated1000?.ours.serverCpuMsPerTurn?.toFixed(2)} ms / (chan ${saturated1000?.chan.serverCpuMsPerTurn?.toFixed(2)} + floor ${floorMs.toFixed(2)}))`)
const recognizerMedian = quantile([...latencies].sort((a, b) => a - b), 0.5)
out(`${'recognizer median'.padEnd(34)} ${ms(recognizerMedian)}  (goal < 0.1 ms)`)
out(`${'CLINC150 training'.padEnd(34)} ${clincSeconds.toFixed(2)} s  (goal < 10 s)`)

out()
// Scale-out: the same load on PostgreSQL + Redis. The bench's own settings if set, else the local test services.
const { DATABASE_URL, REDIS_URL } = loadConfig()
const databaseUrl = DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'
const redisUrl = REDIS_URL || 'redis://127.0.0.1:6379'
out('scale-out: our bot on PostgreSQL + Redis (pg1 = one instance, pg2 = two; each conversation on one instance; CPU of all)')
try {
  for (const [mode, pace, sizes] of [['saturated', undefined, [100, 1000]], ['paced', { thinkMs: [2000, 6000] as [number, number] }, [100]]] as const) {
    for (const n of sizes) {
      const rounds = pace ? 1 : Math.max(1, Math.round(1000 / n))
      for (const instances of [1, 2]) row(mode, n, `pg${instances} `, await loadTestScaled(n, { instances, databaseUrl, redisUrl, pace, rounds }))
    }
  }
} catch (err) {
  out(`skipped: PostgreSQL or Redis not reachable (${(err as Error).message})`)
}
