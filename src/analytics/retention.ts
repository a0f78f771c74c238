import type { Logger } from '../core/logger.js'
import type { AnalyticsEvents, Ratings, ScheduledJobs, TrainingSuggestions } from '../core/ports.js'

export const RETENTION_JOB = 'retention'
const DAY_MS = 24 * 60 * 60 * 1000

/** Deletes transcripts, analytics events and training suggestions older than `days` before `now`; says how many went. */
export async function purgeOld(
  { analytics, suggestions }: { analytics: AnalyticsEvents; suggestions: TrainingSuggestions },
  days: number,
  now = Date.now(),
): Promise<{ events: number; transcripts: number; suggestions: number }> {
  const before = now - days * DAY_MS
  return { ...(await analytics.deleteBefore(before)), suggestions: await suggestions.deleteBefore(before) }
}

/**
 * The retention job: every `intervalMs` (and once at start), the instance holding the job deletes what is older than
 * RETENTION_DAYS. Returns how to stop it.
 */
export function scheduleRetention(
  deps: { analytics: AnalyticsEvents; suggestions: TrainingSuggestions; jobs: ScheduledJobs; logger: Logger; ratings?: Ratings },
  days: number,
  intervalMs = 60 * 60 * 1000,
): () => void {
  const run = async () => {
    if (!(await deps.jobs.claim(RETENTION_JOB))) return
    const deleted = await purgeOld(deps, days)
    if (deleted.events + deleted.transcripts + deleted.suggestions > 0) deps.logger.info({ ...deleted, days }, 'retention: old transcripts and events deleted')
    // Ratings hold comments (user text, redacted): kept no longer than the transcripts.
    const ratings = (await deps.ratings?.deleteBefore(Date.now() - days * DAY_MS)) ?? 0
    if (ratings > 0) deps.logger.info({ ratings, days }, 'retention: old ratings deleted')
  }
  const tick = () => void run().catch((err: unknown) => deps.logger.error({ err }, 'retention job failed'))
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  tick()
  return () => clearInterval(timer)
}
