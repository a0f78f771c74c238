import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import type { Limiter, LimiterFactory, LimitSpec } from './core/ports.js'

export type { Limiter, LimiterFactory, LimitResult, LimitSpec } from './core/ports.js'

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000))

export interface LimiterStore {
  /** A connected Redis client (ioredis), from the storage adapter: the limits then count across every instance. */
  redis?: object
  /** Prefix of the Redis keys. */
  prefix?: string
  /** Called (at most once a minute) while Redis does not answer and the limits fall back to this instance's. */
  onFallback?: (name: string) => void
}

/**
 * Every rate limit of the bot is made here, so the store behind them changes in one place: in memory for one
 * instance (rate-limiter-flexible's RateLimiterMemory), or RateLimiterRedis for several, with an in-memory
 * "insurance" limiter that takes over, per instance, while Redis is down.
 */
export function createLimiters({ redis, prefix = '', onFallback }: LimiterStore = {}): LimiterFactory {
  let warnedAt = 0
  return (name: string, { points, durationSeconds, blockSeconds = 0 }: LimitSpec): Limiter => {
    const options = { keyPrefix: `${prefix}${name}`, points, duration: durationSeconds, blockDuration: blockSeconds }
    let limiter: RateLimiterAbstract = new RateLimiterMemory(options)
    if (redis) {
      const insurance = new RateLimiterMemory(options)
      const consume = insurance.consume.bind(insurance)
      insurance.consume = (...args) => {
        if (Date.now() - warnedAt > 60_000) onFallback?.(name)
        warnedAt = Date.now()
        return consume(...args)
      }
      limiter = new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: insurance })
    }
    return {
      async take(key, spend = 1) {
        try {
          await limiter.consume(key, spend)
          return { ok: true }
        } catch (err) {
          if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: retryAfter(err) }
          throw err
        }
      },
      async waitSeconds(key) {
        const res = await limiter.get(key)
        if (!res || res.consumedPoints <= points) return 0 // spent, but not over: only the next refused `take` blocks
        return retryAfter(res)
      },
      async refund(key, back = 1) {
        await limiter.reward(key, back)
      },
      async reset(key) {
        await limiter.delete(key)
      },
    }
  }
}

/** Limits of this process alone: for code that runs without storage (tools, tests); the app's come from its stores. */
export const createLimiter: LimiterFactory = createLimiters()
