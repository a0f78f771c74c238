import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

const ClaimsSchema = z.object({ c: z.string().min(1), u: z.string().min(1), exp: z.number().int() })
/** What a Direct Line token grants: one conversation, as one user, until `exp` (seconds since the epoch). */
export type TokenClaims = z.infer<typeof ClaimsSchema>

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' }

/** Signed, expiring tokens bound to one conversation (HMAC-SHA256; no state on the server). */
export interface TokenSigner {
  issue(conversationId: string, userId: string, now?: number): { token: string; expiresIn: number }
  verify(token: string, now?: number): TokenCheck
}

export function createTokenSigner(secret: string, { ttlSeconds = 1800 }: { ttlSeconds?: number } = {}): TokenSigner {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url')
  return {
    issue(conversationId, userId, now = Date.now()) {
      const claims: TokenClaims = { c: conversationId, u: userId, exp: Math.floor(now / 1000) + ttlSeconds }
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
      return { token: `${payload}.${sign(payload)}`, expiresIn: ttlSeconds }
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
      return { ok: true, claims: parsed.data }
    },
  }
}

/** A random id with a prefix, URL-safe. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`
}
