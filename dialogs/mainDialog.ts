import {
  ActionTypes,
  EventFactory,
  MessageFactory,
  TurnContext,
  type Activity,
  type StatePropertyAccessor,
} from 'botbuilder'
import {
  ComponentDialog,
  Dialog,
  DialogSet,
  DialogTurnStatus,
  WaterfallDialog,
  type DialogContext,
  type DialogInstance,
  type DialogTurnResult,
  type DialogState,
  type WaterfallStepContext,
} from 'botbuilder-dialogs'
import { matchAnswer, YES_NO, type Choice } from '../src/core/answers.js'
import { summarise, type HandoffPacket, type HandoffQueue } from '../src/core/handoff.js'
import type { Procedure } from '../src/core/procedures.js'
import type { Recognizer, RecognizerResult } from '../src/core/recognizer.js'
import { decideRoute, type Route, type RoutingThresholds } from '../src/core/routing.js'
import { NONE, type Intent } from '../intents/intent.js'
import { newCase, wasWelcomedThisTurn, type HelpDeskState } from './helpDeskState.js'
import { messages } from './messages.js'
import { PROCEDURE_DIALOG, type ProcedureDialog, type ProcedureOutcome, type ProcedureOptions } from './procedureDialog.js'
import { AnswerPrompt, choicePrompt, pendingChoices } from './prompts.js'
import { wasOnlySecret } from './redaction.js'
import { turnLogger } from './turnLogger.js'

export const MAIN_DIALOG = 'main'
/** Steps tried that a case keeps (what an agent reads; the oldest are dropped). */
export const MAX_TRAIL = 50
const ROUTE = 'main.route'
const RUN = 'main.run'
const OFFER = 'main.offer'
const HANDOFF = 'main.handoff'
const ANSWER = 'main.answer'

const RECOGNIZED = Symbol('recognized')

/** Intents answered with one line and nothing to follow up. */
const SMALL_TALK: Readonly<Record<string, string>> = {
  greeting: messages.greeting,
  thanks: messages.thanks,
  goodbye: messages.goodbye,
  help: messages.help,
  cancel: messages.nothingToCancel,
  'start-over': messages.startOver,
}

interface Suggested {
  suggested: string[]
}

export interface RunOptions {
  procedureId: string
}
export interface HandoffOptions {
  reason: HandoffPacket['reason']
}

export interface MainDialogDeps {
  recognizer: Recognizer
  intents: readonly Intent[]
  procedures: ReadonlyMap<string, Procedure>
  procedureDialog: ProcedureDialog
  state: HelpDeskState
  handoffQueue: HandoffQueue
  thresholds: RoutingThresholds
  maxReprompts?: number
}

/**
 * The state of the innermost active dialog, read from the stack: a component dialog keeps its own stack under
 * `dialogs` in its state. (DialogContext.child would build a context, and its DialogStateManager, per level.)
 */
function innermostState(stack: readonly DialogInstance[]): unknown {
  let instance = stack.at(-1)
  for (let inner = instance; inner; inner = (inner.state as { dialogs?: DialogState } | undefined)?.dialogs?.dialogStack?.at(-1)) {
    instance = inner
  }
  return instance?.state
}

const TRACE_TYPE = 'application/vnd.cac-helpdesk.recognizer+json'

/**
 * Welcome, routing, "did you mean", out of scope, and the interruptions that work at any step:
 * help, cancel, start over, talk to a human, and a new problem in the middle of a procedure.
 */
export class MainDialog extends ComponentDialog {
  private readonly procedureOf: ReadonlyMap<string, string>
  private readonly referOf: ReadonlyMap<string, string>
  private dialogSet?: { accessor: StatePropertyAccessor<DialogState>; dialogSet: DialogSet }

  constructor(private readonly deps: MainDialogDeps) {
    super(MAIN_DIALOG)
    this.procedureOf = new Map(deps.intents.filter((i) => i.procedure).map((i) => [i.id, i.procedure!]))
    this.referOf = new Map(deps.intents.filter((i) => i.refer).map((i) => [i.id, i.refer!]))
    this.addDialog(new AnswerPrompt(ANSWER))
    this.addDialog(deps.procedureDialog)
    this.addDialog(new WaterfallDialog(ROUTE, [this.routeStep.bind(this), this.chooseStep.bind(this)]))
    this.addDialog(
      new WaterfallDialog<RunOptions>(RUN, [this.runStep.bind(this), this.outcomeStep.bind(this), this.solvedStep.bind(this)]),
    )
    this.addDialog(new WaterfallDialog<HandoffOptions>(OFFER, [this.offerStep.bind(this), this.offerAnswerStep.bind(this)]))
    this.addDialog(new WaterfallDialog<HandoffOptions>(HANDOFF, [this.handoffStep.bind(this)]))
    this.initialDialogId = ROUTE
  }

