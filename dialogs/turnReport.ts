import type { TurnContext } from 'botbuilder'

/** How a problem ended on this turn, as the conversation tests name it. */
export type TurnOutcome = 'resolved' | 'referred' | 'handoff' | 'closed'

const REPORT = Symbol('turnReport')

/** What the dialogs decided this turn, for the conversation tests and their evaluation (not for users). */
export interface TurnReport {
  outcomes: Set<TurnOutcome>
  /** Procedures shown, answered in one message, or finished this turn, with the last step number shown. */
  procedures: Map<string, number | undefined>
}

/** Notes an outcome of this turn (a no-op without a context, for text built outside a turn). */
export function noteOutcome(context: TurnContext | undefined, outcome: TurnOutcome): void {
  if (!context) return
  reportOf(context).outcomes.add(outcome)
}

export function reportOf(context: TurnContext): TurnReport {
  let report = context.turnState.get(REPORT) as TurnReport | undefined
  if (!report) context.turnState.set(REPORT, (report = { outcomes: new Set(), procedures: new Map() }))
  return report
}

/** Notes a procedure this turn showed a step of, answered in place, or finished. */
export function noteProcedure(context: TurnContext, procedureId: string, step?: number): void {
  const { procedures } = reportOf(context)
  procedures.set(procedureId, step ?? procedures.get(procedureId))
}
