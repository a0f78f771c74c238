import { randomBytes } from 'node:crypto'
import type restify from 'restify'
import { AgentAuth } from './agent/auth.js'
import { createAdapter } from './adapter.js'
import { createHelpDesk, type HelpDesk } from './app.js'
import type { Config } from './core/config.js'
import type { Logger } from './core/logger.js'
import { createDirectLineChannel } from './directline/channel.js'
import type { DirectLineDeps } from './directline/routes.js'
import { connectHandoffChannels } from './handoff/channels.js'
import { createServer } from './server.js'
import { createLoadShedder, type LoadShedder } from './core/loadShedder.js'
import { callerPolicyOf, type CallerPolicy } from './core/callers.js'
import type { MessagesPolicy } from './server.js'

/** The whole bot behind its HTTP server, ready to listen: what `npm start`, the tests and the bench run. */
export interface Application {
  server: restify.Server
  helpDesk: HelpDesk
  directLine: DirectLineDeps
  /** Stops accepting, closes live streams, writes what is queued, closes the database. */
  stop(): Promise<void>
}

/** What /api/messages accepts, from the settings: the website channel's limits apply to it too. */
export function messagesPolicyOf(config: Config, callers: CallerPolicy = callerPolicyOf(config), shedder?: LoadShedder): MessagesPolicy {
  return {
    shedder,
    appId: config.MicrosoftAppId,
    callers,
    maxText: config.DIRECTLINE_MAX_TEXT,
    maxValueBytes: config.MAX_VALUE_BYTES,
    rateLimit: config.DIRECTLINE_RATE_LIMIT,
    newConversationLimit: config.DIRECTLINE_GENERATE_LIMIT,
  }
}

export async function createApplication(config: Config, logger: Logger): Promise<Application> {
  const helpDesk = await createHelpDesk(config, logger)
  const callers = callerPolicyOf(config)
  const adapter = createAdapter(config, logger, helpDesk, callers)
  const shedder = createLoadShedder({
    maxTurnMs: config.SHED_TURN_LATENCY_MS,
    maxDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
    retryAfterSeconds: config.SHED_RETRY_AFTER_SECONDS,
    onChange: (shedding, measured) => logger.warn(measured, shedding ? 'load shedding started: new conversations get 503' : 'load shedding stopped'),
  })
  const directLine = { ...(await createDirectLineChannel(config, logger, helpDesk)), shedder }
  connectHandoffChannels(helpDesk.handoffQueue, {
    cloudAdapter: adapter,
    directLine: directLine.adapter,
    appId: config.MicrosoftAppId,
    agentsChannel: config.TEAMS_AGENTS_CHANNEL,
    website: { activities: helpDesk.stores.activities, maxAgeSeconds: config.DIRECTLINE_TOKEN_MAX_AGE },
  })
  if (!helpDesk.handoffQueue.staffed) {
    logger.warn(
      { setting: 'AGENT_ACCOUNTS' },
      'no agent accounts configured: users are told no agent is available through this chat (add accounts with npm run agent:hash and AGENT_ACCOUNTS)',
    )
  }
  const agentConsole = {
    auth: new AgentAuth(helpDesk.stores.sessions, config.AGENT_ACCOUNTS, config.AGENT_SESSION_HOURS),
    handoff: helpDesk.handoffQueue,
    view: helpDesk.caseView,
    analytics: helpDesk.stores.analytics,
    sessions: helpDesk.stores.sessions,
    ratings: helpDesk.stores.ratings,
    cannedReplies: helpDesk.cannedReplies,
    outage: { watch: helpDesk.outage, notices: helpDesk.notices },
    review: { suggestions: helpDesk.stores.suggestions, intentIds: helpDesk.intentIds },
    // Signs agents' device cookies; kept with the data, so a cookie from one instance is good on every one.
    signInSecret: Buffer.from(await helpDesk.stores.settings.getOrCreate('agent.signInSecret', () => randomBytes(32).toString('base64url')), 'base64url'),
  }
  let accepting = true
  const server = createServer({
    adapter,
    bot: helpDesk.bot,
    logger,
    directLine,
    agentConsole,
    notices: helpDesk.notices,
    messages: messagesPolicyOf(config, callers, shedder),
    http: { publicUrl: config.PUBLIC_URL, requestTimeoutSeconds: config.HTTP_REQUEST_TIMEOUT_SECONDS },
    lock: helpDesk.stores.lock,
    committed: () => helpDesk.stores.activities.committed(),
    limiter: helpDesk.stores.limiter,
    clientAddress: directLine.clientAddress,
    health: () => helpDesk.stores.health(),
    isAccepting: () => accepting,
  })
  return {
    server,
    helpDesk,
    directLine,
    stop: () =>
      new Promise<void>((resolve) => {
        shedder.stop()
        accepting = false
        directLine.hub.closeAll()
        server.close(() => void helpDesk.close().then(resolve, resolve))
        server.server.closeIdleConnections()
        server.server.closeAllConnections() // live streams (agent console events) would hold the server open
      }),
  }
}