  /** Runs the dialog for one turn, beginning it when nothing is active. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    if (this.dialogSet?.accessor !== accessor) {
      const dialogSet = new DialogSet(accessor)
      dialogSet.add(this)
      this.dialogSet = { accessor, dialogSet } // built once, not on every turn
    }
    const dc = await this.dialogSet.dialogSet.createContext(context)
    const result = await dc.continueDialog()
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id)
  }

  /** Recognizes the turn's message once, records what it learned, and traces it on the Emulator. */
  async recognize(context: TurnContext): Promise<RecognizerResult> {
    const cached = context.turnState.get(RECOGNIZED) as RecognizerResult | undefined
    if (cached) return cached
    const recognized = this.deps.recognizer.recognize(context.activity.text ?? '')
    // The message's own language, else the conversation's (a bare "ok" or "cac" says nothing).
    if (recognized.language) await this.deps.state.language?.set(context, recognized.language)
    const language = recognized.language ?? (await this.deps.state.language?.get(context))
    const result: RecognizerResult = language ? { ...recognized, language } : recognized
    context.turnState.set(RECOGNIZED, result)
    const top = Object.entries(result.intents)[0]
    turnLogger(context).info({ topIntent: result.topIntent, score: top?.[1].score, entities: Object.keys(result.entities) }, 'recognized')
    const { browser, os, cardModel } = result.entities
    if (browser || os || cardModel) {
      const profile = await this.deps.state.profile.get(context, {})
      await this.deps.state.profile.set(context, {
        ...profile,
        ...(browser && { browser: browser[0] }),
        ...(os && { os: os[0] }),
        ...(cardModel && { cardModel: cardModel[0] }),
      })
    }
    if (result.entities.errorMessage) {
      const helpDeskCase = await this.deps.state.helpDeskCase.get(context, newCase())
      const errors = new Set([...helpDeskCase.errorMessages, ...result.entities.errorMessage])
      await this.deps.state.helpDeskCase.set(context, { ...helpDeskCase, errorMessages: [...errors] })
    }
    if (context.activity.channelId === 'emulator') {
      await context.sendActivity({ type: 'trace', name: 'recognizer', label: 'RecognizerResult', valueType: TRACE_TYPE, value: result })
    }
    return result
  }

  private route(result: RecognizerResult): Route {
    return decideRoute(result, this.deps.thresholds, (id) => this.procedureOf.has(id), (id) => id === NONE || this.referOf.has(id))
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const { context } = innerDc
    if (context.activity.type !== 'message') return super.onContinueDialog(innerDc)
    const result = await this.recognize(context)
    if (wasOnlySecret(context)) {
      await innerDc.repromptDialog()
      return Dialog.EndOfTurn
    }
    // An answer to the question on screen is never an interruption: "no" is not "cancel".
    const choices = pendingChoices(innermostState(innerDc.stack))
    if (choices && matchAnswer(context.activity.text ?? '', choices) !== undefined) return super.onContinueDialog(innerDc)

    const route = this.route(result)
    if (route.kind !== 'intent') return super.onContinueDialog(innerDc)
    switch (route.intentId) {
      case 'help':
        await context.sendActivity(messages.help)
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      case 'cancel':
        await innerDc.cancelAllDialogs()
        await context.sendActivity(messages.cancelled)
        return innerDc.endDialog()
      case 'start-over':
        await innerDc.cancelAllDialogs()
        await this.deps.state.helpDeskCase.set(context, newCase())
        await context.sendActivity(messages.startOver)
        return innerDc.endDialog()
      case 'human-agent':
        await innerDc.cancelAllDialogs()
        return innerDc.beginDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
    }
    const procedureId = this.procedureOf.get(route.intentId)
    if (procedureId && procedureId !== this.activeProcedure(innerDc)) {
      await innerDc.cancelAllDialogs()
      await context.sendActivity(messages.switching(this.deps.procedures.get(procedureId)!.title))
      await this.startCase(context, route.intentId)
      return innerDc.beginDialog(RUN, { procedureId } satisfies RunOptions)
    }
    return super.onContinueDialog(innerDc)
  }

  /** The top-level procedure running now, if any. */
  private activeProcedure(innerDc: DialogContext): string | undefined {
    const run = innerDc.stack.find((entry) => entry.id === RUN)
    return (run?.state as { options?: RunOptions } | undefined)?.options?.procedureId
  }

