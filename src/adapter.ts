import {
  CallerIdConstants,
  CloudAdapter,
  type Activity,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationState,
  type Middleware,
  type TurnContext,
} from 'botbuilder'
import {
  AuthenticationConstants,
  GovernmentConstants,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorFactory,
} from 'botframework-connector'

/** The part of @azure/core-rest-pipeline's pipeline that a connector client exposes. */
interface Pipeline {
  addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (request: { timeout: number }) => Promise<unknown>): Promise<unknown> }): void
}
import { callerPolicyOf, type CallerPolicy } from './core/callers.js'
import type { Config } from './core/config.js'
import type { Logger } from './core/logger.js'

const SORRY = "Sorry, something went wrong on my side. Let's start again: tell me what's wrong with your CAC."

/**
 * Drops any turn whose `serviceUrl` the policy does not allow, before anything could send to it: requests are
 * checked at the door, and this also covers proactive turns from stored conversation references.
 */
function serviceUrlGuard(callers: CallerPolicy, logger: Logger): Middleware {
  return {
    async onTurn(context, next) {
      const check = callers.checkServiceUrl(context.activity.serviceUrl ?? '')
      if (!check.ok) {
        logger.warn({ conversationId: context.activity.conversation?.id, reason: check.reason }, 'turn dropped: serviceUrl not allowed')
        return
      }
      await next()
    },
  }
}

/**
 * botbuilder takes its own cloud's endpoints only when none is overridden; overriding where the token keys are
 * published means naming every other endpoint too, so they are the cloud's own (public or Azure Government).
 */
function cloudEndpoints(channelService: string, openIdMetadataUrl: string) {
  const cloud = channelService ? GovernmentConstants : AuthenticationConstants
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: cloud.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: cloud.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: cloud.ToBotFromChannelTokenIssuer,
    OAuthUrl: cloud.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: cloud.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: channelService ? CallerIdConstants.USGovChannel : CallerIdConstants.PublicAzureChannel,
  }
}

/** A connector factory whose clients give up after `seconds`: a serviceUrl that never answers holds nothing. */
function timed(inner: ConnectorFactory, seconds: number): ConnectorFactory {
  return {
    async create(serviceUrl: string, audience?: string) {
      const client = await inner.create(serviceUrl, audience)
      // botbuilder replaces `requestPolicyFactories` given in its options, so the policy goes on the client's pipeline.
      ;(client as unknown as { client: { pipeline: Pipeline } }).client.pipeline.addPolicy({
        name: 'helpdesk-timeout',
        sendRequest: (request, next) => {
          request.timeout = seconds * 1000
          return next(request)
        },
      })
      return client
    },
  }
}

/** botbuilder's authentication from configuration, with a time-out on every call to a channel's connector. */
class TimedAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    options: ConfigurationBotFrameworkAuthenticationOptions,
    private readonly seconds: number,
  ) {
    super(options)
  }
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader)
    return result.connectorFactory ? { ...result, connectorFactory: timed(result.connectorFactory, this.seconds) } : result
  }
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return timed(super.createConnectorFactory(claimsIdentity), this.seconds)
  }
}

/** The Bot Framework adapter: anonymous without an app id (Emulator, local), JWT-checked with one. */
export function createAdapter(
  config: Config,
  logger: Logger,
  { middlewares, conversationState }: { middlewares: readonly Middleware[]; conversationState: ConversationState },
  callers: CallerPolicy = callerPolicyOf(config),
): CloudAdapter {
  const { MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId, ChannelService, ToBotFromChannelOpenIdMetadataUrl } = config
  const auth = new TimedAuthentication({
    MicrosoftAppId,
    MicrosoftAppPassword,
    MicrosoftAppType: MicrosoftAppType || undefined,
    MicrosoftAppTenantId,
    ...(ChannelService && { ChannelService }),
    ...(ToBotFromChannelOpenIdMetadataUrl && cloudEndpoints(ChannelService, ToBotFromChannelOpenIdMetadataUrl)),
  } as ConfigurationBotFrameworkAuthenticationOptions, config.BOT_OUTGOING_TIMEOUT_SECONDS)
  const adapter = new CloudAdapter(auth)
  adapter.use(serviceUrlGuard(callers, logger))
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
