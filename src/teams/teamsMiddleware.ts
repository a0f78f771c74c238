import { ActivityTypes, CardFactory, TurnContext, type Activity, type Middleware } from 'botbuilder'

export const TEAMS_CHANNEL = 'msteams'
/** Teams shows at most this many suggested actions; the rest of a question's answers are listed in its text. */
export const MAX_TEAMS_ACTIONS = 3

const isTeams = (context: TurnContext) => context.activity.channelId === TEAMS_CHANNEL

/** True when the bot is @mentioned in the activity. */
export function mentionsBot(activity: Partial<Activity>): boolean {
  return (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === activity.recipient?.id)
}

/**
 * Teams conversations: in a channel or group chat the bot answers only when @mentioned, and the mention is removed
 * before the text is matched; every message turn starts with a typing indicator; replies are shaped for Teams.
 */
export function teamsBehaviour(): Middleware {
  return {
    async onTurn(context, next) {
      if (!isTeams(context)) return next()
      const { activity } = context
      if (activity.type === ActivityTypes.Message) {
        const shared = activity.conversation?.conversationType === 'channel' || activity.conversation?.conversationType === 'groupChat'
        if (shared && !mentionsBot(activity) && activity.value === undefined) return // not talking to us (a card's button is)
        if (mentionsBot(activity)) activity.text = TurnContext.removeRecipientMention(activity)?.trim() ?? activity.text
        await context.sendActivity({ type: ActivityTypes.Typing })
      }
      context.onSendActivities(async (_ctx, activities, send) => {
        activities.splice(0, activities.length, ...activities.map(shapeForTeams))
        return send()
      })
      await next()
    },
  }
}

/**
 * Step instructions (a message with a numbered list) become an Adaptive Card 1.5 with the text as fallback; no
 * images, so nothing is fetched from outside (GCC-High and DoD tenants block external URLs). Questions keep at most
 * three buttons and list every answer in their text.
 */
export function shapeForTeams(activity: Partial<Activity>): Partial<Activity> {
  if (activity.type !== ActivityTypes.Message) return activity
  let shaped = activity
  const actions = shaped.suggestedActions?.actions ?? []
  if (actions.length > MAX_TEAMS_ACTIONS) {
    const listed = actions.map((a, i) => `${i + 1}. ${a.title}`).join('\n')
    shaped = {
      ...shaped,
      text: `${shaped.text ?? ''}\n\n${listed}\n\nType the number or the name.`,
      suggestedActions: { ...shaped.suggestedActions!, actions: actions.slice(0, MAX_TEAMS_ACTIONS) },
    }
  }
  const text = shaped.text ?? ''
  if (!/\n1\. /.test(text) || shaped.attachments?.length || shaped.suggestedActions) return shaped // questions stay text
  return { ...shaped, text: undefined, summary: text.split('\n')[0], attachments: [CardFactory.adaptiveCard(stepCard(text))] }
}

/** An Adaptive Card for one step: its paragraphs as text blocks, the numbered lines as a list. */
export function stepCard(text: string): Record<string, unknown> {
  const body = text.split('\n\n').map((paragraph, i) => {
    const numbered = /^1\. /.test(paragraph)
    return {
      type: 'TextBlock',
      text: paragraph,
      wrap: true,
      ...(i === 0 && { weight: 'Bolder' }),
      ...(!numbered && i > 0 && { isSubtle: true }),
    }
  })
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: text,
    body,
  }
}
