import type { ConversationState, StatePropertyAccessor, TurnContext } from 'botbuilder'
import type { TrailEntry } from '../src/core/handoff.js'
import type { Language } from '../src/core/language.js'
import type { Slot } from '../src/core/procedures.js'

/** What the bot knows of the user's set-up; lets a procedure skip "Which browser?" when it already knows. */
export type Profile = Partial<Record<Slot, string>>

/** The case being worked on in this conversation, for the agent if it is handed over. Redacted text only. */
export interface HelpDeskCase {
  question?: string
  intentId?: string
  errorMessages: string[]
  trail: TrailEntry[]
}

/** Per-conversation state the dialogs read and write, persisted with the dialog stack. */
export interface HelpDeskState {
  profile: StatePropertyAccessor<Profile>
  helpDeskCase: StatePropertyAccessor<HelpDeskCase>
  welcomed: StatePropertyAccessor<boolean>
  /** The last language a message was clearly written in, for messages too short to tell ("ok", "cac"). */
  language?: StatePropertyAccessor<Language>
}

export function createHelpDeskState(conversationState: ConversationState): HelpDeskState {
  return {
    profile: conversationState.createProperty<Profile>('profile'),
    helpDeskCase: conversationState.createProperty<HelpDeskCase>('case'),
    welcomed: conversationState.createProperty<boolean>('welcomed'),
    language: conversationState.createProperty<Language>('language'),
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
