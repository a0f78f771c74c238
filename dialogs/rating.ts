import { randomUUID } from 'node:crypto'
import { ActionTypes, CardFactory, MessageFactory, type Activity, type StatePropertyAccessor, type TurnContext } from 'botbuilder'
import type { AnalyticsRecorder } from '../src/core/analytics.js'
import type { RatingRequest, Ratings } from '../src/core/ports.js'
import { readRating } from '../src/core/rating.js'
import { redactSecrets } from '../src/core/secrets.js'
import { clean, readPolarity, wordCount, type Reading } from '../src/core/understanding.js'
import type { RatingState } from './helpDeskState.js'

export const ratingText = {
  ask: 'One last thing: how helpful was this chat? Tap 1 (not helpful) to 5 (very helpful), or type it. You can also skip this and just tell me if anything else is wrong.',
  thanks: (score: number) => `Thank you for rating this chat ${score} out of 5.`,
  askComment: "If you'd like to add a comment for the help desk, type it now (never a PIN or password), or tell me if anything else is wrong.",
  thanksComment: "Thank you, I've passed your comment on to the help desk. If anything else goes wrong with your CAC, just tell me.",
  noComment: "OK. If anything else goes wrong with your CAC, just tell me.",
}

/** Teams shows at most three suggested actions (see teamsMiddleware): there the five scores are a card's buttons. */
const TEAMS = 'msteams'

/** The question with one-tap scores: suggested actions (Web Chat, Emulator), a hero card's buttons in Teams. Both send the digit as text, as typing it would. */
export function ratingPrompt(channelId: string): Partial<Activity> {
  const scores = ['1', '2', '3', '4', '5'].map((s) => ({ type: ActionTypes.ImBack, title: s, value: s }))
  if (channelId === TEAMS) return MessageFactory.attachment(CardFactory.heroCard('', ratingText.ask, undefined, scores))
  return MessageFactory.suggestedActions(scores, ratingText.ask)
}

/** Readings that are a new request, not an answer to "how helpful was this?", when the score came from words. */
const NOT_A_RATING: readonly Reading['kind'][] = ['problem', 'policy', 'person', 'clarify', 'still-broken', 'contact', 'no-admin', 'vague', 'repeat', 'resume', 'facts']

// Words of trouble: a message the comment question gets that names a problem with them is a new request.
const TROUBLE = /\b(not|no|cant|cannot|wont|doesnt|didnt|isnt|error|errors|fail\w*|broken|locked|forgot\w*|revoked|expired|403|help|how|why|what|problem|issue|another|still)\b|\?/

/**
 * Whether the message after "add a comment?" asks for something (handled as usual) rather than comments: asking for a
 * person or saying it still fails always does; a problem only with words of trouble ("the steps were clear" names
 * the clear-cache steps, and is a comment); "thanks" or "bye" alone closes as usual, "quick and kind, thanks" comments.
 */
function isRequest(text: string, reading: Reading): boolean {
  switch (reading.kind) {
    case 'person':
    case 'still-broken':
    case 'contact':
    case 'no-admin':
    case 'repeat':
    case 'resume':
      return true
    case 'problem':
    case 'policy':
    case 'clarify':
    case 'vague':
      return TROUBLE.test(clean(text))
    case 'small-talk':
    case 'close':
    case 'worked':
      return wordCount(text) <= 3
    default:
      return false
  }
}

/**
 * The rating of the help: asked after the bot solves a problem (here) or an agent closes a case (HandoffService),
 * answered on the next message or never. It never holds the conversation: a message that is not a rating is
 * handled as usual and the question is forgotten.
 */
export class RatingFlow {
  constructor(
    private readonly ratings: Ratings | undefined,
    private readonly state: StatePropertyAccessor<RatingState> | undefined,
    private readonly analytics?: AnalyticsRecorder,
    /** Told when a rating or its comment is stored (the agent console shows a case's rating as it comes). */
    private readonly onRated: (caseId: string | undefined) => void = () => {},
  ) {}

  /** After the bot solved a problem: asks once per conversation. */
  async askAfterBot(context: TurnContext, procedureId: string | undefined): Promise<void> {
    if (!this.ratings || !this.state) return
    const rating = await this.state.get(context, {})
    if (rating.askedAfterBot) return
    await this.state.set(context, { ...rating, askedAfterBot: true })
    await this.ratings.ask(newRequest(context.activity.channelId, context.activity.conversation.id, { after: 'bot', ...(procedureId && { procedureId }) }))
    await context.sendActivity(ratingPrompt(context.activity.channelId))
  }

  /**
   * A message read by the bot's routing (nothing pending): true when it was the rating, or its comment, and has been
   * answered here. Either way a rating asked before it can no longer be answered.
   */
  async take(context: TurnContext, reading: Reading): Promise<boolean> {
    if (!this.ratings || !this.state) return false
    const rating = await this.state.get(context, {})
    const since = rating.since ?? ''
    const { channelId, conversation } = context.activity
    const text = context.activity.text ?? ''
    const read = rating.commentFor ? undefined : readRating(text)
    const taken = read && !(read.fromWords && NOT_A_RATING.includes(reading.kind))
    // Looked up for a rating, or (to remember the one passed over) once the bot has asked in this conversation.
    const request = taken || rating.askedAfterBot ? await this.ratings.pending(channelId, conversation.id, since) : undefined
    // A request asked in the same millisecond as `since` still matches it: the one this message passes over is
    // remembered by id, so a later "5" is never taken as its rating.
    const open = request && request.id !== rating.passed ? request : undefined
    await this.state.set(context, { ...rating, since: new Date().toISOString(), passed: taken ? undefined : open?.id, commentFor: undefined, commentCase: undefined })
    if (rating.commentFor) return this.comment(context, rating, text, reading)
    if (!read || !taken || !open) return false
    const comment = read.comment ? redactSecrets(read.comment).text : undefined
    if (!(await this.ratings.rate(open.id, read.score, new Date().toISOString(), comment))) return false
    this.analytics?.record(context, { kind: 'rating', score: read.score, after: open.after })
    this.onRated(open.caseId)
    await context.sendActivity(`${ratingText.thanks(read.score)}${comment ? ` ${ratingText.noComment}` : ''}`)
    if (!comment) {
      await context.sendActivity(ratingText.askComment)
      await this.state.set(context, { ...(await this.state.get(context, {})), commentFor: open.id, commentCase: open.caseId })
    }
    return true
  }

  /** The message after a rating: its optional comment, unless it asks for something (then it is handled as usual). */
  private async comment(context: TurnContext, { commentFor, commentCase }: RatingState, text: string, reading: Reading): Promise<boolean> {
    if (wordCount(text) <= 3 && readPolarity(clean(text)) === 'no') {
      await context.sendActivity(ratingText.noComment)
      return true
    }
    if (isRequest(text, reading)) return false
    if (await this.ratings!.comment(commentFor!, redactSecrets(text).text)) this.onRated(commentCase)
    await context.sendActivity(ratingText.thanksComment)
    return true
  }
}

/** A rating request of now, with a new id. */
export function newRequest(channelId: string, conversationId: string, about: Pick<RatingRequest, 'after' | 'caseId' | 'procedureId'>): RatingRequest {
  return { id: randomUUID(), channelId, conversationId, askedAt: new Date().toISOString(), ...about }
}
