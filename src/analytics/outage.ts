/**
 * The outage watch: which problems the last hour's conversations report far above their usual rate (core/spikes'
 * rule, on the events' one grouped count). The console asks for it (cached briefly: every open console polls); the
 * instance holding the job checks every few minutes and logs each new spike once, for whoever watches the logs.
 */
import type { Logger } from '../core/logger.js'
import type { AnalyticsEvents, ScheduledJobs } from '../core/ports.js'
import { DEFAULT_SPIKE_RULE, findSpikes, type Spike, type SpikeRule } from '../core/spikes.js'

export const OUTAGE_JOB = 'analytics.outage'
const HOUR_MS = 60 * 60 * 1000

/** The spikes at `now`, among the problems `isProblem` accepts (not greetings, thanks or requests for a person). */
export async function spikesAt(events: AnalyticsEvents, isProblem: (intentId: string) => boolean, now: number, rule: SpikeRule = DEFAULT_SPIKE_RULE): Promise<Spike[]> {
  const hourAgo = now - HOUR_MS
  const [lastHour, baseline] = await Promise.all([
    events.recognisedConversations(hourAgo, now),
    events.recognisedConversations(hourAgo - rule.baselineHours * HOUR_MS, hourAgo),
  ])
  for (const intentId of lastHour.keys()) if (!isProblem(intentId)) lastHour.delete(intentId)
  return findSpikes(lastHour, baseline, rule)
}

export interface OutageWatch {
  /** The current spikes (computed at most once per `cacheMs` on this instance). */
  spikes(): Promise<Spike[]>
  stop(): void
}

export function watchOutages({
  events,
  jobs,
  logger,
  isProblem,
  rule = DEFAULT_SPIKE_RULE,
  now = Date.now,
  cacheMs = 30_000,
  intervalMs = 5 * 60_000,
}: {
  events: AnalyticsEvents
  jobs: ScheduledJobs
  logger: Logger
  isProblem: (intentId: string) => boolean
  rule?: SpikeRule
  now?: () => number
  cacheMs?: number
  intervalMs?: number
}): OutageWatch {
  let cached: { at: number; spikes: Promise<Spike[]> } | undefined
  const spikes = () => {
    const at = now()
    if (!cached || at - cached.at >= cacheMs) {
      const fresh = spikesAt(events, isProblem, at, rule)
      cached = { at, spikes: fresh }
      fresh.catch(() => (cached = undefined)) // a failed read is not remembered
    }
    return cached.spikes
  }
  const logged = new Map<string, number>() // intent id -> when its spike was last logged
  const check = async () => {
    if (!(await jobs.claim(OUTAGE_JOB))) return
    for (const spike of await spikes()) {
      if (now() - (logged.get(spike.intentId) ?? 0) < HOUR_MS) continue
      logged.set(spike.intentId, now())
      logger.warn({ intentId: spike.intentId, lastHour: spike.lastHour, usualPerHour: Math.round(spike.usualPerHour * 100) / 100 }, 'outage spike')
    }
  }
  const timer = setInterval(() => void check().catch((err: unknown) => logger.error({ err }, 'outage check failed')), intervalMs)
  timer.unref()
  return { spikes, stop: () => clearInterval(timer) }
}
