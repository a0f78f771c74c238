import type { Middleware, TurnContext } from 'botbuilder'
import { createLogger, type Logger } from '../src/core/logger.js'

const LOGGER = Symbol('turnLogger')

/** Binds a child logger to each turn's conversation and activity (fastify's per-request child, per turn). */
export function turnLogging(logger: Logger): Middleware {
  return {
    async onTurn(context, next) {
      const { activity } = context
      const child = logger.child({
        conversationId: activity.conversation?.id,
        activityId: activity.id,
        channelId: activity.channelId,
      })
      context.turnState.set(LOGGER, child)
      child.debug({ type: activity.type }, 'turn started')
      await next()
    },
  }
}

/** The turn's logger; a silent one outside a turn set up by `turnLogging` (e.g. a dialog tested alone). */
export function turnLogger(context: TurnContext): Logger {
  return (context.turnState.get(LOGGER) as Logger | undefined) ?? silent
}

const silent = createLogger({ level: 'silent' })