  /** The first thing the user asked for help with, for the agent (redacted already). */
  private async noteQuestion(context: TurnContext): Promise<void> {
    const helpDeskCase = await this.deps.state.helpDeskCase.get(context, newCase())
    if (!helpDeskCase.question) await this.deps.state.helpDeskCase.set(context, { ...helpDeskCase, question: context.activity.text })
  }

  private async startCase(context: TurnContext, intentId: string): Promise<void> {
    const previous = await this.deps.state.helpDeskCase.get(context, newCase())
    await this.deps.state.helpDeskCase.set(context, {
      ...previous,
      question: previous.question ?? context.activity.text,
      intentId,
    })
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { context } = step
    if (context.activity.type !== 'message') return step.endDialog()
    if (wasOnlySecret(context)) {
      await context.sendActivity(messages.askProblem)
      return step.endDialog()
    }
    const result = await this.recognize(context)
    const route = this.route(result)
    if (!(route.kind === 'intent' && route.intentId in SMALL_TALK)) await this.noteQuestion(context)
    const text = context.activity.text ?? ''
    if (route.kind === 'none' && text.trim().split(/\s+/).length <= 3 && matchAnswer(text, YES_NO) !== undefined) {
      // "ok", "no", "yes thanks" with no question on screen: not out of scope, just nothing asked yet.
      await context.sendActivity(messages.askProblem)
      return step.endDialog()
    }
    if (route.kind === 'none') {
      turnLogger(context).info({ route: 'none', topic: route.topic }, 'out of scope')
      const refer = route.topic ? this.referOf.get(route.topic) : undefined
      await context.sendActivity(
        MessageFactory.suggestedActions(
          [messages.talkToPerson, messages.whatCanYouDo].map((title) => ({ type: ActionTypes.ImBack, title, value: title })),
          (result.language === 'es' ? `${messages.spanishOutOfScope}\n\n` : '') + (refer ? messages.outOfScopeTopic(refer) : messages.outOfScope),
        ),
      )
      return step.endDialog()
    }
    if (route.kind === 'suggest') {
      const choices = this.suggestionChoices(route.intentIds)
      ;(step.values as Suggested).suggested = route.intentIds
      return step.prompt(ANSWER, choicePrompt(messages.didYouMean, choices, this.maxReprompts))
    }
    return this.handleIntent(step, route.intentId)
  }

