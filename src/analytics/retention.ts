import type { Logger } from '../core/logger.js'
import type { ActivityLog, AnalyticsEvents, ConversationStateStore, HandoffCases, Ratings, ScheduledJobs, TrainingSuggestions } from '../core/ports.js'

export const RETENTION_JOB = 'retention'
const DAY_MS = 24 * 60 * 60 * 1000

/** What the retention job deletes from: every store that keeps what users typed (redacted) or did. */
export interface Retained {
  analytics: AnalyticsEvents
  suggestions: TrainingSuggestions
  /** The website's Direct Line conversations and their activities. */
  activities?: ActivityLog
  /** Conversation and user state (facts, the question asked). */
  state?: ConversationStateStore
  ratings?: Ratings
  /** Handoff cases that have ended, with their history (contacts, answers, notes). */
  cases?: HandoffCases
}

/**
 * Deletes what is older than `days` before `now`: transcripts, analytics events, training suggestions, ratings,
 * Direct Line conversations and bot state idle that long, and handoff cases ended that long ago. Says how many of each went.
 */
export async function purgeOld({ analytics, suggestions, activities, state, ratings, cases }: Retained, days: number, now = Date.now()) {
  const before = now - days * DAY_MS
  return {
    ...(await analytics.deleteBefore(before)),
    suggestions: await suggestions.deleteBefore(before),
    ratings: (await ratings?.deleteBefore(before)) ?? 0,
    conversations: (await activities?.deleteIdleBefore(before)) ?? 0,
    states: (await state?.deleteIdleBefore(before)) ?? 0,
    cases: (await cases?.deleteEndedBefore(before)) ?? 0,
  }
}

/**
 * The retention job: every `intervalMs` (and once at start), the instance holding the job deletes what is older than
 * RETENTION_DAYS. Returns how to stop it.
 */
export function scheduleRetention(deps: Retained & { jobs: ScheduledJobs; logger: Logger }, days: number, intervalMs = 60 * 60 * 1000): () => void {
  const run = async () => {
    if (!(await deps.jobs.claim(RETENTION_JOB))) return
    const deleted = await purgeOld(deps, days)
    if (Object.values(deleted).some((n) => n > 0)) deps.logger.info({ ...deleted, days }, 'retention: old transcripts and events deleted')
  }
  const tick = () => void run().catch((err: unknown) => deps.logger.error({ err }, 'retention job failed'))
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  tick()
  return () => clearInterval(timer)
}
