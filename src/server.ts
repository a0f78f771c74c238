import restify from 'restify'
import { z } from 'zod'
import type { CloudAdapter } from 'botbuilder'
import type { HelpDeskBot } from './bot.js'
import type { Logger } from './core/logger.js'
import { registerDirectLine, type DirectLineDeps } from './directline/routes.js'
import { registerHelpPage } from './web/page.js'
import { registerAgentConsole } from './agent/routes.js'
import type { AgentAuth } from './agent/auth.js'
import type { HandoffService } from './handoff/service.js'

export interface ServerDeps {
  adapter: CloudAdapter
  bot: HelpDeskBot
  logger: Logger
  /** The website channel; without it only /api/messages and /healthz are served. */
  directLine?: DirectLineDeps
  /** The agent console at /agent. */
  agentConsole?: { auth: AgentAuth; handoff: HandoffService }
}

/** The fields every activity must have before the bot looks at it; the rest is the channel's business. */
const IncomingActivitySchema = z
  .object({
    type: z.string().min(1).max(50),
    channelId: z.string().min(1).max(100),
    serviceUrl: z.string().min(1).max(2000),
    conversation: z.object({ id: z.string().min(1).max(1000) }).loose(),
    from: z.object({ id: z.string().min(1).max(1000) }).loose(),
    text: z.string().max(20_000).optional(),
  })
  .loose()

const MAX_BODY_BYTES = 256 * 1024
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i

/**
 * Reads a JSON request body into `req.body`, refusing what is not JSON (415), too large (413) or malformed (400).
 * Every client of ours posts JSON: Bot Framework channels, Web Chat's Direct Line and the agent console. (restify's
 * bodyParser calls the deprecated `new Buffer()` on every request, which costs a stack trace each time.)
 */
export function jsonBody(logger: Logger, maxBytes = MAX_BODY_BYTES): restify.RequestHandler {
  return (req, res, next) => {
    const refuse = (status: number, code: string, message: string) => {
      logger.warn({ method: req.method, url: req.url, status, code }, 'request rejected')
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
      if (done) return
      done = true
      try {
        req.body = JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown
      } catch {
        return refuse(400, 'BadArgument', 'The body is not valid JSON.')
      }
      next()
    })
  }
}

/** The HTTP edge: Bot Framework messages, the website channel and its page, and a health check. */
export function createServer({ adapter, bot, logger, directLine, agentConsole }: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'cac-helpdesk', handleUncaughtExceptions: false })
  server.use(jsonBody(logger))

  server.post('/api/messages', async (req, res) => {
    const parsed = IncomingActivitySchema.safeParse(req.body)
    if (!parsed.success) {
      res.send(400, { error: `expected a Bot Framework activity: ${z.prettifyError(parsed.error)}` })
      return
    }
    await adapter.process(req, res, (context) => bot.run(context))
  })
  if (directLine) {
    registerDirectLine(server, directLine)
    registerHelpPage(server)
  }
  if (agentConsole) registerAgentConsole(server, { ...agentConsole, logger })
  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' })
  })
  server.on('restifyError', (req, _res, err, callback) => {
    logger.warn({ method: req.method, url: req.url, status: err.statusCode, code: err.code }, 'request rejected')
    return callback()
  })
  return server
}
