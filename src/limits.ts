import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'

/** A budget of `points` per `durationSeconds`; once spent, the key waits (and `blockSeconds` longer, if set). */
export interface LimitSpec {
  points: number
  durationSeconds: number
  blockSeconds?: number
}

export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number }

/** One named rate limit, keyed per caller (a conversation, an address, an account). */
export interface Limiter {
  /** Spends `points` (1) of `key`'s budget; refused once spent. */
  take(key: string, points?: number): Promise<LimitResult>
  /** Seconds `key` must still wait since a `take` was refused, without spending anything; 0 when it may go on. */
  waitSeconds(key: string): Promise<number>
  /** Gives back `points` spent by `key` (e.g. a sign-in attempt that turned out right). */
  refund(key: string, points?: number): Promise<void>
  /** Forgets `key` (e.g. after a successful sign-in). */
  reset(key: string): Promise<void>
}

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000))

/**
 * Every rate limit of the bot is made here, so the store behind them changes in one place: in memory for one
 * instance (rate-limiter-flexible's RateLimiterMemory); RateLimiterRedis takes the same options for several.
 */
export function createLimiter(name: string, { points, durationSeconds, blockSeconds = 0 }: LimitSpec): Limiter {
  const limiter: RateLimiterAbstract = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds, blockDuration: blockSeconds })
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
