import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

const ClaimsSchema = z.object({ c: z.string().min(1), u: z.string().min(1), exp: z.number().int(), b: z.number().int().optional() })
/**
 * What a Direct Line token grants: one conversation, as one user, until `exp` (seconds since the epoch); `b` is when
 * the first token of the conversation was issued, which refreshing keeps, so a conversation's tokens end for good.
 */
export type TokenClaims = z.infer<typeof ClaimsSchema>

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' }

/** Signed, expiring tokens bound to one conversation (HMAC-SHA256; no state on the server). */
export interface TokenSigner {
  /** A token; `bornAt` (seconds) carries over from the token being refreshed. */
  issue(conversationId: string, userId: string, now?: number, bornAt?: number): { token: string; expiresIn: number }
  verify(token: string, now?: number): TokenCheck
}

export function createTokenSigner(secret: string, { ttlSeconds = 1800, maxAgeSeconds = 86_400 }: { ttlSeconds?: number; maxAgeSeconds?: number } = {}): TokenSigner {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url')
  return {
    issue(conversationId, userId, now = Date.now(), bornAt = Math.floor(now / 1000)) {
      // Never past the end of the conversation's life, however often it is refreshed.
      const exp = Math.min(Math.floor(now / 1000) + ttlSeconds, bornAt + maxAgeSeconds)
      const claims: TokenClaims = { c: conversationId, u: userId, exp, b: bornAt }
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
      return { token: `${payload}.${sign(payload)}`, expiresIn: Math.max(0, exp - Math.floor(now / 1000)) }
    },
    verify(token, now = Date.now()) {
      const [payload, signature, extra] = token.split('.')
      if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' }
      const expected = Buffer.from(sign(payload))
      const given = Buffer.from(signature)
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' }
      let claims: unknown
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      } catch {
        return { ok: false, reason: 'malformed' }
      }
      const parsed = ClaimsSchema.safeParse(claims)
      if (!parsed.success) return { ok: false, reason: 'malformed' }
      if (parsed.data.exp * 1000 <= now) return { ok: false, reason: 'expired' }
      if ((parsed.data.b ?? parsed.data.exp - ttlSeconds) + maxAgeSeconds <= Math.floor(now / 1000)) return { ok: false, reason: 'expired' }
      return { ok: true, claims: parsed.data }
    },
  }
}

/** A random id with a prefix, URL-safe. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`
}
