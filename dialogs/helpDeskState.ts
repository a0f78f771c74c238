import type { ConversationState, StatePropertyAccessor } from 'botbuilder'
import type { TrailEntry } from '../src/core/handoff.js'
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
}

export function createHelpDeskState(conversationState: ConversationState): HelpDeskState {
  return {
    profile: conversationState.createProperty<Profile>('profile'),
    helpDeskCase: conversationState.createProperty<HelpDeskCase>('case'),
    welcomed: conversationState.createProperty<boolean>('welcomed'),
  }
}

export const newCase = (): HelpDeskCase => ({ errorMessages: [], trail: [] })
