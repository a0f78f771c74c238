import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { LimiterFactory } from '../core/ports.js'
import { createLimiter as inProcess } from '../limits.js'

export const DEVICE_COOKIE = 'hd_device'
const DEVICE_DAYS = 90

export interface SignInAttempt {
  username: string
  address: string
  /** The `hd_device` cookie, if the browser sent one. */
  device?: string
}

/**
 * Throttles password guessing at the agent sign-in without locking the real agent out (OWASP's "device cookie"):
 * a browser that signed in as an agent before carries a signed cookie and is limited on its own, so failures by
 * anyone else, from anywhere (a proxy's one address included), never stop it. Everyone else is limited per account
 * and address (5 failures in 15 minutes, then a minute's wait), per address (30 in 15 minutes) and per account (50
 * an hour, then 5 minutes): guessing stays slow, and a wait always ends.
 */
export function createSignInGuard(secret: Buffer = randomBytes(32), createLimiter: LimiterFactory = inProcess) {
  // Every attempt spends a point (a right password gets it back); the attempt after `points` starts the wait.
  const perAccountAndAddress = createLimiter('signin-account-address', { points: 5, durationSeconds: 900, blockSeconds: 60 })
  const perAddress = createLimiter('signin-address', { points: 30, durationSeconds: 900, blockSeconds: 900 })
  const perAccount = createLimiter('signin-account', { points: 50, durationSeconds: 3600, blockSeconds: 300 })
  const perDevice = createLimiter('signin-device', { points: 10, durationSeconds: 900, blockSeconds: 60 })

  const sign = (username: string, nonce: string) => createHmac('sha256', secret).update(`${username}\n${nonce}`).digest('base64url')
  /** The device id in a cookie this server signed for `username`, else undefined. */
  const deviceOf = (cookie: string | undefined, username: string): string | undefined => {
    const [nonce, mac] = (cookie ?? '').split('.')
    if (!nonce || !mac || nonce.length > 64) return undefined
    const expected = Buffer.from(sign(username, nonce))
    const given = Buffer.from(mac)
    return expected.length === given.length && timingSafeEqual(expected, given) ? `${username}\n${nonce}` : undefined
  }
  const limitersFor = ({ username, address, device }: SignInAttempt) => {
    const known = deviceOf(device, username)
    return known
      ? [{ limiter: perDevice, key: known }]
      : [
          { limiter: perAccountAndAddress, key: `${username}\n${address}` },
          { limiter: perAddress, key: address },
          { limiter: perAccount, key: username },
        ]
  }

  return {
    /**
     * Counts the attempt before its password is checked (so concurrent guesses cannot slip past the limits), or
     * says how many seconds it must wait first.
     */
    async begin(attempt: SignInAttempt): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
      const limits = limitersFor(attempt)
      const waits = await Promise.all(limits.map(({ limiter, key }) => limiter.waitSeconds(key)))
      if (Math.max(0, ...waits) > 0) return { ok: false, retryAfterSeconds: Math.max(...waits) }
      const taken = await Promise.all(limits.map(({ limiter, key }) => limiter.take(key)))
      const refused = taken.filter((t) => !t.ok).map((t) => (t.ok ? 0 : t.retryAfterSeconds))
      return refused.length > 0 ? { ok: false, retryAfterSeconds: Math.max(...refused) } : { ok: true }
    },
    /** The password was right: the attempt is given back and this account's failures here forgotten; the device cookie to set. */
    async succeeded(attempt: SignInAttempt): Promise<{ value: string; maxAgeSeconds: number }> {
      for (const { limiter, key } of limitersFor(attempt)) {
        if (limiter === perAddress || limiter === perAccount) await limiter.refund(key)
        else await limiter.reset(key)
      }
      const nonce = deviceOf(attempt.device, attempt.username)?.split('\n')[1] ?? randomBytes(16).toString('base64url')
      return { value: `${nonce}.${sign(attempt.username, nonce)}`, maxAgeSeconds: DEVICE_DAYS * 86_400 }
    },
  }
}
export type SignInGuard = ReturnType<typeof createSignInGuard>
