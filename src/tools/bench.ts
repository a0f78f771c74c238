/**
 * `npm run bench`: prints figures, asserts nothing. Recognizer training and per-utterance latency, the floor
 * botbuilder-dialogs sets, bot start-up, full-turn latency over HTTP (/api/messages with expectReplies, on
 * 127.0.0.1), peak memory, and the website channel's load test against two references: the echo bot, and our own
 * channel with an echo for a bot (src/tools/load.ts). Takes about five minutes.
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
import { loadTest, SCRIPT, type LoadResult } from './load.js'

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
createRecognizerFromExamples(clinc)
out(`recognizer training, CLINC150 full (${clinc.length} utterances, 151 intents): ${((performance.now() - clincStarted) / 1000).toFixed(2)} s`)

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
out(`${'botbuilder-dialogs floor (CPU)'.padEnd(34)} ${ms(await dialogsFloorMsPerTurn(20_000))} per turn (one waterfall and a prompt, state in memory)`)

const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'))
try {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DIRECTLINE_GENERATE_LIMIT: '1000000', DIRECTLINE_RATE_LIMIT: '1000000' })
  const logger = createLogger({ level: 'silent' })
  const t0 = performance.now()
  const app = createApplication(config, logger)
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
for (const [mode, pace] of [['saturated', undefined], ['paced', { thinkMs: [2000, 6000] as [number, number] }]] as const) {
  for (const n of [100, 1000]) {
    // Saturated, 100 users would be done in half a second: each walks ten conversations in turn, so every saturated
    // row times 4000 turns.
    const rounds = pace ? 1 : Math.max(1, Math.round(1000 / n))
    const { ours, channelEcho, echo } = await loadTest(n, { pace, rounds })
    row(mode, n, 'ours', ours)
    row(mode, n, 'chan', channelEcho)
    row(mode, n, 'echo', echo)
    const ratio = (r: LoadResult) => (r.turnsPerSecond / echo.turnsPerSecond).toFixed(2)
    out(`${''.padEnd(17)}throughput / echo's: ours ${ratio(ours)}, chan ${ratio(channelEcho)}`)
  }
}
