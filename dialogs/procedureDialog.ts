import {
  ComponentDialog,
  WaterfallDialog,
  type DialogTurnResult,
  type WaterfallStepContext,
} from 'botbuilder-dialogs'
import type { TurnContext } from 'botbuilder'
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
import { clean, extractFacts, readCheck, type PendingQuestion } from '../src/core/understanding.js'
import type { HelpDeskState } from './helpDeskState.js'
import { AnswerPrompt, answerOf, questionPrompt, replanOf, skipOf, undoOf } from './prompts.js'
import { noteProcedure } from './turnReport.js'
import type { AnalyticsRecorder, ProcedureEnd } from '../src/core/analytics.js'
import { turnLogger } from './turnLogger.js'
import { messages } from './messages.js'

export const PROCEDURE_DIALOG = 'procedure'
export const LOOP = 'procedure.loop'
const ANSWER = 'procedure.answer'

export interface ProcedureOptions {
  procedureId: string
  stepId?: string
  /** The procedure's version when it started: an edit under a live conversation restarts it from the top. */
  version?: number
  /** Steps shown so far, for "Step 2 of 4". */
  shown?: number
  /** The total first announced ("of 4"): a shorter branch never makes the count go down. */
  total?: number
  /** The number of the step on screen now (1-based), for "what step am I on" and the conversation tests. */
  at?: number
  /** Run as a step of another procedure: its steps read as parts of that step ("Step 1 of 2 (part 2 of 3)"). */
  nested?: boolean
  parent?: { at: number; total: number; last?: boolean }
  trail?: TrailEntry[]
}

export type ProcedureOutcome =
  | { outcome: 'resolved'; procedureId: string; atStep: string; trail: TrailEntry[] }
  | { outcome: Exclude<OutcomeKind, 'resolved'>; procedureId: string; outcomeId: string; trail: TrailEntry[] }
  | { outcome: 'exhausted' | 'unclear'; procedureId: string; trail: TrailEntry[] }
  /** A sub-procedure asked to go back past its first question: the step that ran it goes back instead. */
  | { outcome: 'undo'; procedureId: string; trail: TrailEntry[] }
  /** A fact a step before this sub-procedure branched on was corrected: the step that runs it re-plans instead. */
  | { outcome: 'replan'; procedureId: string; slot: string; trail: TrailEntry[] }

const BROWSER_NAMES: Readonly<Record<string, string>> = { ie: 'Internet Explorer', edge: 'Edge', chrome: 'Chrome', firefox: 'Firefox', safari: 'Safari' }
/** A browser fact's value as people name it ("edge" → "Edge"); an unknown value as it is. */
export const browserName = (value: string): string => BROWSER_NAMES[value] ?? value

/** Renders a step or an outcome: the instruction, its numbered sub-steps, then any note. */
export function renderContent(
  { say, list, note, source }: { say: string; list?: string[]; note?: string; source?: { notFromPage?: string } | { seed: string } },
  prefix = '',
): string {
  const parts = [prefix + say]
  if (list) parts.push(list.map((line, i) => `${i + 1}. ${line}`).join('\n'))
  if (note) parts.push(note)
  // Steps the page only points to are general procedure, and the user is told so (content fidelity).
  if (list && source && 'notFromPage' in source && source.notFromPage) parts.push(messages.generalSteps)
  return parts.join('\n\n')
}

/**
 * The question a step asks, as the understanding reads it. An instruction with sub-steps (a menu path) that leads
 * on to another step waits for the user to do it: one instruction at a time, not two screens at once.
 */
export function pendingOf(current: Step, procedure?: Procedure, index = 0): PendingQuestion | undefined {
  if (current.check) return { kind: 'check', question: current.check, worked: current.answers?.worked, failed: current.answers?.failed }
  if (current.ask) return { kind: 'ask', question: current.ask.question, slot: current.ask.slot, options: current.ask.options, ...(current.ask.unsure && { unsure: current.ask.unsure }) }
  const next = procedure && !current.run ? (current.next ?? defaultNext(procedure, index)) : undefined
  if (current.list && next && 'step' in next) return { kind: 'done', question: messages.tellMeWhenDone }
  return undefined
}

/** The page's steps are written for Windows: said once to someone on a Mac. Whether it was said now. */
export async function noteMacOnce(state: Pick<HelpDeskState, 'memory'>, context: TurnContext): Promise<boolean> {
  const memory = await state.memory.get(context, {})
  if (memory.macNoted) return false
  await context.sendActivity(messages.macNote)
  await state.memory.set(context, { ...memory, macNoted: true })
  return true
}

