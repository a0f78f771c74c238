import restify from 'restify'
import { z } from 'zod'
import type { Activity } from 'botbuilder'
import { Outbox, type HelpDeskAdapter } from './adapter.js'
import type { HelpDeskBot } from './bot.js'
import type { Logger } from './core/logger.js'
import { registerDirectLine, type DirectLineDeps, type OverloadCheck } from './directline/routes.js'
import { registerHelpPage } from './web/page.js'
import { registerAgentConsole } from './agent/routes.js'
import type { NoticeBoard } from './core/serviceNotice.js'
import type { CallerPolicy } from './core/callers.js'
import type { ConversationLock, LimiterFactory, StorageHealth } from './core/ports.js'
import { WEBCHAT_CHANNEL } from './directline/adapter.js'

export interface ServerDeps {
  adapter: HelpDeskAdapter
  bot: HelpDeskBot
  logger: Logger
  /** The website channel; without it only /api/messages and /healthz are served. */
  directLine?: DirectLineDeps
  /** The agent console at /agent. */
  agentConsole?: Omit<Parameters<typeof registerAgentConsole>[1], 'logger' | 'secureCookies' | 'limiter' | 'clientAddress'>
  /** The outage notice the help page shows. */
  notices?: NoticeBoard
  /** What /api/messages accepts: who may call, which serviceUrls, and the same limits as the website channel. */
  messages: MessagesPolicy
  /** PUBLIC_URL (https there means HSTS and Secure cookies) and how long a request body may take to arrive. */
  http?: { publicUrl?: string; requestTimeoutSeconds?: number }
  /** One turn at a time per conversation (across instances with PostgreSQL); none: turns may overlap. */
  lock?: ConversationLock
  /** Resolves once the writes of the turns run so far are durable: a turn's replies are sent only then. */
  committed?: () => Promise<void>
  /** Rate limits (global across instances with Redis). */
  limiter: LimiterFactory
  /** The client's address for rate limits, behind trusted proxies. */
  clientAddress?: (req: restify.Request) => string
  /** Whether storage answers (the database, and Redis when configured), for /healthz and /readyz. */
  health?: () => Promise<StorageHealth>
  /** False once the instance is shutting down: /readyz then sends the load balancer elsewhere. */
  isAccepting?: () => boolean
}

export interface MessagesPolicy {
  /** Empty: no Bot Framework token is checked, so the caller and the activity are checked here. */
  appId: string
  callers: CallerPolicy
  maxText: number
  maxValueBytes: number
  /** Activities per conversation per minute. */
  rateLimit: number
  /** New conversations per address per minute (without an app id). */
  newConversationLimit: number
  /** Load shedding: a conversation not seen yet waits (503) while the server is overloaded. */
  shedder?: OverloadCheck
}

/** The fields every activity must have before the bot looks at it; the rest is the channel's business. */
const IncomingActivitySchema = z
  .object({
    type: z.string().min(1).max(50),
    channelId: z.string().min(1).max(100),
    serviceUrl: z.string().min(1).max(2000),
    conversation: z.object({ id: z.string().min(1).max(1000) }).loose(),
    from: z.object({ id: z.string().min(1).max(1000) }).loose(),
    name: z.string().max(100).optional(),
    text: z.string().max(20_000).optional(),
    value: z.unknown().optional(),
  })
  .loose()

const MAX_BODY_BYTES = 256 * 1024
// No activity of any channel nests deeper; thousands of levels made botbuilder fail with a 500.
const MAX_JSON_DEPTH = 32

/** How deep `text`'s brackets nest, outside strings: one pass, before anything parses or walks it. */
export function jsonDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) deepest = Math.max(deepest, ++depth)
    else if (c === 125 || c === 93) depth--
  }
  return deepest
}
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i

/**
 * Reads a JSON request body into `req.body`, refusing what is not JSON (415), too large (413) or malformed (400).
 * Every client of ours posts JSON: Bot Framework channels, Web Chat's Direct Line and the agent console. (restify's
 * bodyParser calls the deprecated `new Buffer()` on every request, which costs a stack trace each time.)
 */