  private async chooseStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { suggested } = step.values as Suggested
    const choices = this.suggestionChoices(suggested)
    const answer = matchAnswer(String(step.result ?? ''), choices)
    const intentId = answer === undefined ? undefined : suggested[answer]
    if (!intentId) {
      await step.context.sendActivity(messages.rephrase)
      return step.endDialog()
    }
    return this.handleIntent(step, intentId)
  }

  private async handleIntent(step: WaterfallStepContext, intentId: string): Promise<DialogTurnResult> {
    const { context } = step
    const procedureId = this.procedureOf.get(intentId)
    if (procedureId) {
      await this.startCase(context, intentId)
      if ((await this.recognize(context)).language === 'es') await context.sendActivity(messages.spanishSteps)
      return step.replaceDialog(RUN, { procedureId } satisfies RunOptions)
    }
    if (intentId === 'human-agent') return step.replaceDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
    if (intentId === 'greeting' && wasWelcomedThisTurn(context)) return step.endDialog() // the welcome already greeted
    await context.sendActivity(SMALL_TALK[intentId] ?? messages.askProblem)
    return step.endDialog()
  }

  private suggestionChoices(intentIds: readonly string[]): Choice[] {
    return [
      ...intentIds.map((id) => ({ label: this.titleOf(id) })),
      { label: messages.neither, synonyms: ['none', 'none of these', 'no', 'something else', 'neither of those'] },
    ]
  }

  private titleOf(intentId: string): string {
    return this.deps.procedures.get(this.procedureOf.get(intentId) ?? '')?.title ?? intentId
  }

  private async runStep(step: WaterfallStepContext<RunOptions>): Promise<DialogTurnResult> {
    return step.beginDialog(PROCEDURE_DIALOG, { procedureId: step.options.procedureId } satisfies ProcedureOptions)
  }

  private async outcomeStep(step: WaterfallStepContext<RunOptions>): Promise<DialogTurnResult> {
    const outcome = step.result as ProcedureOutcome
    const helpDeskCase = await this.deps.state.helpDeskCase.get(step.context, newCase())
    // The newest steps only: a user who keeps going round must not grow the state without bound.
    await this.deps.state.helpDeskCase.set(step.context, { ...helpDeskCase, trail: [...helpDeskCase.trail, ...outcome.trail].slice(-MAX_TRAIL) })
    switch (outcome.outcome) {
      case 'resolved':
        return this.solved(step)
      case 'referred':
      case 'answered':
        return step.prompt(ANSWER, choicePrompt(messages.solvedQuestion, YES_NO, this.maxReprompts))
      case 'exhausted':
        await step.context.sendActivity(messages.exhausted)
        return step.replaceDialog(OFFER, { reason: 'procedure-escalated' } satisfies HandoffOptions)
      case 'unclear':
        await step.context.sendActivity(messages.unclear)
        return step.replaceDialog(OFFER, { reason: 'unclear-answers' } satisfies HandoffOptions)
      case 'handoff':
        return step.replaceDialog(OFFER, { reason: 'procedure-escalated' } satisfies HandoffOptions)
    }
  }

  private async solvedStep(step: WaterfallStepContext<RunOptions>): Promise<DialogTurnResult> {
    if (matchAnswer(String(step.result ?? ''), YES_NO) === 0) return this.solved(step)
    return step.replaceDialog(OFFER, { reason: 'procedure-escalated' } satisfies HandoffOptions)
  }

  /** The problem is solved: the next one starts a fresh case, so an agent never sees an old problem as the current one. */
  private async solved(step: WaterfallStepContext<RunOptions>): Promise<DialogTurnResult> {
    await this.deps.state.helpDeskCase.set(step.context, newCase())
    await step.context.sendActivity(messages.glad)
    return step.endDialog()
  }

  private async offerStep(step: WaterfallStepContext<HandoffOptions>): Promise<DialogTurnResult> {
    if (!this.deps.handoffQueue.staffed) return this.unstaffed(step)
    return step.prompt(ANSWER, choicePrompt(messages.offerAgent, YES_NO, this.maxReprompts))
  }

  private async offerAnswerStep(step: WaterfallStepContext<HandoffOptions>): Promise<DialogTurnResult> {
    if (matchAnswer(String(step.result ?? ''), YES_NO) === 0) {
      return step.replaceDialog(HANDOFF, { reason: step.options.reason } satisfies HandoffOptions)
    }
    await step.context.sendActivity(messages.noAgent)
    return step.endDialog()
  }

  private get maxReprompts(): number {
    return this.deps.maxReprompts ?? 2
  }

  /** Nobody can take a chat here: say so and where to turn, rather than offer or queue. */
  private async unstaffed(step: WaterfallStepContext<HandoffOptions>): Promise<DialogTurnResult> {
    await step.context.sendActivity(messages.noAgentHere)
    return step.endDialog()
  }

  private async handoffStep(step: WaterfallStepContext<HandoffOptions>): Promise<DialogTurnResult> {
    if (!this.deps.handoffQueue.staffed) return this.unstaffed(step)
    const { context } = step
    const helpDeskCase = await this.deps.state.helpDeskCase.get(context, newCase())
    const profile = await this.deps.state.profile.get(context, {})
    const packet: Omit<HandoffPacket, 'summary'> = {
      conversationId: context.activity.conversation.id,
      channelId: context.activity.channelId,
      question: helpDeskCase.question,
      intentId: helpDeskCase.intentId,
      errorMessages: helpDeskCase.errorMessages,
      browser: profile.browser,
      os: profile.os,
      trail: helpDeskCase.trail,
      reason: step.options.reason,
      requestedAt: new Date().toISOString(),
    }
    const full: HandoffPacket = { ...packet, summary: summarise(packet) }
    const reference = TurnContext.getConversationReference(context.activity)
    const { id, queued, hours } = await this.deps.handoffQueue.request(full, reference)
    turnLogger(context).info({ handoffId: id, reason: packet.reason, intentId: packet.intentId, queued }, 'handoff requested')
    await context.sendActivity(queued ? messages.connecting(id) : messages.helpDeskClosed(id, hours))
    // The standard event, for agent hubs that take handoffs (botbuilder's EventFactory, with the redacted transcript).
    const activities = (await this.deps.handoffQueue.transcript(context.activity.channelId, context.activity.conversation.id)) as Activity[]
    await context.sendActivity(EventFactory.createHandoffInitiation(context, { caseId: id, ...full }, { activities }))
    await this.deps.state.helpDeskCase.set(context, newCase()) // handed over: what comes after is a new case
    return step.endDialog()
  }
}
