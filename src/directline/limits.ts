/** A sliding one-minute window per key: `allow(key)` is false once `perMinute` is reached. Forgets idle keys. */
export function createRateLimiter(perMinute: number, { windowMs = 60_000 } = {}) {
  const hits = new Map<string, number[]>()
  let lastSweep = 0
  return {
    /** True when `key` has used up its minute, without counting this look. */
    exceeded(key: string, now = Date.now()): boolean {
      return (hits.get(key) ?? []).filter((t) => t > now - windowMs).length >= perMinute
    },
    allow(key: string, now = Date.now()): boolean {
      if (now - lastSweep > windowMs) {
        for (const [k, times] of hits) if (times.at(-1)! <= now - windowMs) hits.delete(k)
        lastSweep = now
      }
      const recent = (hits.get(key) ?? []).filter((t) => t > now - windowMs)
      if (recent.length >= perMinute) {
        hits.set(key, recent)
        return false
      }
      recent.push(now)
      hits.set(key, recent)
      return true
    },
  }
}