export function jsonBody(logger: Logger, maxBytes = MAX_BODY_BYTES, timeoutSeconds = 30): restify.RequestHandler {
  return (req, res, next) => {
    const refuse = (status: number, code: string, message: string) => {
      logger.warn({ method: req.method, url: req.url, status, code }, 'request rejected')
      if (status === 408) res.header('connection', 'close')
      res.send(status, { error: { code, message } })
      next(false)
    }
    const length = Number(req.headers['content-length'] ?? 0)
    if (req.method === 'GET' || req.method === 'HEAD' || (!req.headers['transfer-encoding'] && length === 0)) return next()
    if (length > maxBytes) return refuse(413, 'PayloadTooLarge', `A request body may have at most ${maxBytes} bytes.`)
    if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) {
      return refuse(415, 'UnsupportedMediaType', 'Send the body as JSON (content-type: application/json).')
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    // A body trickled in slowly would hold the connection (330 s before): it must arrive in time.
    const timer = setTimeout(() => {
      if (done) return
      done = true
      refuse(408, 'RequestTimeout', `The request body did not arrive within ${timeoutSeconds} s.`)
      res.once('finish', () => req.destroy())
    }, timeoutSeconds * 1000)
    req.once('close', () => clearTimeout(timer))
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes && !done) {
        done = true
        refuse(413, 'PayloadTooLarge', `A request body may have at most ${maxBytes} bytes.`)
        req.resume() // drain what is left; the answer is already given
      } else if (!done) chunks.push(chunk)
    })
    req.on('error', () => {
      if (!done) (done = true), next(false)
    })
    req.on('end', () => {
      clearTimeout(timer)
      if (done) return
      done = true
      const text = Buffer.concat(chunks, size).toString('utf8')
      if (jsonDepth(text) > MAX_JSON_DEPTH) {
        return refuse(400, 'BadArgument', `The body is JSON nested deeper than ${MAX_JSON_DEPTH} levels.`)
      }
      try {
        req.body = JSON.parse(text) as unknown
      } catch {
        return refuse(400, 'BadArgument', 'The body is not valid JSON.')
      }
      next()
    })
  }
}

type Refusal = { status: number; code: string; message: string; retryAfterSeconds?: number }

/**
 * Checks a request to /api/messages before botbuilder sees it. Without an app id nothing else authenticates it, so
 * it must come from loopback (the Emulator) or an allowed address, may not touch the website channel's conversations
 * (they belong to their Direct Line token) nor forge an agent hub's `handoff.status`, and gets the website's limits.
 */
function createMessagesGuard(
  policy: MessagesPolicy,
  {
    isWebsiteConversation,
    createLimiter,
    clientAddress,
    authenticate,
  }: {
    isWebsiteConversation: (conversationId: string) => Promise<boolean>
    createLimiter: LimiterFactory
    clientAddress: (req: restify.Request) => string
    /** Throws when the request's Bot Framework token is not valid. */
    authenticate: (req: restify.Request, activity: Activity, authHeader: string) => Promise<unknown>
  },
) {
  const perConversation = createLimiter('messages-conversation', { points: policy.rateLimit, durationSeconds: 60 })
  const perAddress = createLimiter('messages-new-conversation', { points: policy.newConversationLimit, durationSeconds: 60 })
  const seen = new Map<string, true>() // recently seen conversations, oldest first, bounded
  return async (req: restify.Request, activity: z.infer<typeof IncomingActivitySchema>): Promise<Refusal | undefined> => {
    const serviceUrl = policy.callers.checkServiceUrl(activity.serviceUrl)
    if (!serviceUrl.ok) return { status: 403, code: 'ServiceUrlNotAllowed', message: serviceUrl.reason }
    const conversationId = activity.conversation.id
    if ((!policy.appId && activity.channelId === WEBCHAT_CHANNEL) || (await isWebsiteConversation(conversationId))) {
      return { status: 403, code: 'Forbidden', message: 'Website conversations are reached only through /v3/directline with their token.' }
    }
    if (!policy.appId && activity.type === 'event' && activity.name === 'handoff.status') {
      return { status: 403, code: 'Forbidden', message: 'handoff.status is accepted only from an agent hub with a Bot Framework token (set MicrosoftAppId).' }
    }
    if ((activity.text?.length ?? 0) > policy.maxText) {
      return { status: 413, code: 'MessageSizeTooBig', message: `A message may have at most ${policy.maxText} characters.` }
    }
    if (activity.value !== undefined && Buffer.byteLength(JSON.stringify(activity.value)) > policy.maxValueBytes) {
      return { status: 413, code: 'ValueTooBig', message: `An activity's value may have at most ${policy.maxValueBytes} bytes of JSON.` }
    }
    const key = `${activity.channelId}/${conversationId}`
    if (!seen.has(key) && policy.shedder?.overloaded()) {
      return { status: 503, code: 'Overloaded', message: 'The help desk is very busy; try again in a moment.', retryAfterSeconds: policy.shedder.retryAfterSeconds }
    }
    if (!policy.appId && !seen.has(key)) {
      const fresh = await perAddress.take(clientAddress(req))
      if (!fresh.ok) return { status: 429, code: 'TooManyRequests', message: 'Too many new conversations from this address; wait a minute.', retryAfterSeconds: fresh.retryAfterSeconds }
    }
    if (policy.appId) {
      // The conversation's budget is spent only by callers the channel vouches for, not by whoever knows its id.
      try {
        await authenticate(req, activity as unknown as Activity, req.headers.authorization ?? '')
      } catch {
        return { status: 401, code: 'Unauthorized', message: 'A valid Bot Framework token is required.' }
      }
    }
    seen.delete(key)
    seen.set(key, true)
    if (seen.size > 100_000) seen.delete(seen.keys().next().value!)
    const turn = await perConversation.take(key)
    if (!turn.ok) return { status: 429, code: 'TooManyRequests', message: 'Too many messages in this conversation; wait a moment.', retryAfterSeconds: turn.retryAfterSeconds }
    return undefined
  }
}

