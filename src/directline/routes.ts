import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type restify from 'restify'
import { WebSocketServer } from 'ws'
import { z } from 'zod'
import type { Activity, TurnContext } from 'botbuilder'
import type { Logger } from '../core/logger.js'
import type { LoadShedder } from '../core/loadShedder.js'
import { STRICT_HOST } from '../core/callers.js'
import { newId, type TokenClaims, type TokenSigner } from '../core/tokens.js'
import type { TurnSlots } from '../core/turnSlots.js'
import type { ActivityJson, ActivityLog, LimiterFactory, LimitResult } from '../core/ports.js'
import { WEBCHAT_CHANNEL, type DirectLineAdapter } from './adapter.js'
import type { StreamHub } from './streamHub.js'

const BASE = '/v3/directline'
const WEBSITE_EVENTS = ['webchat/join']
const STREAM_PATH = /^\/v3\/directline\/conversations\/([A-Za-z0-9_-]{1,100})\/stream$/

/** Load shedding: new conversations wait while the server is overloaded; it learns from the turns served. */
export type OverloadCheck = Pick<LoadShedder, 'overloaded' | 'turnServed' | 'retryAfterSeconds'>

export interface DirectLineOptions {
  rateLimit: number
  generateLimit: number
  maxText: number
  /** An activity's `value`, as JSON. */
  maxValueBytes: number
  publicUrl?: string
}

export interface DirectLineDeps {
  adapter: DirectLineAdapter
  store: ActivityLog
  signer: TokenSigner
  hub: StreamHub
  /** The bound on turns in flight the adapter runs its turns under (its figures, for tests and monitoring). */
  slots?: TurnSlots
  logic: (context: TurnContext) => Promise<void>
  logger: Logger
  options: DirectLineOptions
  /** Rate limits (global across instances with Redis). */
  limiter: LimiterFactory
  /** The client's address, behind trusted proxies. */
  clientAddress: (req: restify.Request) => string
  shedder?: OverloadCheck
}

/** What the website may post: only these fields are kept; identity and addressing come from the token. */
const PostedActivitySchema = z.object({
  type: z.enum(['message', 'event', 'typing']),
  text: z.string().optional(),
  name: z.string().max(100).optional(),
  value: z.unknown().optional(),
  locale: z.string().max(35).optional(),
  textFormat: z.enum(['plain', 'markdown']).optional(),
  channelData: z.object({ clientActivityID: z.string().max(100).optional() }).loose().optional(),
  attachments: z.array(z.unknown()).max(0, 'attachments are not accepted').optional(),
})

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }
}

/** 429 with Retry-After once a limit is spent. */
function throwIfLimited(result: LimitResult, message: string): void {
  if (!result.ok) throw new HttpError(429, 'TooManyRequests', message, result.retryAfterSeconds)
}


/** The WebSocket origin from the request, without PUBLIC_URL: the Host header if it is a plain host, else none. */
function streamOrigin(req: restify.Request): string | undefined {
  const host = req.header('host') ?? ''
  if (!STRICT_HOST.test(host)) return undefined
  const proto = req.header('x-forwarded-proto')
  return `${proto === 'https' ? 'wss' : 'ws'}://${host}`
}

// What one read of a conversation returns at most: the client asks again from the watermark for the rest.
const READ_ACTIVITIES = 100
const READ_BYTES = 256 * 1024

/** Activities after `watermark`, at most 100 and 256 KiB (at least one), and the watermark of the last returned. */
async function readBack(store: ActivityLog, conversationId: string, watermark: number): Promise<{ activities: ActivityJson[]; watermark: number }> {
  const { activities } = await store.after(conversationId, watermark, READ_ACTIVITIES)
  let bytes = 0
  let count = 0
  for (const activity of activities) {
    bytes += JSON.stringify(activity).length
    if (count > 0 && bytes > READ_BYTES) break
    count++
  }
  const kept = activities.slice(0, count)
  return { activities: kept, watermark: kept.length > 0 ? Number(String(kept.at(-1)!.id).split('|')[1] ?? watermark) : watermark }
}

