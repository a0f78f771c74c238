/**
 * `npm run bench`: prints figures, asserts nothing. Recognizer training and per-utterance latency, bot start-up,
 * full-turn latency over HTTP (/api/messages with expectReplies, on 127.0.0.1), and peak memory.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { intents } from '../../intents/index.js'
import { loadConfig } from '../core/config.js'
import { loadCorpus } from '../core/evaluation.js'
import { createLogger } from '../core/logger.js'
import { createRecognizer } from '../core/recognizer.js'
import { createAdapter } from '../adapter.js'
import { createHelpDesk } from '../app.js'
import { createServer } from '../server.js'

const out = (line = '') => process.stdout.write(line + '\n')
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
const ms = (x: number) => `${x.toFixed(3)} ms`

function summary(name: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b)
  out(`${name.padEnd(34)} median ${ms(quantile(sorted, 0.5))}  p99 ${ms(quantile(sorted, 0.99))}  max ${ms(sorted.at(-1)!)}  (n=${sorted.length})`)
}

out(`node ${process.version}, ${process.arch}`)
const trainings: number[] = []
for (let i = 0; i < 5; i++) {
  const t0 = performance.now()
  createRecognizer(intents)
  trainings.push(performance.now() - t0)
}
summary('recognizer training', trainings)

const recognizer = createRecognizer(intents)
const utterances = loadCorpus('intents/evaluation.jsonl').map((r) => r.text)
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

const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'))
try {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
  const logger = createLogger({ level: 'silent' })
  const t0 = performance.now()
  const helpDesk = createHelpDesk(config, logger)
  out(`${'bot start-up (knowledge+training+db)'.padEnd(34)} ${ms(performance.now() - t0)}`)
  const server = createServer({ adapter: createAdapter(config, logger, helpDesk), bot: helpDesk.bot, logger })
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
  await new Promise<void>((resolve) => server.close(() => resolve()))
  helpDesk.close()
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
out(`${'peak memory (max RSS)'.padEnd(34)} ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`)
