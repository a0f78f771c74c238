import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs'
import type { TurnContext } from 'botbuilder'
import { matchAnswer, YES_NO, type Choice } from '../src/core/answers.js'
import { HelpDeskError } from '../src/core/errors.js'
import type { TrailEntry } from '../src/core/handoff.js'
import {
  defaultNext,
  EXHAUSTED,
  RESOLVED,
  stepsRemaining,
  type OutcomeKind,
  type Procedure,
  type Step,
  type Target,
} from '../src/core/procedures.js'
import type { HelpDeskState } from './helpDeskState.js'
import { AnswerPrompt, choicePrompt } from './prompts.js'
import { turnLogger } from './turnLogger.js'
import { messages } from './messages.js'

export const PROCEDURE_DIALOG = 'procedure'
const LOOP = 'procedure.loop'
const ANSWER = 'procedure.answer'

export interface ProcedureOptions {
  procedureId: string
  stepId?: string
  /** The procedure's version when it started: an edit under a live conversation restarts it from the top. */
  version?: number
  /** Steps shown so far, for "Step 2 of 4". */
  shown?: number
  /** Run as a step of another procedure: its steps are numbered under its own title. */
  nested?: boolean
  trail?: TrailEntry[]
}

export type ProcedureOutcome =
  | { outcome: 'resolved'; procedureId: string; atStep: string; trail: TrailEntry[] }
  | { outcome: Exclude<OutcomeKind, 'resolved'>; procedureId: string; outcomeId: string; trail: TrailEntry[] }
  | { outcome: 'exhausted' | 'unclear'; procedureId: string; trail: TrailEntry[] }

const SLOT_LABELS: Record<string, string> = { ie: 'Internet Explorer', edge: 'Edge', chrome: 'Chrome', firefox: 'Firefox' }

/** Renders a step or an outcome: the instruction, its numbered sub-steps, then any note. */
export function renderContent({ say, list, note }: { say: string; list?: string[]; note?: string }, prefix = ''): string {
  const parts = [prefix + say]
  if (list) parts.push(list.map((line, i) => `${i + 1}. ${line}`).join('\n'))
  if (note) parts.push(note)
  return parts.join('\n\n')
}

/** Runs any procedure from knowledge/: one step per turn, loop by replaceDialog, sub-procedures nested. */
export class ProcedureDialog extends ComponentDialog {
  constructor(
    private readonly procedures: ReadonlyMap<string, Procedure>,
    private readonly state: Pick<HelpDeskState, 'profile'>,
    private readonly maxReprompts = 2,
  ) {
    super(PROCEDURE_DIALOG)
    this.addDialog(new AnswerPrompt(ANSWER))
    this.addDialog(new WaterfallDialog<ProcedureOptions>(LOOP, [this.showStep.bind(this), this.checkStep.bind(this)]))
    this.initialDialogId = LOOP
  }

  /** The procedure a step context is in, checked against the version it started with. */
  private current(options: ProcedureOptions): { procedure: Procedure; index: number; changed: boolean } {
    const procedure = this.procedures.get(options.procedureId)
    if (!procedure) throw new HelpDeskError('HD_PROCEDURE_UNKNOWN', `unknown procedure "${options.procedureId}"`)
    const changed = options.version !== undefined && options.version !== procedure.version
    const index = changed || !options.stepId ? 0 : procedure.steps.findIndex((s) => s.id === options.stepId)
    if (index < 0) throw new HelpDeskError('HD_PROCEDURE_UNKNOWN', `${procedure.id}: unknown step "${options.stepId}"`)
    return { procedure, index, changed }
  }

