/**
 * Quick looks at the goal `npm run bench` measures last (server CPU a turn of the help-desk bot against our channel
 * with an echo for a bot), to iterate on without the whole bench:
 *
 * - `tsx src/tools/turnCpu.ts load [users=1000] [repeats=3] [floorMs=0.17]`: the bench's own load (src/tools/load.ts),
 *   saturated, ours and chan alternated, server CPU a turn of each and the ratio.
 * - `tsx src/tools/turnCpu.ts inproc [conversations=2000] [repeats=5]`: in this process, no HTTP: the website
 *   channel's adapter, every middleware, the database; the help-desk bot against an echo, alternated, CPU a turn.
 * - `tsx src/tools/turnCpu.ts paced [users=1000] [repeats=1]`: the bench's paced row for ours (p99, shedding).
 * - `PROFILE=DIR [PROFILE_BOT=chan] tsx src/tools/turnCpu.ts load [users]`: the server (ours, or chan) under the load
 *   with --cpu-prof, profile in DIR.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Activity, TurnContext } from 'botbuilder'
import { createApplication } from '../application.js'
import { loadConfig } from '../core/config.js'
import { createLogger } from '../core/logger.js'
import { WEBCHAT_CHANNEL } from '../directline/adapter.js'
import { loadTest, SCRIPT } from './load.js'

const out = (line: string) => process.stdout.write(line + '\n')
const [mode = 'load', ...rest] = process.argv.slice(2)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

if (mode === 'load') {
  const [users = 1000, repeats = 3, floor = 0.17] = rest.map(Number)
  const env = { SHED_EVENT_LOOP_DELAY_MS: '0', SHED_TURN_LATENCY_MS: '0' }
  const rounds = Math.max(1, Math.round(1000 / users))
  if (process.env.PROFILE) {
    const dir = process.env.PROFILE
    process.env.LOAD_NODE_FLAGS = `--cpu-prof --cpu-prof-dir=${dir}`
    const bot = (process.env.PROFILE_BOT ?? 'ours') as 'ours' | 'chan'
    const { ours, channelEcho } = await loadTest(users, { rounds, env, bots: [bot] })
    const r = (ours ?? channelEcho)!
    out(`profiled: ${bot} ${r.serverCpuMsPerTurn!.toFixed(3)} ms/turn (${r.turns} turns, ${r.errors} errors)`)
    // The child writes its profile once it has stopped: wait for it (at most a minute).
    for (let i = 0; i < 120 && !readdirSync(dir).some((f) => f.endsWith('.cpuprofile')); i++) await new Promise((r) => setTimeout(r, 500))
    await new Promise((r) => setTimeout(r, 2000))
    out(`profile: ${readdirSync(dir).join(', ')}`)
  } else {
    const ratios: number[] = []
    for (let i = 0; i < repeats; i++) {
      const { ours, channelEcho: chan } = await loadTest(users, { rounds, env, bots: ['ours', 'chan'] })
      const ratio = ours!.serverCpuMsPerTurn! / (chan!.serverCpuMsPerTurn! + floor)
      ratios.push(ratio)
      out(
        `ours ${ours!.serverCpuMsPerTurn!.toFixed(3)} ms/turn (${ours!.turnsPerSecond.toFixed(0)}/s, ${ours!.errors} err)  ` +
          `chan ${chan!.serverCpuMsPerTurn!.toFixed(3)} (${chan!.turnsPerSecond.toFixed(0)}/s)  ratio ${ratio.toFixed(2)}`,
      )
    }
    const sorted = [...ratios].sort((a, b) => a - b)
    out(`ratio median ${median(ratios).toFixed(2)}, range ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}`)
  }
} else if (mode === 'paced') {
  // As the bench's paced rows: ours only, load shedding as configured by default.
  const [users = 1000, repeats = 1] = rest.map(Number)
  for (let i = 0; i < repeats; i++) {
    const { ours } = await loadTest(users, { pace: { thinkMs: [2000, 6000] }, bots: ['ours'] })
    const r = ours!
    out(`paced ${users}: p99 ${r.p99Ms.toFixed(1)} ms, median ${r.medianMs.toFixed(1)} ms, ${r.errors} errors, ${r.shed} shed, server CPU ${r.serverCpuMsPerTurn!.toFixed(2)} ms/turn`)
  }
} else if (mode === 'inproc') {
  const [conversations = 2000, repeats = 5] = rest.map(Number)
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-turncpu-'))
  try {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
    const app = await createApplication(config, createLogger({ level: 'silent' }))
    const { adapter, store } = app.directLine
    const bot = (context: TurnContext) => app.helpDesk.bot.run(context)
    const echo = async (context: TurnContext) => void (await context.sendActivity(`Echo: ${context.activity.text}`))
    let serial = 0
    /** `conversations` conversations walk the script, 50 at a time side by side (turns batch as under load). */
    const measure = async (logic: (context: TurnContext) => Promise<void>, n: number) => {
      const ids = Array.from({ length: n }, () => `tc-${serial++}`)
      for (const id of ids) await store.createConversation(id, `u-${id}`)
      const cpu = process.cpuUsage()
      const t0 = performance.now()
      for (let i = 0; i < ids.length; i += 50) {
        await Promise.all(ids.slice(i, i + 50).map(async (id) => {
          for (const [k, text] of SCRIPT.entries()) {
            const activity: Partial<Activity> = {
              type: 'message', text, channelData: { clientActivityID: `${id}-${k}` }, channelId: WEBCHAT_CHANNEL,
              conversation: { id } as Activity['conversation'], from: { id: `u-${id}`, name: '', role: 'user' }, timestamp: new Date(),
            }
            await adapter.receive(activity, logic)
          }
        }))
      }
      const used = process.cpuUsage(cpu)
      return { cpu: (used.user + used.system) / 1000 / (n * SCRIPT.length), wall: (performance.now() - t0) / (n * SCRIPT.length) }
    }
    await measure(bot, 200) // warm-up
    await measure(echo, 200)
    const bots: number[] = [], echoes: number[] = []
    // HEAP_PROFILE=FILE: where the bot's turns allocate (sampled, collected objects included), for the GC's share.
    const heap = process.env.HEAP_PROFILE ? new Session() : undefined
    const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => heap!.post(method, params, (err, r) => (err ? reject(err) : resolve(r))))
    if (heap) {
      heap.connect()
      await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.HEAP_MODE !== 'promoted' })
    }
    for (let r = 0; r < repeats; r++) {
      const b = await measure(bot, conversations)
      const e = process.env.BOT_ONLY ? { cpu: NaN, wall: NaN } : await measure(echo, conversations)
      bots.push(b.cpu)
      echoes.push(e.cpu)
      out(`bot ${b.cpu.toFixed(3)} ms CPU/turn (wall ${b.wall.toFixed(3)})  echo ${e.cpu.toFixed(3)} (wall ${e.wall.toFixed(3)})  bot − echo ${(b.cpu - e.cpu).toFixed(3)}`)
    }
    if (heap) {
      const { profile } = await post('HeapProfiler.stopSampling')
      writeFileSync(process.env.HEAP_PROFILE!, JSON.stringify(profile))
    }
    out(`median: bot ${median(bots).toFixed(3)}  echo ${median(echoes).toFixed(3)}  bot − echo ${(median(bots) - median(echoes)).toFixed(3)} ms CPU a turn`)
    await app.stop()
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