const doneWhens = new Map<string, RegExp>()
/** Whether a message says a step was done before (its `doneWhen` patterns, each built once). */
function doneAlready(patterns: readonly string[], text: string): boolean {
  const said = clean(text)
  return patterns.some((p) => (doneWhens.get(p) ?? doneWhens.set(p, new RegExp(p)).get(p)!).test(said))
}

/** Runs any procedure from knowledge/: one step per turn, loop by replaceDialog, sub-procedures nested. */
export class ProcedureDialog extends ComponentDialog {
  constructor(
    private readonly procedures: ReadonlyMap<string, Procedure>,
    private readonly state: Pick<HelpDeskState, 'profile' | 'memory'>,
    private readonly maxReprompts = 2,
    // Whether an agent can take a chat here (the handoff queue's own flag, read when an outcome is said).
    private readonly desk: { readonly staffed: boolean },
    // Where the procedure's events go (started, steps shown and answered, outcome); none in tests that don't look.
    private readonly analytics?: AnalyticsRecorder,
  ) {
    super(PROCEDURE_DIALOG)
    this.addDialog(new AnswerPrompt(ANSWER))
    this.addDialog(
      new WaterfallDialog<ProcedureOptions>(LOOP, [this.showStep.bind(this), this.afterRunStep.bind(this), this.checkStep.bind(this)]),
    )
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
    noteProcedure(step.context, procedure.id)
    // A sub-procedure is a step of its parent: the parent's funnel and outcome tell its story.
    if (step.options.shown === undefined && index === 0 && !step.options.nested) this.analytics?.record(step.context, { kind: 'procedure.started', procedureId: procedure.id })
    const profile = await this.state.profile.get(step.context, {})

    // Asked already, in other words: the fact picks the option (Dialogflow CX's pre-filled form parameter).
    const known = current.ask?.slot ? this.knownOption(profile, current) : undefined
    if (current.ask && known !== undefined) {
      const option = current.ask.options[known]!
      const slot = current.ask.slot!
      const hinted = profile.hinted?.includes(slot)
      const name = option.values[0] ? browserName(option.values[0]) : option.label
      const text =
        slot === 'browser'
          ? hinted
            ? messages.hintedBrowser(name)
            : messages.knownBrowser(name)
          : (option.known ?? `${option.label}.`)
      await step.context.sendActivity(text)
      // Counted as a step (answered from what we know), so the numbers match the procedure's own.
      const skipped = this.record(options, current, option.label + (hinted ? ' (from the page, unconfirmed)' : ' (already known)'))
      return this.goTo(step, procedure, option.next, skipped)
    }
    // A step a known fact rules out (an Internet Explorer-only box for an Edge user) is skipped, and counted.
    const skip = current.skipIf && profile[current.skipIf.slot] && current.skipIf.values.includes(profile[current.skipIf.slot]!)
    if (current.skipIf && skip) {
      await step.context.sendActivity(current.skipIf.say)
      return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), this.record(options, current, 'does not apply'))
    }
    // A step the message that reached it says was done already ("Client Authentication is already checked"): next.
    if (current.doneWhen && !current.ask && doneAlready(current.doneWhen, step.context.activity.text ?? '')) {
      await step.context.sendActivity(messages.stepDoneAlready)
      return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), this.record(options, current, 'done before (user said so)'))
    }
    // A sub-procedure the user says they already went through ("I already cleared my cache") is skipped.
    if (current.run && profile.tried?.includes(current.run) && index + 1 < procedure.steps.length) {
      await step.context.sendActivity(messages.alreadyTried(this.procedures.get(current.run)!.title))
      const skipped = this.record(options, current, 'already tried (user said so)')
      return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), skipped)
    }
    // The last step, said done in this very message along with the one before and still failing ("did the client
    // authentication box and cleared the temp files, still crashes"): the page's steps are used up.
    // (profile.tried first: it already holds this message's steps tried, so the message is read again only then.)
    if (current.run && profile.tried?.includes(current.run) && index + 1 === procedure.steps.length && !options.nested && extractFacts(step.context.activity.text ?? '').tried.includes(current.run) && readCheck(clean(step.context.activity.text ?? ''))?.kind === 'failed') {
      await step.context.sendActivity(messages.alreadyTried(this.procedures.get(current.run)!.title))
      return this.finish(step, procedure, EXHAUSTED, this.record(options, current, 'already tried (user said so)'))
    }

    // The procedure's own step, already done before the user came ("I already reset my password, still can't get in"):
    // not asked whether it worked, but on to what the page says comes when it doesn't.
    if (current.check && profile.tried?.includes(procedure.id) && index === 0 && !options.nested && options.shown === undefined) {
      await step.context.sendActivity(messages.alreadyTried(procedure.title))
      return this.goTo(step, procedure, current.onNo ?? defaultNext(procedure, index), this.record(options, current, 'already tried (user said so)'))
    }
    const shown = options.shown ?? 0
    const total = Math.max(options.total ?? 0, shown + stepsRemaining(procedure, index))
    options.total = total
    options.at = shown + 1
    step.options.total = total
    step.options.at = shown + 1
    step.options.stepId = current.id
    // The last step of a branch shorter than the count first announced: "Last step", never "Step 2 of 2" after "of 3".
    const last = shown + 1 < total && stepsRemaining(procedure, index) === 1
    // Said to be on a Mac (not merely reading the page on one): the page's steps are for Windows, and it says so once.
    if (current.list && profile.os === 'macos' && !profile.hinted?.includes('os')) await noteMacOnce(this.state, step.context)
    const text = renderContent(current, this.prefix(options, procedure, last))
    noteProcedure(step.context, procedure.id, shown + 1)
    if (!options.nested) this.analytics?.record(step.context, { kind: 'step.shown', procedureId: procedure.id, stepId: current.id, step: shown + 1 })
    await step.context.sendActivity(text)
    const memory = await this.state.memory.get(step.context, {})
    await this.state.memory.set(step.context, { ...memory, lastStep: text, helpedWith: undefined })
    if (current.run) {
      const parent = options.nested && options.parent ? options.parent : { at: shown + 1, total, last }
      return step.beginDialog(LOOP, { procedureId: current.run, trail: [], nested: true, parent } satisfies ProcedureOptions)
    }
    const pending = pendingOf(current, procedure, index)
    if (pending) return step.prompt(ANSWER, questionPrompt(pending, this.maxReprompts))
    return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), this.record(options, current))
  }

  /** "Step 2 of 3: ", or inside a sub-procedure "Step 1 of 2 (part 2 of 3): ". One step alone has no counter. */
  private prefix(options: ProcedureOptions, procedure: Procedure, last = false): string {
    const { at = 1, total = 1 } = options
    if (options.nested && options.parent) {
      const { parent } = options
      const own = parent.last ? 'Last step' : parent.total > 1 ? `Step ${parent.at} of ${parent.total}` : ''
      const part = total > 1 ? `part ${at} of ${total}` : ''
      if (own && part) return `${own} (${part}): `
      if (part) return `${procedure.title}, ${part}: `
      return '' // one part: it reads as the step that runs it, already numbered
    }
    if (options.nested) return total > 1 ? `${procedure.title}, step ${at} of ${total}: ` : ''
    if (last && !options.nested) return 'Last step: '
    return total > 1 ? `Step ${at} of ${total}: ` : ''
  }

  /** After a sub-procedure: go on, end with its outcome, or (a step that runs then checks) ask the step's check. */
  private async afterRunStep(step: WaterfallStepContext<ProcedureOptions>): Promise<DialogTurnResult> {
    const { procedure, index, changed } = this.current(step.options)
    if (changed) return this.restart(step, procedure)
    const current = procedure.steps[index]!
    if (!current.run) return step.next(step.result)
    const child = step.result as ProcedureOutcome
    if (child.outcome === 'undo') return this.undo(step, procedure)
    if (child.outcome === 'replan') return this.replan(step, procedure, child.slot)
    const trail = [...(step.options.trail ?? []), ...child.trail]
    step.options.trail = trail
    if (current.check && (child.outcome === 'answered' || child.outcome === EXHAUSTED)) {
      return step.prompt(ANSWER, questionPrompt(pendingOf(current)!, this.maxReprompts))
    }
    // Information given (e.g. the registration requirements) goes on where the step says; other outcomes end here.
    const goesOn = child.outcome === EXHAUSTED || (child.outcome === 'answered' && current.next !== undefined)
    if (!goesOn) {
      this.recordOutcome(step.context, step.options, procedure.id, child.outcome, 'outcomeId' in child ? child.outcomeId : child.outcome)
      return step.endDialog({ ...child, trail } satisfies ProcedureOutcome)
    }
    return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), { ...step.options, trail })
  }

  private async checkStep(step: WaterfallStepContext<ProcedureOptions>): Promise<DialogTurnResult> {
    const { procedure, index, changed } = this.current(step.options)
    if (changed) return this.restart(step, procedure)
    const current = procedure.steps[index]!

    const slot = replanOf(step.context)
    if (slot) return this.replan(step, procedure, slot)
    if (undoOf(step.context)) return this.undo(step, procedure)
    if (skipOf(step.context) === procedure.id) {
      await step.context.sendActivity(messages.alreadyTried(procedure.title))
      const tried = this.record(step.options, current, 'already tried (user said so)')
      // A step whose "no" leads to the page's outcome ("if you can't reset your password, contact the help desk"): that.
      if (current.check && current.onNo && 'outcome' in current.onNo) return this.goTo(step, procedure, current.onNo, tried)
      return this.finish(step, procedure, EXHAUSTED, tried)
    }
    const answer = answerOf(step.context, pendingOf(current, procedure, index)!)
    const answered = step.options.nested ? undefined : answer?.kind === 'done-unverified' ? 'done' : answer?.kind === 'unsure' ? undefined : answer?.kind
    if (answered) this.analytics?.record(step.context, { kind: 'step.answered', procedureId: procedure.id, stepId: current.id, answer: answered })
    if (!current.check && !current.ask && answer) {
      // A waiting instruction: "done" (or "still the same") goes on; "it works now" ends it solved.
      if (answer.kind === 'worked') return this.finish(step, procedure, RESOLVED, this.record(step.options, current, 'worked'))
      return this.goTo(step, procedure, current.next ?? defaultNext(procedure, index), this.record(step.options, current, 'done'))
    }
    if (current.check && (answer?.kind === 'worked' || answer?.kind === 'failed')) {
      if (answer.kind === 'worked') return this.finish(step, procedure, RESOLVED, this.record(step.options, current, 'Yes'))
      const options = this.record(step.options, current, answer.alreadyTried ? 'No (had already tried it)' : 'No')
      if (answer.alreadyTried) await step.context.sendActivity(messages.triedThatStep)
      return this.goTo(step, procedure, current.onNo ?? defaultNext(procedure, index), options)
    }
    if (current.ask && answer?.kind === 'option') {
      const option = current.ask.options[answer.index]!
      if (current.ask.slot && option.values[0]) {
        // The answer is a fact too: kept, so it is never asked again (and a later correction can re-run from here).
        const profile = await this.state.profile.get(step.context, {})
        const hinted = profile.hinted?.filter((h) => h !== current.ask!.slot)
        await this.state.profile.set(step.context, { ...profile, [current.ask.slot]: option.values[0], hinted })
      }
      return this.goTo(step, procedure, option.next, this.record(step.options, current, option.label))
    }
    turnLogger(step.context).info({ procedureId: procedure.id, stepId: current.id }, 'answers unclear')
    return step.endDialog({ outcome: 'unclear', procedureId: procedure.id, trail: step.options.trail ?? [] } satisfies ProcedureOutcome)
  }

  /**
   * A fact this procedure branched on was corrected ("actually I'm on Edge"): go back to the step that asked it,
   * which now picks its option from the corrected fact (Rasa's correction pattern).
   */
  private async replan(step: WaterfallStepContext<ProcedureOptions>, procedure: Procedure, slot: string): Promise<DialogTurnResult> {
    const asked = procedure.steps.find((s) => s.ask?.slot === slot)
    const here = procedure.steps[this.current(step.options).index]!
    // "wait, he never registered the new card" in the SSL-state part: the procedure that asked it goes back.
    if (!asked && step.options.nested && here.skipIf?.slot !== slot) {
      return step.endDialog({ outcome: 'replan', procedureId: procedure.id, slot, trail: [] } satisfies ProcedureOutcome)
    }
    if (!asked || here.skipIf?.slot === slot) {
      return step.replaceDialog(LOOP, { ...step.options, shown: (step.options.at ?? 1) - 1, at: undefined })
    }
    // Back to the question, with the number it had (every step shown or answered left one trail entry).
    const own = (step.options.trail ?? []).filter((t) => t.procedureId === procedure.id)
    const position = own.findIndex((t) => t.stepId === asked.id)
    const shown = position >= 0 ? position : Math.max(0, (step.options.at ?? 1) - 2)
    const trail = (step.options.trail ?? []).filter((t) => t.stepId !== asked.id)
    return step.replaceDialog(LOOP, { ...step.options, stepId: asked.id, shown, at: undefined, trail } satisfies ProcedureOptions)
  }

  /**
   * "Go back, I picked wrong": back to the last question answered in this (sub-)procedure, its answer forgotten
   * (a fact it set is cleared, so the question is really asked again), with the number it had.
   */
  private async undo(step: WaterfallStepContext<ProcedureOptions>, procedure: Procedure): Promise<DialogTurnResult> {
    const trail = step.options.trail ?? []
    const own = trail.filter((t) => t.procedureId === procedure.id)
    let position = own.length - 1
    while (position >= 0 && own[position]!.question === undefined) position--
    if (position < 0 && step.options.nested) return step.endDialog({ outcome: 'undo', procedureId: procedure.id, trail: [] } satisfies ProcedureOutcome)
    if (position < 0) {
      // Nothing answered here yet: the question on screen is the first one, so it is asked again.
      await step.context.sendActivity(messages.undoFirst)
      return step.replaceDialog(LOOP, { ...step.options, shown: (step.options.at ?? 1) - 1, at: undefined })
    }
    const entry = own[position]!
    const slot = procedure.steps.find((s) => s.id === entry.stepId)?.ask?.slot
    if (slot) {
      const profile = { ...(await this.state.profile.get(step.context, {})) }
      delete profile[slot]
      await this.state.profile.set(step.context, { ...profile, hinted: profile.hinted?.filter((h) => h !== slot) })
    }
    await step.context.sendActivity(messages.undone)
    const kept = trail.filter((t) => !own.slice(position).includes(t))
    return step.replaceDialog(LOOP, { ...step.options, stepId: entry.stepId, shown: position, at: undefined, trail: kept } satisfies ProcedureOptions)
  }

  /** The steps changed under the user: an answer to an old question can't be trusted, so start again. */
  private async restart(step: WaterfallStepContext<ProcedureOptions>, procedure: Procedure): Promise<DialogTurnResult> {
    await step.context.sendActivity(messages.procedureChanged)
    const { trail, nested, parent } = step.options
    return step.replaceDialog(LOOP, { procedureId: procedure.id, trail, nested, parent } satisfies ProcedureOptions)
  }

  private async goTo(
    step: WaterfallStepContext<ProcedureOptions>,
    procedure: Procedure,
    target: Target,
    options: ProcedureOptions,
  ): Promise<DialogTurnResult> {
    if ('step' in target) {
      return step.replaceDialog(LOOP, { ...options, stepId: target.step, shown: (options.shown ?? 0) + 1, at: undefined } satisfies ProcedureOptions)
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
    noteProcedure(step.context, procedure.id)
    let result: ProcedureOutcome
    if (outcomeId === RESOLVED) {
      result = { outcome: 'resolved', procedureId: procedure.id, atStep: options.stepId ?? '', trail }
    } else if (outcomeId === EXHAUSTED) {
      result = { outcome: 'exhausted', procedureId: procedure.id, trail }
    } else {
      const outcome = procedure.outcomes[outcomeId]!
      const text = renderContent(this.desk.staffed || !outcome.unstaffed ? outcome : { ...outcome, say: outcome.unstaffed })
      await step.context.sendActivity(text)
      // "What do I do now?" after the end gets the way forward again. An answer that points back at what it listed
      // ("if one of these is missing…") is repeated with that list, or "these" would mean nothing.
      const memory = await this.state.memory.get(step.context, {})
      const again = outcome.kind === 'answered' && memory.lastStep ? `${memory.lastStep}\n\n${text}` : text
      await this.state.memory.set(step.context, { ...memory, lastStep: again })
      result = { outcome: outcome.kind, procedureId: procedure.id, outcomeId, trail } as ProcedureOutcome
    }
    turnLogger(step.context).info({ procedureId: procedure.id, outcome: result.outcome, outcomeId }, 'procedure finished')
    this.recordOutcome(step.context, options, procedure.id, result.outcome, outcomeId)
    return step.endDialog(result)
  }

  /** The outcome event of a top-level procedure (a sub-procedure's outcome is its parent's, recorded there). */
  private recordOutcome(context: TurnContext, options: ProcedureOptions, procedureId: string, outcome: ProcedureOutcome['outcome'], outcomeId: string): void {
    if (options.nested || !this.analytics || outcome === 'undo' || outcome === 'replan' || outcome === 'unclear') return
    const end: ProcedureEnd =
      outcome === 'resolved' ? (outcomeId === RESOLVED ? 'resolved-confirmed' : 'resolved-assumed') : outcome === 'answered' ? 'resolved-assumed' : outcome
    this.analytics.record(context, { kind: 'procedure.outcome', procedureId, outcome: end, ...(end === 'referred' ? { where: outcomeId } : {}) })
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
  private knownOption(profile: Record<string, unknown>, current: Step): number | undefined {
    const value = profile[current.ask!.slot!] as string | undefined
    if (!value) return undefined
    const index = current.ask!.options.findIndex((o) => o.values.includes(value))
    return index >= 0 ? index : undefined
  }
}