/** The Direct Line 3.0 routes Web Chat uses, served by the bot itself, and the WebSocket stream. */
export function registerDirectLine(server: restify.Server, deps: DirectLineDeps): void {
  const { adapter, store, signer, hub, logic, logger, options, shedder, limiter: createLimiter, clientAddress } = deps
  const perConversation = createLimiter('directline-conversation', { points: options.rateLimit, durationSeconds: 60 })
  const typingPerConversation = createLimiter('directline-typing', { points: 30, durationSeconds: 60 })
  const perAddress = createLimiter('directline-new-conversation', { points: options.generateLimit, durationSeconds: 60 })

  const fail = (res: restify.Response, err: unknown) => {
    if (err instanceof HttpError) {
      if (err.retryAfterSeconds) res.header('retry-after', String(err.retryAfterSeconds))
      res.send(err.status, { error: { code: err.code, message: err.message } })
      return
    }
    logger.error({ err }, 'direct line request failed')
    res.send(500, { error: { code: 'ServiceError', message: 'Something went wrong on our side.' } })
  }
  /** Wraps a handler so every failure becomes a Direct Line error body. */
  const route =
    (handler: (req: restify.Request, res: restify.Response) => Promise<void> | void) =>
    async (req: restify.Request, res: restify.Response) => {
      try {
        await handler(req, res)
      } catch (err) {
        fail(res, err)
      }
    }

  const claimsOf = async (req: restify.Request, conversationId?: string): Promise<TokenClaims> => {
    const header = req.header('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw new HttpError(401, 'TokenMissing', 'An "Authorization: Bearer <token>" header is required.')
    const check = signer.verify(match[1]!)
    if (!check.ok) {
      // 403 for an expired token is what Direct Line clients expect (they stop refreshing).
      if (check.reason === 'expired') throw new HttpError(403, 'TokenExpired', 'The token has expired.')
      throw new HttpError(401, 'TokenInvalid', 'The token is not valid.')
    }
    if (conversationId !== undefined && check.claims.c !== conversationId) {
      throw new HttpError(403, 'Forbidden', 'The token is not valid for this conversation.')
    }
    if (!(await store.conversation(check.claims.c))) throw new HttpError(404, 'NotFound', 'Unknown conversation.')
    return check.claims
  }

  const streamUrl = (req: restify.Request, conversationId: string, watermark: number, token: string) => {
    const base = options.publicUrl?.replace(/^http/, 'ws').replace(/\/$/, '') ?? streamOrigin(req)
    if (!base) throw new HttpError(400, 'BadArgument', 'The Host header is not a plain host name; set PUBLIC_URL behind a proxy.')
    return `${base}${BASE}/conversations/${conversationId}/stream?watermark=${watermark}&t=${encodeURIComponent(token)}`
  }

  const conversationParam = (req: restify.Request) => {
    const id = String(req.params?.conversationId ?? '')
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new HttpError(400, 'BadArgument', 'Malformed conversation id.')
    return id
  }

  const watermarkParam = (req: restify.Request): number | undefined => {
    const raw = new URL(req.url ?? '/', 'http://x').searchParams.get('watermark')
    if (raw === null || raw === '') return undefined
    if (!/^\d{1,12}$/.test(raw)) throw new HttpError(400, 'BadArgument', 'The watermark must be a whole number.')
    return Number(raw)
  }

  server.post(
    `${BASE}/tokens/generate`,
    route(async (req, res) => {
      if (shedder?.overloaded()) {
        logger.warn({ status: 503 }, 'new conversation shed')
        throw new HttpError(503, 'Overloaded', 'The help desk is very busy; try again in a moment.', shedder.retryAfterSeconds)
      }
      throwIfLimited(await perAddress.take(clientAddress(req)), 'Too many new conversations from this address; wait a minute.')
      const conversationId = newId('dl-')
      const userId = newId('dl_user-', 9)
      await store.createConversation(conversationId, userId)
      const { token, expiresIn } = signer.issue(conversationId, userId)
      logger.info({ conversationId }, 'conversation created')
      res.send(200, { conversationId, token, expires_in: expiresIn })
    }),
  )

  server.post(
    `${BASE}/tokens/refresh`,
    route(async (req, res) => {
      const claims = await claimsOf(req)
      const { token, expiresIn } = signer.issue(claims.c, claims.u, Date.now(), claims.b ?? claims.exp)
      if (expiresIn <= 0) throw new HttpError(403, 'TokenExpired', 'This conversation has reached its end of life; start a new one.')
      res.send(200, { conversationId: claims.c, token, expires_in: expiresIn })
    }),
  )

  server.post(
    `${BASE}/conversations`,
    route(async (req, res) => {
      const claims = await claimsOf(req)
      const token = req.header('authorization')!.replace(/^Bearer\s+/i, '')
      res.send(201, {
        conversationId: claims.c,
        token,
        expires_in: Math.max(0, claims.exp - Math.floor(Date.now() / 1000)),
        streamUrl: streamUrl(req, claims.c, 0, token), // from the start: a page that lost its place gets the history
      })
    }),
  )

  server.get(
    `${BASE}/conversations/:conversationId`,
    route(async (req, res) => {
      const conversationId = conversationParam(req)
      const claims = await claimsOf(req, conversationId)
      const token = req.header('authorization')!.replace(/^Bearer\s+/i, '')
      // Per the spec: with a watermark, replay from it; without, only what arrives from now on.
      const from = watermarkParam(req) ?? (await store.lastWatermark(claims.c))
      res.send(200, { conversationId, token, streamUrl: streamUrl(req, conversationId, from, token) })
    }),
  )

  server.get(
    `${BASE}/conversations/:conversationId/activities`,
    route(async (req, res) => {
      const conversationId = conversationParam(req)
      await claimsOf(req, conversationId)
      const { activities, watermark } = await readBack(store, conversationId, watermarkParam(req) ?? 0)
      res.send(200, { activities, watermark: String(watermark) })
    }),
  )

  server.post(
    `${BASE}/conversations/:conversationId/activities`,
    route(async (req, res) => {
      const conversationId = conversationParam(req)
      const claims = await claimsOf(req, conversationId)
      if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
        throw new HttpError(400, 'BadArgument', 'The body must be a JSON activity.')
      }
      const parsed = PostedActivitySchema.safeParse(req.body)
      if (!parsed.success) throw new HttpError(400, 'BadArgument', z.prettifyError(parsed.error))
      const posted = parsed.data
      if ((posted.text?.length ?? 0) > options.maxText) {
        throw new HttpError(413, 'MessageSizeTooBig', `A message may have at most ${options.maxText} characters.`)
      }
      if (posted.value !== undefined && Buffer.byteLength(JSON.stringify(posted.value)) > options.maxValueBytes) {
        throw new HttpError(413, 'ValueTooBig', `An activity's value may have at most ${options.maxValueBytes} bytes of JSON.`)
      }
      if (posted.type === 'message' && !posted.text?.trim()) throw new HttpError(400, 'BadArgument', 'A message needs text.')
      // The page's own events only: anything else (e.g. handoff.status) would let a user forge what agents send.
      if (posted.type === 'event' && !WEBSITE_EVENTS.includes(posted.name ?? '')) {
        throw new HttpError(400, 'BadArgument', `Unknown event "${String(posted.name).slice(0, 100)}".`)
      }
      // Typing (Web Chat sends one every few seconds while the user types) has its own budget; over it, it is dropped.
      if (posted.type === 'typing') {
        if (!(await typingPerConversation.take(conversationId)).ok) return res.send(200, { id: '' })
      } else {
        throwIfLimited(await perConversation.take(conversationId), 'Too many messages in this conversation; wait a moment.')
      }
      const clientActivityID = posted.channelData?.clientActivityID
      const activity: Partial<Activity> = {
        type: posted.type,
        text: posted.type === 'typing' ? undefined : posted.text,
        name: posted.name,
        value: posted.value,
        locale: posted.locale,
        textFormat: posted.textFormat,
        channelData: clientActivityID ? { clientActivityID } : undefined,
        channelId: WEBCHAT_CHANNEL,
        conversation: { id: conversationId } as Activity['conversation'],
        from: { id: claims.u, name: '', role: 'user' },
        timestamp: new Date(),
      }
      const id = await adapter.receive(activity, logic)
      res.send(200, { id })
      if (posted.type !== 'typing') shedder?.turnServed(Date.now() - req.time())
    }),
  )

  attachStream(server, { store, signer, hub, logger })
}

