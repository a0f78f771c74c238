import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder'
import type { DirectLineStore } from './store.js'

export const WEBCHAT_CHANNEL = 'webchat'
export const BOT_ACCOUNT: ChannelAccount = { id: 'cac-helpdesk', name: 'CAC Help Desk', role: 'bot' }
const SERVICE_URL = 'directline://in-process'
const ECHOED = Symbol('echoed')

/** Where activities go once stored: the live WebSocket streams of a conversation. */
export interface ActivityPublisher {
  /** `activities` as JSON texts: the store has serialised them already, so the stream does not do it again. */
  publish(conversationId: string, activities: readonly string[], watermark?: number): void
}

/**
 * The built-in Direct Line channel's adapter: the bot's replies are stored and streamed in-process, never posted
 * over HTTP to ourselves. Turns of one conversation run one at a time, in arrival order.
 */
export class DirectLineAdapter extends BotAdapter {
  private readonly queues = new Map<string, Promise<unknown>>()

  constructor(
    private readonly store: DirectLineStore,
    private readonly publisher: ActivityPublisher,
  ) {
    super()
    store.onCommitted = (conversationId, activities, watermark) => publisher.publish(conversationId, activities, watermark)
  }

  /** Runs one turn for a user's activity; resolves with the id its echo got. */
  receive(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<string> {
    const conversationId = activity.conversation!.id
    const run = async () => {
      const context = new TurnContext(this, { channelId: WEBCHAT_CHANNEL, serviceUrl: SERVICE_URL, recipient: BOT_ACCOUNT, ...activity })
      await this.runMiddleware(context, logic)
      const id = this.echo(context) // a turn that sent nothing still shows the user their own message
      await this.store.committed() // answer the POST only once the turn is on disk
      return id
    }
    const previous = this.queues.get(conversationId) ?? Promise.resolve()
    const turn = previous.then(run, run)
    const settled = turn.catch(() => undefined)
    this.queues.set(conversationId, settled)
    void settled.then(() => {
      if (this.queues.get(conversationId) === settled) this.queues.delete(conversationId)
    })
    return turn
  }

  /** Stores and streams the user's own activity once per turn, before any reply, after redaction. */
  private echo(context: TurnContext): string {
    const done = context.turnState.get(ECHOED) as string | undefined
    if (done) return done
    if (context.activity.type === ActivityTypes.Typing) return '' // live only, never stored (Direct Line keeps no typing)
    const { activity } = this.store.append(context.activity.conversation.id, context.activity)
    context.turnState.set(ECHOED, activity.id)
    context.activity.id = activity.id // so replies carry replyToId, as on Azure's Direct Line
    return activity.id!
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    this.echo(context)
    const conversationId = context.activity.conversation.id
    const responses: ResourceResponse[] = []
    for (const outgoing of activities) {
      if (outgoing.type === ActivityTypes.Trace) {
        responses.push({ id: '' })
        continue
      }
      const activity: Partial<Activity> = {
        ...outgoing,
        channelId: WEBCHAT_CHANNEL,
        conversation: context.activity.conversation,
        from: BOT_ACCOUNT,
        recipient: context.activity.from,
        replyToId: context.activity.id,
        timestamp: new Date(),
      }
      if (activity.type === ActivityTypes.Typing) {
        this.publisher.publish(conversationId, [JSON.stringify({ ...activity, id: `${conversationId}|typing` })]) // live only, per the spec
        responses.push({ id: '' })
        continue
      }
      const stored = this.store.append(conversationId, activity) // streamed once committed
      responses.push({ id: stored.activity.id! })
    }
    return responses
  }

  async updateActivity(): Promise<void> {
    throw new Error('the website channel does not update sent messages')
  }

  async deleteActivity(): Promise<void> {
    throw new Error('the website channel does not delete sent messages')
  }

  /** Proactive messages (e.g. from a help-desk agent), in the conversation's turn order. */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true)
    const context = new TurnContext(this, activity)
    context.turnState.set(ECHOED, 'none') // nothing of the user's to echo
    await this.runMiddleware(context, logic)
  }
}
