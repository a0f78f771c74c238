/**
 * `npm run bench:analytics`: what recording analytics events costs a turn. The real composition (createHelpDesk on
 * a fresh SQLite file) plays the same scripted conversations in alternating rounds, with events recorded and with the
 * port's append turned into a no-op, and prints the CPU time per turn of each (median of the rounds). Asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse } from 'botbuilder'
import { createHelpDesk } from '../app.js'
import { loadConfig } from '../core/config.js'
import { createLogger } from '../core/logger.js'

/** Runs turns in process and drops the replies. */
class QuietAdapter extends BotAdapter {
  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    return activities.map(() => ({ id: randomUUID() }))
  }
  async updateActivity(): Promise<void> {}
  async deleteActivity(): Promise<void> {}
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.runMiddleware(new TurnContext(this, { type: ActivityTypes.Event, ...TurnContext.applyConversationReference({}, reference, true) }), logic)
  }
  send(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    return this.runMiddleware(new TurnContext(this, activity), logic)
  }
}

const SCRIPTS = [
  ['my cac says 403', 'yes', 'chrome', 'it works now'],
  ['my cac says 403', 'no'],
  ['can you help me renew my passport'],
  ['i forgot my pin', 'thanks'],
]
const ROUNDS = Number(process.argv[2] ?? 10)
const CONVERSATIONS = Number(process.argv[3] ?? 40)

const dir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'))
const helpDesk = await createHelpDesk(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), createLogger({ level: 'silent' }))
const adapter = new QuietAdapter()
for (const middleware of helpDesk.middlewares) adapter.use(middleware)
const realAppend = helpDesk.stores.analytics.append.bind(helpDesk.stores.analytics)
const tick = () => new Promise((resolve) => setImmediate(resolve))

async function round(): Promise<{ cpuUs: number; turns: number }> {
  let turns = 0
  const start = process.cpuUsage()
  for (let i = 0; i < CONVERSATIONS; i++) {
    const conversation = { id: `bench-${randomUUID()}` } as Activity['conversation']
    const base = { channelId: 'bench', serviceUrl: 'bench://', conversation, from: { id: 'u', name: 'User' }, recipient: { id: 'bot', name: 'Bot' } }
    const script = SCRIPTS[i % SCRIPTS.length]!
    for (const text of script) {
      await adapter.send({ ...base, type: ActivityTypes.Message, id: randomUUID(), timestamp: new Date(), text }, (c) => helpDesk.bot.run(c))
      await tick() // the write batch commits: its cost is the turn's
      turns++
    }
  }
  const used = process.cpuUsage(start)
  return { cpuUs: used.user + used.system, turns }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
await round() // warm-up (JIT, statement caches)
const on: number[] = []
const off: number[] = []
const paired: number[] = []
let events = 0
const countingAppend: typeof realAppend = (e) => (events++, realAppend(e))
for (let r = 0; r < ROUNDS; r++) {
  // Alternating order, and each round compared with its own pair: the machine's load drifts between rounds.
  const pair: Record<string, number> = {}
  for (const recording of r % 2 ? [true, false] : [false, true]) {
    helpDesk.stores.analytics.append = recording ? countingAppend : async () => {}
    const { cpuUs, turns } = await round()
    pair[String(recording)] = cpuUs / turns
    ;(recording ? on : off).push(cpuUs / turns)
  }
  paired.push((pair.true! - pair.false!) / pair.false!)
}
helpDesk.stores.analytics.append = realAppend
const turnsRecorded = (ROUNDS * CONVERSATIONS * SCRIPTS.flat().length) / SCRIPTS.length

// The same cost measured directly: appending a turn's worth of events and committing them, many times over.
const N = 20_000
const t0 = process.cpuUsage()
for (let i = 0; i < N; i++) {
  void helpDesk.stores.analytics.append({ at: Date.now(), channelId: 'bench', conversationId: `direct-${i % 100}`, kind: 'step.shown', data: { procedureId: 'access-forbidden-403', stepId: 'registered', step: 1 } })
  if (i % 3 === 2) await tick()
}
await tick()
const direct = process.cpuUsage(t0)
const perEventUs = (direct.user + direct.system) / N

const fmt = (xs: number[]) => `median ${(median(xs) / 1000).toFixed(3)} ms CPU/turn (rounds ${xs.map((x) => (x / 1000).toFixed(2)).join(' ')})`
const eventsPerTurn = events / turnsRecorded
process.stdout.write(`without events: ${fmt(off)}\nwith events:    ${fmt(on)}\n`)
process.stdout.write(`paired rounds: recording costs a median ${(median(paired) * 100).toFixed(1)}% (rounds ${paired.map((p) => (p * 100).toFixed(0)).join(' ')}%)\n`)
process.stdout.write(
  `direct: ${perEventUs.toFixed(1)} µs CPU per event appended and committed; ${eventsPerTurn.toFixed(2)} events per turn = ` +
    `${((perEventUs * eventsPerTurn) / median(off) * 100).toFixed(1)}% of a turn's median CPU without events\n`,
)
await helpDesk.close()
rmSync(dir, { recursive: true, force: true })
