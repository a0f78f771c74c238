import { randomBytes } from 'node:crypto'
import type { TurnContext } from 'botbuilder'
import type { HelpDesk } from '../app.js'
import { createTurnErrorHandler } from '../adapter.js'
import type { Config } from '../core/config.js'
import type { Logger } from '../core/logger.js'
import { createClientAddress, parseTrustedProxies } from '../core/clientAddress.js'
import { createTokenSigner } from '../core/tokens.js'
import { createTurnSlots } from '../core/turnSlots.js'
import { DirectLineAdapter } from './adapter.js'
import type { DirectLineDeps } from './routes.js'
import { StreamHub } from './streamHub.js'

/** Counts calls; logs the count at the first call and then at most once every ten seconds. */
function everyTenSeconds(log: (count: number) => void): () => void {
  let count = 0
  let last = -Infinity
  return () => {
    count++
    if (Date.now() - last < 10_000) return
    last = Date.now()
    log(count)
    count = 0
  }
}

/** The website channel: the same bot, state and middleware as /api/messages, behind our own Direct Line. */
export async function createDirectLineChannel(config: Config, logger: Logger, helpDesk: HelpDesk): Promise<DirectLineDeps> {
  const { activities, bus, lock, settings, limiter } = helpDesk.stores
  const addressOf = createClientAddress(parseTrustedProxies(config.TRUSTED_PROXIES))
  const hub = new StreamHub(activities, bus, logger)
  const slotMs = config.DIRECTLINE_TURN_SLOT_MS
  const slots = createTurnSlots({
    max: config.DIRECTLINE_TURNS_IN_FLIGHT,
    waitMs: slotMs,
    holdMs: slotMs,
    // Under overload these come by the thousand: one line at most every ten seconds, with the count since the last.
    onWaitExpired: everyTenSeconds((turns) => logger.warn({ turns, ms: slotMs }, 'website turns waited their slot time for a slot; they ran without one')),
    onOverrun: everyTenSeconds((turns) => logger.warn({ turns, ms: slotMs }, 'website turns ran over their slot time; they carried on without their slot')),
  })
  const adapter = new DirectLineAdapter(activities, hub, lock, slots)
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
    slots,
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
