import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import {
  ActivityTypes,
  CallerIdConstants,
  CloudAdapter,
  type Activity,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationState,
  type InvokeResponse,
  type Middleware,
  type ResourceResponse,
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

/**
 * Replies a turn sends to a channel's connector, held until the turn's writes have committed: a turn that fails and
 * rolls back must not have told the user anything it did not keep. Proactive messages sent from inside the turn (the
 * handoff relay to the other side) are held with it, in order. Typing indicators go at once while nothing is held.
 */
export class Outbox {
  private readonly queue: (() => Promise<ResourceResponse[]>)[] = []
  private holding = true

  constructor(private readonly logger: Logger) {}

  /** Takes the activities to send later; false when they must go now. */
  hold(activities: Partial<Activity>[], send: () => Promise<ResourceResponse[]>): ResourceResponse[] | undefined {
    if (!this.holding) return undefined
    // Not sent over the wire: botbuilder keeps an invoke's response for the HTTP answer.
    if (activities.some((a) => a.type === ActivityTypes.InvokeResponse)) return undefined
    if (this.queue.length === 0 && activities.every((a) => a.type === ActivityTypes.Typing)) return undefined
    this.queue.push(send)
    return activities.map(() => ({ id: `held-${randomUUID()}` }))
  }

  /** The turn committed: sends what was held, in order; the first failure stops the rest (and is thrown). */
  async release(): Promise<void> {
    this.holding = false
    while (this.queue.length > 0) {
      const send = this.queue.shift()!
      try {
        await send()
      } catch (err) {
        this.drop('a reply could not be delivered')
        throw err
      }
    }
  }

  /** The turn failed and rolled back: nothing it sent goes out (what is sent from now on, e.g. the apology, does). */
  drop(reason = 'turn failed: its replies are not sent'): void {
    this.holding = false
    if (this.queue.length > 0) this.logger.warn({ dropped: this.queue.length }, reason)
    this.queue.length = 0
  }
}

/**
 * botbuilder's CloudAdapter, with the token check callable on its own (rate limits count only authenticated callers)
 * and with every send of a turn run under `holding` going through its Outbox.
 */
export class HelpDeskAdapter extends CloudAdapter {
  private readonly turns = new AsyncLocalStorage<{ outbox: Outbox; authenticated?: AuthenticateRequestResult }>()

  /** Validates the request's Bot Framework token (no app id: anonymous, always valid); throws when it is not. */
  authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.botFrameworkAuthentication.authenticateRequest(activity, authHeader)
  }

  /**
   * Runs `work` (a turn) with its sends held in `outbox`, proactive ones included; with `authenticated`, the request's
   * token already checked by `authenticate`, so botbuilder does not validate it a second time.
   */
  holding<T>(outbox: Outbox, work: () => Promise<T>, authenticated?: AuthenticateRequestResult): Promise<T> {
    return this.turns.run({ outbox, authenticated }, work)
  }

  protected override processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    const authenticated = typeof auth === 'string' ? this.turns.getStore()?.authenticated : undefined
    return super.processActivity((authenticated ?? auth) as AuthenticateRequestResult, activity, logic)
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const send = () => super.sendActivities(context, activities)
    return this.turns.getStore()?.outbox.hold(activities, send) ?? send()
  }
}

/** The Bot Framework adapter: anonymous without an app id (Emulator, local), JWT-checked with one. */
export function createAdapter(
  config: Config,
  logger: Logger,
  { middlewares, conversationState }: { middlewares: readonly Middleware[]; conversationState: ConversationState },
  callers: CallerPolicy = callerPolicyOf(config),
): HelpDeskAdapter {
  const { MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId, ChannelService, ToBotFromChannelOpenIdMetadataUrl } = config
  const auth = new TimedAuthentication({
    MicrosoftAppId,
    MicrosoftAppPassword,
    MicrosoftAppType: MicrosoftAppType || undefined,
    MicrosoftAppTenantId,
    ...(ChannelService && { ChannelService }),
    ...(ToBotFromChannelOpenIdMetadataUrl && cloudEndpoints(ChannelService, ToBotFromChannelOpenIdMetadataUrl)),
  } as ConfigurationBotFrameworkAuthenticationOptions, config.BOT_OUTGOING_TIMEOUT_SECONDS)
  const adapter = new HelpDeskAdapter(auth)
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
