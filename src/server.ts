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

/** The HTTP edge: Bot Framework messages, the website channel and its page, and a health check. */
export function createServer({ adapter, bot, logger, directLine, agentConsole }: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'cac-helpdesk', handleUncaughtExceptions: false })
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }))

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
