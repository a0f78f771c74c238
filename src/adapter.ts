import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationState,
  type Middleware,
  type TurnContext,
} from 'botbuilder'
import type { Config } from './core/config.js'
import type { Logger } from './core/logger.js'

const SORRY = "Sorry, something went wrong on my side. Let's start again: tell me what's wrong with your CAC."

/** The Bot Framework adapter: anonymous without an app id (Emulator, local), JWT-checked with one. */
export function createAdapter(
  config: Config,
  logger: Logger,
  { middlewares, conversationState }: { middlewares: readonly Middleware[]; conversationState: ConversationState },
): CloudAdapter {
  const { MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId, ChannelService } = config
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId,
    MicrosoftAppPassword,
    MicrosoftAppType: MicrosoftAppType || undefined,
    MicrosoftAppTenantId,
    ...(ChannelService && { ChannelService }),
  } as ConfigurationBotFrameworkAuthenticationOptions)
  const adapter = new CloudAdapter(auth)
  for (const middleware of middlewares) adapter.use(middleware)
  adapter.onTurnError = createTurnErrorHandler(logger, conversationState)
  return adapter
}

/** Logs the error, apologises in one sentence, and clears the conversation state (a broken stack would fail again). */
export function createTurnErrorHandler(logger: Logger, conversationState: ConversationState) {
  return async (context: TurnContext, err: Error): Promise<void> => {
    logger.error({ err, conversationId: context.activity.conversation?.id }, 'unhandled turn error')
    try {
      await context.sendActivity(SORRY)
    } catch (sendErr) {
      logger.error({ err: sendErr }, 'could not apologise')
    }
    await conversationState.delete(context).catch((deleteErr: unknown) => logger.error({ err: deleteErr }, 'could not clear state'))
  }
}