  private async showStep(step: WaterfallStepContext<ProcedureOptions>): Promise<DialogTurnResult> {
    const { procedure, index, changed } = this.current(step.options)
    if (changed) return this.restart(step, procedure)
    // Stamped into the persisted options, so a later turn can tell the procedure was edited meanwhile.
    step.options.version ??= procedure.version
    const current = procedure.steps[index]!
    const options: ProcedureOptions = { ...step.options, stepId: current.id }

    const known = current.ask?.slot ? await this.knownOption(step.context, current) : undefined
    if (current.ask && known !== undefined) {
      const option = current.ask.options[known]!
      await step.context.sendActivity(`You're using ${SLOT_LABELS[option.values[0] ?? ''] ?? option.label}, so here are the steps for it.`)
      // Not counted as a shown step: the user never saw the question.
      const skipped = { ...this.record(options, current, option.label + ' (already known)'), shown: (options.shown ?? 0) - 1 }
      return this.goTo(step, procedure, option.next, skipped)
    }

    const shown = options.shown ?? 0
    const total = shown + stepsRemaining(procedure, index)
    const counter = total > 1 ? `step ${shown + 1} of ${total}` : ''
    const prefix = !counter ? '' : options.nested ? `${procedure.title}, ${counter}: ` : `S${counter.slice(1)}: `
    await step.context.sendActivity(renderContent(current, prefix))
    if (current.run) {
      return step.beginDialog(LOOP, { procedureId: current.run, trail: [], nested: true } satisfies ProcedureOptions)
    }
    if (current.check) return step.prompt(ANSWER, choicePrompt(current.check, YES_NO, this.maxReprompts))
    if (current.ask) return step.prompt(ANSWER, choicePrompt(current.ask.question, current.ask.options, this.maxReprompts))
    return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), this.record(options, current))
  }

  private async checkStep(step: WaterfallStepContext<ProcedureOptions>): Promise<DialogTurnResult> {
    const { procedure, index, changed } = this.current(step.options)
    if (changed) return this.restart(step, procedure)
    const current = procedure.steps[index]!
    if (current.run) {
      const child = step.result as ProcedureOutcome
      const trail = [...(step.options.trail ?? []), ...child.trail]
      if (child.outcome !== EXHAUSTED) return step.endDialog({ ...child, trail } satisfies ProcedureOutcome)
      return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), { ...step.options, trail })
    }

    const choices: readonly Choice[] = current.check ? YES_NO : current.ask!.options
    const answer = matchAnswer(String(step.result ?? ''), choices)
    if (answer === undefined) {
      turnLogger(step.context).info({ procedureId: procedure.id, stepId: current.id }, 'answers unclear')
      return step.endDialog({ outcome: 'unclear', procedureId: procedure.id, trail: step.options.trail ?? [] } satisfies ProcedureOutcome)
    }
    const options = this.record(step.options, current, choices[answer]!.label)
    if (current.check) {
      if (answer === 0) return this.finish(step, procedure, RESOLVED, options)
      return this.goTo(step, procedure, current.onNo ?? defaultNext(procedure, index), options)
    }
    return this.goTo(step, procedure, current.ask!.options[answer]!.next, options)
  }

  /** The steps changed under the user: an answer to an old question can't be trusted, so start again. */
  private async restart(step: WaterfallStepContext<ProcedureOptions>, procedure: Procedure): Promise<DialogTurnResult> {
    await step.context.sendActivity(messages.procedureChanged)
    const { trail, nested } = step.options
    return step.replaceDialog(LOOP, { procedureId: procedure.id, trail, nested } satisfies ProcedureOptions)
  }

  private async goTo(
    step: WaterfallStepContext<ProcedureOptions>,
    procedure: Procedure,
    target: Target,
    options: ProcedureOptions,
  ): Promise<DialogTurnResult> {
    if ('step' in target) {
      return step.replaceDialog(LOOP, { ...options, stepId: target.step, shown: (options.shown ?? 0) + 1 } satisfies ProcedureOptions)
    }
    return this.finish(step, procedure, target.outcome, options)
  }

  private async finish(
    step: WaterfallStepContext<ProcedureOptions>,
    procedure: Procedure,
    outcomeId: string,
    options: ProcedureOptions,
  ): Promise<DialogTurnResult> {
    const trail = options.trail ?? []
    let result: ProcedureOutcome
    if (outcomeId === RESOLVED) {
      result = { outcome: 'resolved', procedureId: procedure.id, atStep: options.stepId ?? '', trail }
    } else if (outcomeId === EXHAUSTED) {
      result = { outcome: 'exhausted', procedureId: procedure.id, trail }
    } else {
      const outcome = procedure.outcomes[outcomeId]!
      await step.context.sendActivity(renderContent(outcome))
      result = { outcome: outcome.kind, procedureId: procedure.id, outcomeId, trail } as ProcedureOutcome
    }
    turnLogger(step.context).info({ procedureId: procedure.id, outcome: result.outcome, outcomeId }, 'procedure finished')
    return step.endDialog(result)
  }

  private record(options: ProcedureOptions, current: Step, answer?: string): ProcedureOptions {
    const entry: TrailEntry = {
      procedureId: options.procedureId,
      stepId: current.id,
      question: current.check ?? current.ask?.question,
      answer,
      at: new Date().toISOString(),
    }
    return { ...options, trail: [...(options.trail ?? []), entry] }
  }

  /** The option a known slot value (e.g. the user's browser) picks, if any. */
  private async knownOption(context: TurnContext, current: Step): Promise<number | undefined> {
    const profile = await this.state.profile.get(context, {})
    const value = profile[current.ask!.slot!]
    if (!value) return undefined
    const index = current.ask!.options.findIndex((o) => o.values.includes(value))
    return index >= 0 ? index : undefined
  }
}
