import { AgentAuth } from './agent/auth.js'
import { loadConfig, type Config } from './core/config.js'
import { createLogger } from './core/logger.js'
import { createAdapter } from './adapter.js'
import { createHelpDesk } from './app.js'
import { createServer } from './server.js'
import { createDirectLineChannel } from './directline/channel.js'
import { connectHandoffChannels } from './handoff/channels.js'

// The composition root: the only place that reads the environment and listens.
let config: Config
try {
  config = loadConfig()
} catch (err) {
  process.stderr.write(`Cannot start: ${(err as Error).message}\n`)
  process.exit(1)
}
const logger = createLogger({ level: config.LOG_LEVEL })
const helpDesk = createHelpDesk(config, logger)
const adapter = createAdapter(config, logger, helpDesk)
const directLine = createDirectLineChannel(config, logger, helpDesk)
connectHandoffChannels(helpDesk.handoffQueue, { cloudAdapter: adapter, directLine: directLine.adapter, appId: config.MicrosoftAppId, agentsChannel: config.TEAMS_AGENTS_CHANNEL })
helpDesk.handoffQueue.start()
const server = createServer({ adapter, bot: helpDesk.bot, logger, directLine,
    agentConsole: { auth: new AgentAuth(helpDesk.db, config.AGENT_ACCOUNTS, config.AGENT_SESSION_HOURS), handoff: helpDesk.handoffQueue } })

server.listen(config.PORT, config.HOST, () => {
  logger.info({ url: server.url, auth: config.MicrosoftAppId ? 'bot-framework-jwt' : 'none (local)' }, 'listening')
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down')
    directLine.hub.closeAll()
    directLine.store.flush()
    server.close(() => {
      helpDesk.close()
      process.exit(0)
    })
    server.server.closeIdleConnections()
    setTimeout(() => server.server.closeAllConnections(), 2000).unref() // then live streams too
  })
}
