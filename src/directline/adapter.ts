import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder'
import type { ActivityLog, AppendedActivity, ConversationLock } from '../core/ports.js'
import type { TurnSlots } from '../core/turnSlots.js'

export const WEBCHAT_CHANNEL = 'webchat'
export const BOT_ACCOUNT: ChannelAccount = { id: 'cac-helpdesk', name: 'CAC Help Desk', role: 'bot' }
const SERVICE_URL = 'directline://in-process'
const ECHOED = Symbol('echoed')
const SENT = Symbol('sent')

/** Where activities go once their turn's writes are durable: the live WebSocket streams, on whichever instance. */
export interface ActivityPublisher {
  /** Activities just stored, in watermark order, as the log serialised them (the stream does not do it again). */
  publish(conversationId: string, activities: readonly AppendedActivity[]): Promise<void>
  /** A typing indicator: live only, never stored (per the spec). */
  typing(conversationId: string, json: string): Promise<void>
}

/**
 * The built-in Direct Line channel's adapter: the bot's replies are stored in the activity log and streamed, never
 * posted over HTTP to ourselves. Turns of one conversation run one at a time (the conversation lock), and what a
 * turn sent is streamed only once the turn's writes (state included) are durable. With `slots`, at most so many turns
 * run at once, all conversations together (first come first served; see createTurnSlots).
 */
export class DirectLineAdapter extends BotAdapter {
  constructor(
    private readonly log: ActivityLog,
    private readonly publisher: ActivityPublisher,
    private readonly lock: ConversationLock,
    private readonly slots?: TurnSlots,
  ) {
    super()
  }

  /** Runs one turn for a user's activity; resolves with the id its echo got. A client's retry is not run again. */
  receive(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<string> {
    // The slot is taken before the conversation's lock: a turn waiting for a slot holds no lock (with PostgreSQL, no
    // connection), and the slot covers the whole turn, its commit and its publication included.
    return this.slots ? this.slots.run(() => this.runTurn(activity, logic)) : this.runTurn(activity, logic)
  }

  private async runTurn(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<string> {
    const conversationId = activity.conversation!.id
    const turn = await this.lock.withLock(conversationId, async () => {
      const clientId = (activity.channelData as { clientActivityID?: string } | undefined)?.clientActivityID
      const seen = clientId && (await this.log.findByClientId(conversationId, clientId))
      if (seen) return { id: seen, sent: [] }
      const context = new TurnContext(this, { channelId: WEBCHAT_CHANNEL, serviceUrl: SERVICE_URL, recipient: BOT_ACCOUNT, ...activity })
      const sent: AppendedActivity[] = []
      context.turnState.set(SENT, sent)
      await this.runMiddleware(context, logic)
      const id = await this.echo(context) // a turn that sent nothing still shows the user their own message
      return { id, sent }
    })
    // Answer the POST, and stream, only once the turn is durable (the lock's transaction, or the write batch).
    await this.log.committed()
    await this.publish(conversationId, turn.sent)
    return turn.id
  }

  /** A failed publication loses no activity (it is in the log; streams catch up), so it only costs a warning. */
  private async publish(conversationId: string, sent: readonly AppendedActivity[]): Promise<void> {
    await this.publisher.publish(conversationId, sent).catch((err: unknown) => this.onPublishError(err, conversationId))
  }

  /** Where publication failures go (the channel sets its logger). */
  onPublishError: (err: unknown, conversationId: string) => void = () => {}

  /** Stores the user's own activity once per turn, before any reply, after redaction. */
  private async echo(context: TurnContext): Promise<string> {
    const done = context.turnState.get(ECHOED) as string | undefined
    if (done) return done
    if (context.activity.type === ActivityTypes.Typing) return '' // live only, never stored (Direct Line keeps no typing)
    const [stored] = await this.log.append(context.activity.conversation.id, [context.activity])
    context.turnState.set(ECHOED, stored!.id)
    ;(context.turnState.get(SENT) as AppendedActivity[] | undefined)?.push(stored!)
    context.activity.id = stored!.id // so replies carry replyToId, as on Azure's Direct Line
    return stored!.id
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    await this.echo(context)
    const conversationId = context.activity.conversation.id
    const sent = context.turnState.get(SENT) as AppendedActivity[]
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
        await this.publisher.typing(conversationId, JSON.stringify({ ...activity, id: `${conversationId}|typing` })).catch(() => {}) // live only
        responses.push({ id: '' })
        continue
      }
      const [stored] = await this.log.append(conversationId, [activity])
      sent.push(stored!)
      responses.push({ id: stored!.id })
    }
    return responses
  }

  async updateActivity(): Promise<void> {
    throw new Error('the website channel does not update sent messages')
  }

  async deleteActivity(): Promise<void> {
    throw new Error('the website channel does not delete sent messages')
  }

  /** Proactive messages (e.g. from a help-desk agent): streamed once stored. */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true)
    const context = new TurnContext(this, activity)
    const sent: AppendedActivity[] = []
    context.turnState.set(ECHOED, 'none') // nothing of the user's to echo
    context.turnState.set(SENT, sent)
    await this.runMiddleware(context, logic)
    await this.log.committed()
    await this.publish(context.activity.conversation.id, sent)
  }
}
