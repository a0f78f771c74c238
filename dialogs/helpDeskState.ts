import type { ConversationState, StatePropertyAccessor, TurnContext } from 'botbuilder'
import type { TrailEntry } from '../src/core/handoff.js'
import type { Language } from '../src/core/language.js'
import type { Slot } from '../src/core/procedures.js'
import type { Facts } from '../src/core/understanding.js'

/**
 * What the bot knows of the user's situation (browser, OS, branch, PIN known, card registered, card model) and
 * what they already tried: lets a procedure skip a question it already has the answer to. `hinted` lists facts that
 * came only from the device showing the help page, which may not be the computer with the CAC reader.
 */
export type Profile = Facts & { hinted?: Slot[]; tried?: string[] }

/** Where the conversation is, for "say that again", "back", side questions and push-back. */
export interface Memory {
  /** The step last shown, as it was shown ("Step 2 of 3: ..."). */
  lastStep?: string
  /** Turns read so far, and the turn empathy was last said in (said again only after a few calm turns). */
  turns?: number
  /** The user was told once that the page's steps are written for Windows (they said they're on a Mac). */
  macNoted?: boolean
  empathyAt?: number
  /** The policy last given (an intent id), so "can't you just reset it?" gets the rule again. */
  lastPolicy?: string
  /** A procedure left for another problem, to come back to (`notStarted`: named with the first problem, not begun). */
  /** `shown`/`total`: its step count when left, so it resumes as "Step 2 of 3", not from "Step 1" or "of 2". */
  paused?: { procedureId: string; stepId?: string; title: string; notStarted?: boolean; shown?: number; total?: number }
  /** The last procedure that ended, for "it still doesn't work" after it. */
  lastProcedure?: string
  /** Answers the question had no option for (Safari to "which browser?"): the second time, where to turn is said. */
  noOption?: number
  /** Which of PIN or password the user's words last named, for "how do i reset it" in a later message. */
  lastNamed?: 'pin' | 'password'
  /** The procedure whose end opened a handoff, so a correction while waiting ("go back, it IS registered") runs it again. */
  handedOverFrom?: string
  /** ...and its last step as shown, for "what do I tell them?" while waiting. */
  handedOverStep?: string
  /** The last procedure ended by sending the user elsewhere (branch of service, local IT), for "they don't know either". */
  referred?: boolean
  /** ...and the outcome it ended with, whose other route (`otherwise`) answers "where else can I get it?". */
  referredOutcome?: string
  /** Unclear messages in a row with nothing pending. */
  unclear?: number
  /** The bot's last words offered a person (help text, out-of-scope buttons), so "yes please" next accepts. */
  offeredPerson?: boolean
  /** "ok did that" at a question inside a part: the bot asked whether it helped, so "no" next goes on past that part. */
  askedIfDone?: boolean
  /** Turns in a row that left the question waiting without an answer ("ok", "one sec", "just give me the fix"). */
  stalled?: number
  /** The step ("procedure/step") whose help was last given, so asking again offers a person instead of the same words. */
  helpedWith?: string
}

/** The case being worked on in this conversation, for the agent if it is handed over. Redacted text only. */
export interface HelpDeskCase {
  question?: string
  intentId?: string
  errorMessages: string[]
  trail: TrailEntry[]
}

/** Where the rating of the help stands: kept apart from Memory, which a handoff or "start over" clears. */
export interface RatingState {
  /** ISO time the bot's routing last read a message: a rating asked before it was ignored. */
  since?: string
  /** The id of a rating request a message passed over (not a rating): never answered later. */
  passed?: string
  /** The rating just given, whose optional comment the next message may be. */
  commentFor?: string
  /** ...and the case it rates, if an agent's. */
  commentCase?: string
  /** The bot already asked once in this conversation (it does not ask after every problem). */
  askedAfterBot?: boolean
}

/** Per-conversation state the dialogs read and write, persisted with the dialog stack. */
export interface HelpDeskState {
  profile: StatePropertyAccessor<Profile>
  helpDeskCase: StatePropertyAccessor<HelpDeskCase>
  welcomed: StatePropertyAccessor<boolean>
  memory: StatePropertyAccessor<Memory>
  /** The last language a message was clearly written in, for messages too short to tell ("ok", "cac"). */
  language?: StatePropertyAccessor<Language>
  rating?: StatePropertyAccessor<RatingState>
}

export function createHelpDeskState(conversationState: ConversationState): HelpDeskState {
  return {
    profile: conversationState.createProperty<Profile>('profile'),
    helpDeskCase: conversationState.createProperty<HelpDeskCase>('case'),
    welcomed: conversationState.createProperty<boolean>('welcomed'),
    memory: conversationState.createProperty<Memory>('memory'),
    language: conversationState.createProperty<Language>('language'),
    rating: conversationState.createProperty<RatingState>('rating'),
  }
}

export const newCase = (): HelpDeskCase => ({ errorMessages: [], trail: [] })

const WELCOMED_NOW = Symbol('welcomedNow')

/** Marks that this turn already welcomed the user, so a "hi" in the same turn is not answered twice. */
export function markWelcomedThisTurn(context: TurnContext): void {
  context.turnState.set(WELCOMED_NOW, true)
}

export function wasWelcomedThisTurn(context: TurnContext): boolean {
  return context.turnState.get(WELCOMED_NOW) === true
}
