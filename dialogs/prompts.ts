import { ActionTypes, MessageFactory, type Activity, type TurnContext } from 'botbuilder'
import { Dialog, TextPrompt, type DialogContext, type DialogTurnResult, type PromptOptions, type PromptValidatorContext } from 'botbuilder-dialogs'
import { messages } from './messages.js'
import { secretsFound } from './redaction.js'
import { readAnswer, type AnswerReading, type Facts, type PendingQuestion } from '../src/core/understanding.js'

/** What the answer prompt needs: the question as the understanding reads it, and how often to ask again. */
export interface AnswerValidations {
  pending: PendingQuestion
  maxReprompts: number
}

/** A message with one button per label (suggested actions vanish once used, so old buttons can't be re-clicked). */
/** `text` with the most common problems as buttons (the welcome, and "what do you see?"), each sending its own words. */
export function withProblemButtons(text: string): Partial<Activity> {
  return MessageFactory.suggestedActions(messages.welcomeButtons.map(({ title, value }) => ({ type: ActionTypes.ImBack, title, value })), text)
}

export function withButtons(text: string, labels: readonly string[]): Partial<Activity> {
  return MessageFactory.suggestedActions(
    labels.map((title) => ({ type: ActionTypes.ImBack, title, value: title })),
    text,
  )
}

/** The buttons of a pending question. */
export function labelsOf(pending: PendingQuestion): string[] {
  if (pending.kind === 'done') return ['Done'] // "how?" is typed: the main dialog explains the step
  return pending.kind === 'check' || pending.kind === 'yes-no' ? ['Yes', 'No'] : pending.options.map((o) => o.label)
}

/** Starts every re-ask, so a re-prompt is recognisable (the conversation corpus checks for it). */
export const REASK = 'Sorry, I didn\'t quite get that.'
export const REASK_DONE = "Just so I don't guess:"

/** The pending question in other words, for the second time it is asked. */
function otherWords(pending: PendingQuestion, reading: AnswerReading | undefined): string {
  if (pending.kind === 'check') {
    // Only "ok did that" says the step was done; after anything else, don't claim it was.
    if (reading?.kind === 'done-unverified') return `${REASK_DONE} now that you've done that step, is the problem fixed? Say "yes, it works" or "no, still not working".`
    // "kinda", "sort of": understood, just not a yes or a no; no "didn't get that" for it.
    if (reading?.kind === 'unsure') return `${REASK_DONE} ${pending.question} Say "yes, it works" or "no, still not working".`
    return `${REASK} ${pending.question} Say "yes, it works" or "no, still not working".`
  }
  if (pending.kind === 'done') return `${REASK} ${pending.question}`
  if (pending.kind === 'yes-no') return `${REASK} ${pending.question} A yes or no is enough.`
  return `${REASK} ${pending.question} Tap a button or say it in your own words.`
}

/** Prompt options for a pending question. */
export function questionPrompt(pending: PendingQuestion, maxReprompts: number): PromptOptions {
  return {
    prompt: withButtons(pending.question, labelsOf(pending)),
    validations: { pending, maxReprompts } satisfies AnswerValidations,
  }
}

const ANSWER = Symbol('answer')
const REPLAN = Symbol('replan')
const FACTS = Symbol('facts')

/** The main dialog read this turn's message as an answer (so the prompt and the step needn't read it again). */
export function setAnswer(context: TurnContext, reading: AnswerReading | undefined): void {
  context.turnState.set(ANSWER, reading)
}

/** The facts known this turn, for answers a known fact can give ("which browser?" after "I'm on Edge"). */
export function setTurnFacts(context: TurnContext, facts: Facts): void {
  context.turnState.set(FACTS, facts)
}

/** This turn's answer to `pending`: the main dialog's reading, or (run alone, in tests) a fresh reading. */
export function answerOf(context: TurnContext, pending: PendingQuestion): AnswerReading | undefined {
  if (context.turnState.has(ANSWER)) return context.turnState.get(ANSWER) as AnswerReading | undefined
  const reading = readAnswer(context.activity.text ?? '', pending, context.turnState.get(FACTS) as Facts | undefined)
  context.turnState.set(ANSWER, reading)
  return reading
}

/** A fact the pending step depended on was corrected: the step that asked it must run again. */
export function setReplan(context: TurnContext, slot: string): void {
  context.turnState.set(REPLAN, slot)
}
export function replanOf(context: TurnContext): string | undefined {
  return context.turnState.get(REPLAN) as string | undefined
}

