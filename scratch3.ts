import { loadConfig } from './src/core/config.js'
import { createLogger } from './src/core/logger.js'
import { createHelpDesk } from './src/app.js'
import { createDirectLineChannel } from './src/directline/channel.js'
import { SCRIPT } from './src/tools/load.js'
import { rmSync } from 'node:fs'
rmSync('/tmp/inproc', { recursive: true, force: true })
const config = loadConfig({ DATA_DIR: '/tmp/inproc', LOG_LEVEL: 'warn' })
const logger = createLogger({ level: 'warn' })
const hd = createHelpDesk(config, logger)
const dl = createDirectLineChannel(config, logger, hd)
const N = Number(process.argv[2] ?? 1000)
for (let i = 0; i < N; i++) dl.store.createConversation(`c${i}`, `u${i}`)
const t0 = performance.now()
const cpu0 = process.cpuUsage()
await Promise.all(Array.from({ length: N }, async (_, i) => {
  for (const text of SCRIPT) await dl.adapter.receive({ type: 'message', text, conversation: { id: `c${i}` } as any, from: { id: `u${i}`, name: '', role: 'user' }, timestamp: new Date() }, dl.logic)
}))
const s = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
console.log(`${N * SCRIPT.length} turns in ${s.toFixed(2)} s = ${(N * SCRIPT.length / s).toFixed(0)} turns/s; cpu ${(cpu.user / 1e6).toFixed(2)} user ${(cpu.system / 1e6).toFixed(2)} sys`)