/** `GET .../stream?watermark=&t=`: the WebSocket that pushes activity sets. Authorised by the token in the URL. */
function attachStream(
  server: restify.Server,
  { store, signer, hub, logger }: Pick<DirectLineDeps, 'store' | 'signer' | 'hub' | 'logger'>,
): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 })
  const reject = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const match = STREAM_PATH.exec(url.pathname)
    if (!match) return reject(socket, 404, 'Not Found')
    const conversationId = match[1]!
    const check = signer.verify(url.searchParams.get('t') ?? '')
    if (!check.ok) return reject(socket, check.reason === 'expired' ? 403 : 401, 'Unauthorized')
    if (check.claims.c !== conversationId) return reject(socket, 403, 'Forbidden')
    const rawWatermark = url.searchParams.get('watermark') ?? ''
    if (rawWatermark && !/^\d{1,12}$/.test(rawWatermark)) return reject(socket, 400, 'Bad Request')
    store.conversation(conversationId).then(
      async (known) => {
        if (!known) return reject(socket, 403, 'Forbidden')
        // The newest 100 at most: a page reopened on a long conversation shows its end, in bounded messages.
        const from = Math.max(Number(rawWatermark || 0), (await store.lastWatermark(conversationId)) - READ_ACTIVITIES)
        wss.handleUpgrade(req, socket, head, (ws) => {
          ws.on('message', () => {}) // Web Chat's keep-alive pings are empty messages
          ws.on('error', (err) => logger.debug({ err, conversationId }, 'stream error'))
          hub.attach(conversationId, ws, from).catch((err: unknown) => {
            logger.warn({ err, conversationId }, 'stream could not start')
            ws.close(1011, 'unavailable')
          })
        })
      },
      (err: unknown) => {
        logger.error({ err, conversationId }, 'stream could not start')
        reject(socket, 503, 'Service Unavailable')
      },
    )
  })
}
