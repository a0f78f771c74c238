import type { Logger } from '../../core/logger.js'
import type { EventBus, StorageHealth, Stores } from '../../core/ports.js'
import { createLimiters } from '../../limits.js'
import { createRedisEventBus } from '../redis/eventBus.js'
import { createJobs, createPool, migrate, Pg } from './database.js'
import { PgAnalyticsEvents } from './analyticsEvents.js'
import { createPgEventBus } from './eventBus.js'
import { PgRatings } from './ratings.js'
import { PgServiceNotices, PgTrainingSuggestions } from './reviewStores.js'
import { PgActivityLog, PgAgentSessions, PgConsoleEvents, PgHandoffCases, PgSettings, PgStateStore, PgTranscriptLog } from './stores.js'

export interface PostgresOptions {
  databaseUrl: string
  /** The schema holding our tables (one per test file in the tests). */
  schema: string
  /** Redis for the event bus; without it, PostgreSQL's LISTEN/NOTIFY carries the events. */
  redisUrl?: string
  redisPrefix: string
}

/** Every store on PostgreSQL (+ Redis): any number of instances on one database. Migrates first. */
export async function openPostgresStores({ databaseUrl, schema, redisUrl, redisPrefix }: PostgresOptions, logger: Logger): Promise<Stores> {
  await migrate(databaseUrl, schema, logger)
  const pool = createPool(databaseUrl, schema)
  const db = new Pg(pool)
  const redis = redisUrl ? createRedisEventBus(redisUrl, redisPrefix, logger) : undefined
  const jobs = createJobs(databaseUrl, logger)
  await redis?.ready() // rate limits count in Redis from the first request on
  if (!redis) logger.warn({}, 'no REDIS_URL: rate limits are per instance, live events go through PostgreSQL')
  const bus: EventBus & { close(): Promise<void> } = redis ?? createPgEventBus(databaseUrl, schema, pool, logger)
  const check = async (probe: () => Promise<unknown>) => {
    try {
      await probe()
      return { ok: true }
    } catch (err) {
      return { ok: false, error: (err as Error).message }
    }
  }
  return {
    engine: 'postgres',
    state: new PgStateStore(db),
    activities: new PgActivityLog(db),
    transcripts: new PgTranscriptLog(db),
    cases: new PgHandoffCases(db),
    sessions: new PgAgentSessions(db),
    settings: new PgSettings(db),
    bus,
    lock: db.lock,
    consoleEvents: new PgConsoleEvents(db),
    analytics: new PgAnalyticsEvents(db),
    ratings: new PgRatings(db),
    notices: new PgServiceNotices(db),
    suggestions: new PgTrainingSuggestions(db),
    jobs,
    limiter: createLimiters({
      redis: redis?.client,
      prefix: `${redisPrefix}limit:`,
      onFallback: (limiter) => logger.warn({ limiter }, 'redis unavailable: rate limits are per instance'),
    }),
    afterCommit: (then) => db.afterCommit(then),
    async health() {
      const health: StorageHealth = { database: await check(() => pool.query('SELECT 1')) }
      if (redis) health.redis = await check(() => redis.ping())
      return health
    },
    async close() {
      if (pool.ending) return
      await bus.close()
      await jobs.close()
      await pool.end()
    },
  }
}
