/** `npm run report -- --since 7d`: the help-desk figures (containment, funnels, recognition, handoff) in the terminal. */
import { computeReport, formatReport } from '../core/analytics.js'
import { loadConfig } from '../core/config.js'
import { createLogger } from '../core/logger.js'
import { periodFromArgs } from '../analytics/period.js'
import { openStores } from '../infra/index.js'

let period: { from: number; to: number }
try {
  period = periodFromArgs(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(2)
}
const config = loadConfig()
const stores = await openStores(config, createLogger({ level: 'warn' }))
try {
  const events = await stores.analytics.query(period.from, period.to)
  process.stdout.write(`${formatReport(computeReport(events, period.from, period.to))}\n`)
} finally {
  await stores.close()
}