/** The HTTP edge: Bot Framework messages, the website channel and its page, and a health check. */
export function createServer({
  adapter,
  bot,
  logger,
  directLine,
  agentConsole,
  notices,
  messages,
  http = {},
  lock,
  health,
  isAccepting = () => true,
  limiter,
  committed = async () => {},
  clientAddress = (req) => req.socket.remoteAddress ?? 'unknown',
}: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'cac-helpdesk', handleUncaughtExceptions: false })
  const timeoutSeconds = http.requestTimeoutSeconds ?? 30
  server.server.requestTimeout = timeoutSeconds * 1000 // Node's own cut-off, checked every 30 s; jsonBody's is exact
  server.server.headersTimeout = Math.min(timeoutSeconds, 20) * 1000
  const https = http.publicUrl?.startsWith('https:') ?? false
  server.pre((req, res, next) => {
    res.header('x-content-type-options', 'nosniff') // JSON and error responses too: never sniffed into HTML
    if (https || (req.socket as { encrypted?: boolean }).encrypted) res.header('strict-transport-security', 'max-age=31536000')
    next()
  })
  server.use(jsonBody(logger, MAX_BODY_BYTES, timeoutSeconds))

  const authenticated = new WeakMap<restify.Request, Awaited<ReturnType<HelpDeskAdapter['authenticate']>>>()
  const guard = createMessagesGuard(messages, {
    isWebsiteConversation: async (id) => Boolean(await directLine?.store.conversation(id)),
    createLimiter: limiter,
    clientAddress,
    // Kept for the turn: botbuilder would otherwise validate the same token again (JWT signature, claims).
    authenticate: async (req, activity, authHeader) => authenticated.set(req, await adapter.authenticate(activity, authHeader)),
  })
  server.post('/api/messages', async (req, res) => {
    const refuse = ({ status, code, message, retryAfterSeconds }: Refusal) => {
      logger.warn({ method: req.method, url: req.url, status, code }, 'request rejected')
      if (retryAfterSeconds) res.header('retry-after', String(retryAfterSeconds))
      res.send(status, { error: { code, message } })
    }
    if (!messages.callers.allowsCaller(req.socket.remoteAddress)) {
      return refuse({ status: 403, code: 'Forbidden', message: 'Without MicrosoftAppId, /api/messages accepts only loopback and BOT_ALLOWED_ADDRESSES.' })
    }
    const parsed = IncomingActivitySchema.safeParse(req.body)
    if (!parsed.success) {
      return refuse({ status: 400, code: 'BadArgument', message: `expected a Bot Framework activity: ${z.prettifyError(parsed.error)}` })
    }
    const refusal = await guard(req, parsed.data)
    if (refusal) return refuse(refusal)
    // Replies wait until the turn's writes have committed (the lock's transaction, or the write batch), and a turn
    // that fails sends none of them (the turn error handler's apology goes out on its own).
    const outbox = new Outbox(logger)
    await adapter.holding(outbox, () =>
      adapter.process(req, res, async (context) => {
        try {
          await (lock ? lock.withLock(context.activity.conversation.id, () => bot.run(context)) : bot.run(context))
          await committed()
        } catch (err) {
          outbox.drop()
          throw err
        }
        await outbox.release()
      }),
      authenticated.get(req),
    )
    if (parsed.data.type !== 'typing') messages.shedder?.turnServed(Date.now() - req.time())
  })
  if (directLine) {
    registerDirectLine(server, directLine)
    registerHelpPage(server, { publicUrl: http.publicUrl, desk: agentConsole?.handoff, notices })
  }
  if (agentConsole) registerAgentConsole(server, { ...agentConsole, logger, secureCookies: https, limiter, clientAddress })
  // Liveness and what answers: 503 only when the database does not (Redis down still serves, per instance).
  server.get('/healthz', async (_req, res) => {
    const parts = health ? await checkWithin(health, logger) : {}
    const status = parts.database?.ok === false ? 'unavailable' : Object.values(parts).some((p) => !p.ok) ? 'degraded' : 'ok'
    res.send(status === 'unavailable' ? 503 : 200, { status, ...parts })
  })
  // Readiness for load balancers: route here only while accepting and the database answers.
  server.get('/readyz', async (_req, res) => {
    const parts = health ? await checkWithin(health, logger) : {}
    const ready = isAccepting() && parts.database?.ok !== false
    res.send(ready ? 200 : 503, { ready })
  })
  server.on('restifyError', (req, _res, err, callback) => {
    logger.warn({ method: req.method, url: req.url, status: err.statusCode, code: err.code }, 'request rejected')
    return callback()
  })
  return server
}

/** Storage health within two seconds: a database that hangs counts as down. */
async function checkWithin(health: () => Promise<StorageHealth>, logger: Logger, ms = 2000): Promise<StorageHealth> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<StorageHealth>((resolve) => {
    timer = setTimeout(() => resolve({ database: { ok: false, error: 'no answer within 2 s' } }), ms)
  })
  try {
    const parts = await Promise.race([health(), timeout])
    for (const [name, part] of Object.entries(parts)) if (!part.ok) logger.warn({ part: name, error: part.error }, 'health check failed')
    return parts
  } finally {
    clearTimeout(timer)
  }
}
