import { randomBytes } from 'node:crypto'
import type { TurnContext } from 'botbuilder'
import type { HelpDesk } from '../app.js'
import { createTurnErrorHandler } from '../adapter.js'
import type { Config } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import { createClientAddress, parseTrustedProxies } from '../core/clientAddress.js'
import { createTokenSigner } from '../core/tokens.js'
import { DirectLineAdapter } from './adapter.js'
import type { DirectLineDeps } from './routes.js'
import { StreamHub } from './streamHub.js'

/** The website channel: the same bot, state and middleware as /api/messages, behind our own Direct Line. */
export async function createDirectLineChannel(config: Config, logger: Logger, helpDesk: HelpDesk): Promise<DirectLineDeps> {
  const { activities, bus, lock, settings, limiter } = helpDesk.stores
  const addressOf = createClientAddress(parseTrustedProxies(config.TRUSTED_PROXIES))
  const hub = new StreamHub(activities, bus, logger)
  const adapter = new DirectLineAdapter(activities, hub, lock)
  for (const middleware of helpDesk.middlewares) adapter.use(middleware)
  adapter.onTurnError = createTurnErrorHandler(logger, helpDesk.conversationState)
  adapter.onPublishError = (err, conversationId) => logger.warn({ err, conversationId }, 'live stream publication failed')
  // Kept with the data so tokens (and so open help pages) survive a restart and work on every instance.
  const secret =
    config.DIRECTLINE_TOKEN_SECRET ?? (await settings.getOrCreate('directline.tokenSecret', () => randomBytes(32).toString('base64url')))
  return {
    adapter,
    store: activities,
    hub,
    signer: createTokenSigner(secret, { ttlSeconds: config.DIRECTLINE_TOKEN_TTL, maxAgeSeconds: config.DIRECTLINE_TOKEN_MAX_AGE }),
    logic: (context: TurnContext) => helpDesk.bot.run(context),
    logger,
    limiter,
    clientAddress: (req) => addressOf(req.socket.remoteAddress, req.header('x-forwarded-for') || undefined),
    options: {
      rateLimit: config.DIRECTLINE_RATE_LIMIT,
      generateLimit: config.DIRECTLINE_GENERATE_LIMIT,
      maxText: config.DIRECTLINE_MAX_TEXT,
      maxValueBytes: config.MAX_VALUE_BYTES,
      publicUrl: config.PUBLIC_URL,
    },
  }
}