const UNDO = Symbol('undo')
/** "Go back, I picked wrong": the procedure waiting for an answer goes back to the last question answered. */
export function setUndo(context: TurnContext): void {
  context.turnState.set(UNDO, true)
}
export function undoOf(context: TurnContext): boolean {
  return context.turnState.get(UNDO) === true
}

const SKIP = Symbol('skip')
/** The user already did this (sub-)procedure: the step waiting in it ends, and the procedure around it goes on. */
export function setSkip(context: TurnContext, procedureId: string): void {
  context.turnState.set(SKIP, procedureId)
}
export function skipOf(context: TurnContext): string | undefined {
  return context.turnState.get(SKIP) as string | undefined
}

const REPLIED = Symbol('replied')
/** Notes, per turn, whether a message (not only a typing indicator) has been sent: the main dialog registers it. */
export function watchReplies(context: TurnContext): void {
  if (context.turnState.has(REPLIED)) return
  context.turnState.set(REPLIED, false)
  context.turnState.set(SENT, [])
  context.onSendActivities(async (_ctx, activities, send) => {
    if (activities.some((a) => a.type === 'message')) context.turnState.set(REPLIED, true)
    for (const a of activities) if (a.type === 'message' && typeof a.text === 'string') (context.turnState.get(SENT) as string[]).push(a.text)
    return send()
  })
}
export const hasReplied = (context: TurnContext): boolean => context.turnState.get(REPLIED) === true
const SENT = Symbol('sent')
/** The texts of the messages sent so far this turn. */
export const sentThisTurn = (context: TurnContext): readonly string[] => (context.turnState.get(SENT) as string[] | undefined) ?? []

/** Whether an answer settles the question (an option, worked, failed), rather than "ok" or "not sure". */
export const isSettled = (reading: AnswerReading | undefined): boolean =>
  reading?.kind === 'option' || reading?.kind === 'worked' || reading?.kind === 'failed'

/**
 * A text prompt whose answers are read by the understanding (typos, sentences, negation, facts). A reading that
 * doesn't settle the question is asked once more in other words; after `maxReprompts` it gives up and the step
 * ends as unclear, so nobody loops.
 */
export class AnswerPrompt extends TextPrompt {
  constructor(id: string) {
    super(id, async (prompt: PromptValidatorContext<string>) => {
      const { maxReprompts = 2 } = prompt.options.validations as AnswerValidations
      const pending = pendingIn(prompt.options.validations)
      if (replanOf(prompt.context) || skipOf(prompt.context) || undoOf(prompt.context) || !pending) return true
      return isSettled(answerOf(prompt.context, pending)) || prompt.attemptCount > maxReprompts
    })
  }

  /**
   * botbuilder asks again only when nothing at all was sent this turn, and Teams' typing indicator counts: so the
   * question is asked again here whenever no message was (a Teams user got no reply to "hmm").
   */
  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const result = await super.continueDialog(dc)
    const active = dc.activeDialog
    if (result === Dialog.EndOfTurn && active?.id === this.id && dc.context.turnState.get(REPLIED) === false) {
      const state = active.state as { state: object; options: PromptOptions }
      await this.onPrompt(dc.context, state.state, state.options, true)
    }
    return result
  }

  protected override async onPrompt(
    context: TurnContext,
    state: object,
    options: PromptOptions,
    isRetry: boolean,
  ): Promise<void> {
    const pending = pendingIn(options.validations)
    // A message that held a secret had its warning: the question again as it was, no "didn't get that" after it.
    if (!isRetry || !pending || secretsFound(context).length > 0) return super.onPrompt(context, state, options, false)
    await context.sendActivity(withButtons(otherWords(pending, answerOf(context, pending)), labelsOf(pending)))
  }
}

/** The question the user is answering, if a prompt is waiting. */
export function pendingQuestion(state: unknown): PendingQuestion | undefined {
  const options = (state as { options?: PromptOptions } | undefined)?.options
  return pendingIn(options?.validations)
}

/**
 * The pending question a prompt was given. A prompt persisted by the previous version (a conversation that was
 * mid-step when the bot was updated) has only `choices`: read as a choice between them, Yes/No as a yes-no question.
 */
function pendingIn(validations: unknown): PendingQuestion | undefined {
  const saved = validations as Partial<AnswerValidations> & { choices?: { label: string; synonyms?: string[] }[] } | undefined
  if (saved?.pending) return saved.pending
  if (!saved?.choices) return undefined
  const labels = saved.choices.map((c) => c.label)
  if (labels.join('/') === 'Yes/No') return { kind: 'yes-no', question: '' }
  return { kind: 'choose', question: '', options: saved.choices }
}
