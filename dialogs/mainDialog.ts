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
  type DialogStateManagerConfiguration,
  type WaterfallStepContext,
} from 'botbuilder-dialogs'
import { summarise, type HandoffPacket, type HandoffQueue } from '../src/core/handoff.js'
import type { Procedure, Slot } from '../src/core/procedures.js'
import { normalise, type Recognizer, type RecognizerResult } from '../src/core/recognizer.js'
import { decideRoute, type Route, type RoutingThresholds } from '../src/core/routing.js'
import { backToPaused, clean, EXPIRED, termAsked, extractFacts, withoutReaderPlace, HEDGE_SCORE, POLICY_SCORE, readPolarity, signalsOf, understand, wordCount, type FactsFound, type PendingQuestion, type Reading, type UnderstandingContext } from '../src/core/understanding.js'
import { NONE, type Intent } from '../intents/intent.js'
import { newCase, wasWelcomedThisTurn, type HelpDeskState, type Profile } from './helpDeskState.js'
import { messages } from './messages.js'
import {
  browserName,
  LOOP,
  noteMacOnce,
  PROCEDURE_DIALOG,
  renderContent,
  type ProcedureDialog,
  type ProcedureOutcome,
  type ProcedureOptions,
} from './procedureDialog.js'
import { sentThisTurn, AnswerPrompt, answerOf, hasReplied, watchReplies, pendingQuestion, questionPrompt, setAnswer, setReplan, setSkip, setTurnFacts, setUndo, withButtons, withProblemButtons } from './prompts.js'
import { secretsFound, secretsOffered, wasOnlySecret } from './redaction.js'
import { noteOutcome, noteProcedure } from './turnReport.js'
import type { AnalyticsRecorder } from '../src/core/analytics.js'
import type { RatingFlow } from './rating.js'
import { turnLogger } from './turnLogger.js'

export const MAIN_DIALOG = 'main'
/** Turns in a row that leave a question waiting ("ok", "ok"...) before a person is offered with it. */
const STALLS_BEFORE_OFFER = 3

/** Steps tried that a case keeps (what an agent reads; the oldest are dropped). */
export const MAX_TRAIL = 50
/** A step longer than this is named, not repeated, when coming back to it after a side topic. */
const LONG_STEP_CHARS = 400
/** Empathy is said again only after this many turns since it was last said. */
const EMPATHY_EVERY_TURNS = 4
const ROUTE = 'main.route'
const RUN = 'main.run'
const OFFER = 'main.offer'
const HANDOFF = 'main.handoff'
const CHOOSE = 'main.choose'
const ANSWER = 'main.answer'

const READING = Symbol('reading')
const RECOGNIZED = Symbol('recognized')
const NOTED_RECOGNITION = Symbol('notedRecognition')
const CLOSING_DURING = Symbol('closingDuring')

/** Intents answered with one line and nothing to follow up. */
const SMALL_TALK: Readonly<Record<string, string>> = {
  greeting: messages.greeting,
  thanks: messages.thanks,
  goodbye: messages.goodbye,
  help: messages.help,
  cancel: messages.nothingToCancel,
  'start-over': messages.startOver,
}

export interface RunOptions {
  procedureId: string
  /** Where to pick up a procedure left for another problem. */
  stepId?: string
  /** ...with the steps it had shown and the total it announced then. */
  shown?: number
  total?: number
}
export interface HandoffOptions {
  reason: HandoffPacket['reason']
}
interface ChooseOptions {
  intentIds: string[]
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
  /** Where recognition, outcome and handoff events go (no user text); none in tests that don't look. */
  analytics?: AnalyticsRecorder
  /** Asks the user to rate the help once a problem is solved, and reads the answer; none: never asked. */
  rating?: RatingFlow
}

/**
 * The state of the innermost active dialog, read from the stack: a component dialog keeps its own stack under
 * `dialogs` in its state. (DialogContext.child would build a context, and its DialogStateManager, per level.)
 */
function innermost(stack: readonly DialogInstance[]): DialogInstance[] {
  const path: DialogInstance[] = []
  for (let inner = stack.at(-1); inner; inner = (inner.state as { dialogs?: DialogState } | undefined)?.dialogs?.dialogStack?.at(-1)) {
    path.push(inner)
  }
  return path
}

/** The procedure loops on the stack, outermost first. */
function loopsOf(stack: readonly DialogInstance[]): ProcedureOptions[] {
  const found: ProcedureOptions[] = []
  const walk = (instances: readonly DialogInstance[]) => {
    for (const instance of instances) {
      const state = instance.state as { options?: ProcedureOptions; dialogs?: DialogState } | undefined
      if (instance.id === LOOP && state?.options) found.push(state.options)
      if (state?.dialogs?.dialogStack) walk(state.dialogs.dialogStack)
    }
  }
  walk(stack)
  return found
}

/** The procedures running, outermost first, with the number of the step each is on. */
export function runningProcedures(stack: readonly DialogInstance[]): { procedureId: string; step?: number }[] {
  return loopsOf(stack).map((options) => ({ procedureId: options.procedureId, step: options.at }))
}

const TRACE_TYPE = 'application/vnd.cac-helpdesk.recognizer+json'

/**
 * Welcome, routing and everything that can happen at any step. Each message is understood once (src/core/
 * understanding.ts) against the pending question, the known facts and everything else; this dialog acts on that
 * reading: an answer goes to the step, a fact is kept (and a corrected one re-runs what depended on it), a side
 * question is answered and the step resumes, a policy line is always given, thanks close, a person is a handoff.
 */
const FRESH_FACTS = Symbol('freshFacts')
/** Facts the help page's hints had, confirmed by the user this turn. */
const CONFIRMED = Symbol('confirmed')
/** "not my PIN": a procedure's cue denied. Built once per cue (cues are the procedures' own, a fixed set). */
const denials = new Map<string, RegExp>()
const denialOf = (cue: string) => denials.get(cue) ?? denials.set(cue, new RegExp(`\\b(not|isnt|its not) (my|the|a|about( my)?) ${cue}`)).get(cue)!
/** A cue said, from a word's start ("new" in "brand new", not in "renew"'s middle). Built once per cue, like denials. */
const cues = new Map<string, RegExp>()
const cueOf = (cue: string) => cues.get(cue) ?? cues.set(cue, new RegExp(`\\b${cue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)).get(cue)!
/** botbuilder-dialogs' turn-state key for its memory scopes and path resolvers. */
const MEMORY_SCOPES = 'DialogStateManagerConfiguration'
/** "quick q before that, …", "btw, …": how a side question opens, not what it asks. */
const ASIDE_OPENING = /^(((quick|side|random|one|small|dumb) )?(q|qq|question)|btw|by the way|before that|first|also|but|so|and|oh|hey|wait|real quick)([,:!-]|\s)+((((quick|side|random|one|small|dumb) )?(q|qq|question)|btw|by the way|before that|first|also|but|so|and|oh|hey|wait|real quick)([,:!-]|\s)+)*/i

/** The one sentence of a longer message that asks (ends in "?"), if there is exactly one. */
function questionSentence(text: string): string | undefined {
  const sentences = text.split(/(?<=[?.!])\s+/).map((t) => t.trim()).filter(Boolean)
  const asking = sentences.filter((t) => t.endsWith('?'))
  return sentences.length > 1 && asking.length === 1 ? asking[0]!.replace(ASIDE_OPENING, '') : undefined
}
const topScore = (result: RecognizerResult) => Object.values(result.intents)[0]?.score ?? 0

/** Steps done in the browser's own settings: no install, so no admin rights. */
const BROWSER_SETTINGS: readonly string[] = ['clear-cache', 'clear-ssl-state']
/** Facts that only one problem's steps use: said alone, they name that problem (the card's model: a new CAC). */
const PROBLEM_FACTS: readonly Slot[] = ['cardModel']
const EMAIL = /\be-? ?mail\b/i

/** "reset it", "change that": a verb about a PIN or password, with the thing left to the message before. */
const RESET_IT = /\b(reset|change|unlock|recover|renew|update) (it|that)\b/i
/** The one of PIN or password a message names (neither, or both: none). */
function namedIn(text: string): 'pin' | 'password' | undefined {
  const pin = /\bpins?\b/i.test(text)
  const password = /\b(password|passwd|pw|pwd|passcode)\b/i.test(text)
  return pin === password ? undefined : pin ? 'pin' : 'password'
}

export class MainDialog extends ComponentDialog {
  private readonly procedureOf: ReadonlyMap<string, string>
  private readonly referOf: ReadonlyMap<string, string>
  /** Every term knowledge/ explains, whichever procedure declares it. */
  private readonly terms: { term: string; names: string[]; asked: RegExp[]; say: string }[]
  private dialogSet?: { accessor: StatePropertyAccessor<DialogState>; dialogSet: DialogSet }
  private memoryScopes?: DialogStateManagerConfiguration

  constructor(private readonly deps: MainDialogDeps) {
    super(MAIN_DIALOG)
    this.procedureOf = new Map(deps.intents.filter((i) => i.procedure).map((i) => [i.id, i.procedure!]))
    this.referOf = new Map(deps.intents.filter((i) => i.refer).map((i) => [i.id, i.refer!]))
    this.terms = [...deps.procedures.values()].flatMap((p) => (p.terms ?? []).map((t) => ({ term: t.term, names: t.aliases, asked: t.asked.map((a) => new RegExp(`\\b(?:${a})\\b`)), say: t.say })))
    this.addDialog(new AnswerPrompt(ANSWER))
    this.addDialog(deps.procedureDialog)
    this.addDialog(new WaterfallDialog(ROUTE, [this.routeStep.bind(this)]))
    this.addDialog(new WaterfallDialog<ChooseOptions>(CHOOSE, [this.offerChoicesStep.bind(this), this.chooseStep.bind(this)]))
    this.addDialog(new WaterfallDialog<RunOptions>(RUN, [this.runStep.bind(this), this.outcomeStep.bind(this)]))
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
    // botbuilder-dialogs builds its memory scopes for every turn unless the turn has them (as its DialogManager does).
    if (this.memoryScopes) context.turnState.set(MEMORY_SCOPES, this.memoryScopes)
    watchReplies(context)
    const dc = await this.dialogSet.dialogSet.createContext(context)
    this.memoryScopes ??= context.turnState.get(MEMORY_SCOPES) as DialogStateManagerConfiguration | undefined
    const result = await dc.continueDialog()
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id)
    if (hasReplied(context) || wasWelcomedThisTurn(context) || context.activity.type !== 'message') return
    // No turn ends without a reply: the question waiting is asked again, else what the problem is.
    turnLogger(context).warn('no reply from the dialogs: asking again')
    if (dc.activeDialog) await dc.repromptDialog()
    if (!hasReplied(context)) await context.sendActivity(messages.askProblem)
  }

  /**
   * A message while the user waits in the queue for an agent (the agent sees it either way). A policy line is still
   * given, thanks close politely, a request for a person confirms the queue, contact details are not invented; anything
   * else is left to the queue's own "still waiting". Returns whether it replied, or 'bot' for a correction of what led
   * to the handoff ("go back, I picked wrong. It IS registered"): the bot takes the message up again.
   */
  async whileWaiting(context: TurnContext): Promise<boolean | 'bot'> {
    if (context.activity.type !== 'message' || wasOnlySecret(context)) return false
    const { reading, changed } = await this.read(context, [])
    const text = context.activity.text ?? ''
    const memory = await this.deps.state.memory.get(context, {})
    const from = memory.handedOverFrom
    const branchedOn = from && this.deps.procedures.get(from)?.steps.some((s) => s.ask?.slot && changed.includes(s.ask.slot))
    if (branchedOn && reading.found.correction) {
      await this.deps.state.memory.set(context, { ...memory, lastProcedure: from, handedOverFrom: undefined })
      return 'bot'
    }
    if (reading.kind === 'contact' && reading.forMe) {
      // "can you email them for me" while waiting: no, and the agent who joins is the way.
      await context.sendActivity(`${messages.cantContactForYou} ${messages.stillQueued}`)
      return true
    }
    if (signalsOf(text).has('contact')) {
      await context.sendActivity(messages.noContactDetails)
      await context.sendActivity(messages.stillQueued)
      return true
    }
    switch (reading.kind) {
      case 'policy':
        await this.givePolicy(context, reading.intentId, reading.pushBack)
        await context.sendActivity(messages.stillQueued)
        return true
      case 'close':
      case 'small-talk': {
        // "ok thanks for trying": a polite close; the request stays open unless they cancel it.
        // A bare "ok" the recognizer files under thanks is an acknowledgement of the queue, not a goodbye.
        const thanked = /\b(thank|thanks|thx|ty|tysm|cheers|appreciate|bye|goodbye|later|cya)\b/.test(clean(text))
        const how = reading.kind === 'close' ? reading.how : !thanked ? undefined : reading.intentId === 'goodbye' ? 'bye' : reading.intentId === 'thanks' ? 'thanks' : undefined
        if (!how) break
        noteOutcome(context, 'closed')
        await context.sendActivity(how === 'bye' ? `${messages.goodbye} ${messages.closedWhileWaiting.replace(/^You're welcome\. /, '')}` : messages.closedWhileWaiting)
        return true
      }
      case 'about-bot':
      case 'own-info': {
        // "what do I tell the help desk exactly?" while queued: the agent joins here and sees it all; the step that led here.
        const step = reading.kind === 'own-info' && reading.need ? (await this.deps.state.memory.get(context, {})).handedOverStep : undefined
        const need = `${messages.whatTheyNeed} ${messages.agentSeesAll}${step ? ` ${messages.lastStepWas} ${step}` : ''}`
        const text = reading.kind === 'own-info' ? (reading.need ? need : messages.ownInfo) : messages.aboutBot
        await context.sendActivity(text)
        await context.sendActivity(messages.stillQueued)
        return true
      }
      case 'term':
        // "what is an edipi anyway" while waiting: the word explained; the agent sees the question too.
        await context.sendActivity(this.termText(reading.term))
        await context.sendActivity(messages.stillQueued)
        return true
    }
    // "yes please connect me" after the case was opened: it is open, and the handoff stands.
    const wantsPerson = reading.kind === 'person' || (reading.kind === 'small-talk' && reading.intentId === 'human-agent')
    if (wantsPerson || (wordCount(text) <= 6 && readPolarity(clean(text)) === 'yes')) {
      noteOutcome(context, 'handoff')
      await context.sendActivity(messages.alreadyQueued)
      return true
    }
    return false
  }

  /** Recognizes the turn's message once, records what it learned, and traces it on the Emulator. */
  async recognize(context: TurnContext): Promise<RecognizerResult> {
    const cached = context.turnState.get(RECOGNIZED) as RecognizerResult | undefined
    if (cached) return cached
    // "2" typed to "what do you see? [1] … [5]": the button's own words, as a tap would send them.
    const digit = /^\s*\(?([1-9])\)?\s*$/.exec(context.activity.text ?? '')
    if (digit && (await this.deps.state.memory.get(context, {})).lastStep === messages.vague) {
      const button = messages.welcomeButtons[Number(digit[1]) - 1]
      if (button) context.activity.text = button.value
    }
    // "AKO wont take my password …" then "so how do i reset it": "it" is what the last message named, PIN or password.
    const named = namedIn(context.activity.text ?? '')
    const memory = await this.deps.state.memory.get(context, {})
    // Only in a question: "ok i reset it" answers the question on screen and needs no help to be read.
    if (!named && memory.lastNamed && RESET_IT.test(context.activity.text ?? '') && /\?|\b(how|where|can|could|what)\b/i.test(context.activity.text ?? '')) {
      context.activity.text = (context.activity.text ?? '').replace(RESET_IT, (verb) => `${verb.replace(/ (it|that)$/i, '')} my ${memory.lastNamed === 'pin' ? 'PIN' : 'password'}`)
    }
    if (named !== memory.lastNamed && named) await this.deps.state.memory.set(context, { ...memory, lastNamed: named })
    // Where the reader is ("the cac reader is on my work desktop") names no problem: recognized without it.
    let recognized = this.deps.recognizer.recognize(withoutReaderPlace(context.activity.text ?? ''))
    // "quick q before that, does this computer even have what it needs? there's a reader plugged in at least": unsure of
    // the whole, the one question in it is read alone, and taken if it is clear.
    const question = topScore(recognized) < this.deps.thresholds.minScore ? questionSentence(context.activity.text ?? '') : undefined
    if (question) {
      const alone = this.deps.recognizer.recognize(question)
      // A problem's steps only: "What I do?" alone reads as a request for help, not what the message is about.
      if (topScore(alone) >= this.deps.thresholds.minScore && this.procedureOf.has(alone.topIntent) && wordCount(question) >= 4) recognized = alone
    }
    // The message's own language, else the conversation's (a bare "ok" or "cac" says nothing).
    if (recognized.language) await this.deps.state.language?.set(context, recognized.language)
    const language = recognized.language ?? (await this.deps.state.language?.get(context))
    const result: RecognizerResult = language ? { ...recognized, language } : recognized
    context.turnState.set(RECOGNIZED, result)
    const top = Object.entries(result.intents)[0]
    turnLogger(context).info({ topIntent: result.topIntent, score: top?.[1].score, entities: Object.keys(result.entities) }, 'recognized')
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

  /** The one reading of this turn (STYLE.md section 11), and the facts it changed. */
  private async read(context: TurnContext, stack: readonly DialogInstance[]): Promise<{ reading: Reading; changed: Slot[] }> {
    const cached = context.turnState.get(READING) as { reading: Reading; changed: Slot[] } | undefined
    if (cached) return cached
    const result = await this.recognize(context)
    const route = this.route(result)
    const profile = await this.deps.state.profile.get(context, {})
    const memory = await this.deps.state.memory.get(context, {})
    const pending = pendingQuestion(innermost(stack).at(-1)?.state)
    const { minScore } = this.deps.thresholds
    const text = context.activity.text ?? ''
    let normalised: string | undefined // for denies, once per turn and only if asked
    const lowered = text.toLowerCase()
    const against: UnderstandingContext = {
      pending,
      route,
      facts: profile,
      active: this.activeProcedure(stack),
      running: runningProcedures(stack).map((p) => p.procedureId),
      within: runningProcedures(stack).flatMap((p) => this.runsLater(p.procedureId)),
      activeSlots: runningProcedures(stack).flatMap((p) => this.slotsOf(p.procedureId)),
      lastPolicy: memory.lastPolicy,
      referred: memory.referred,
      askedIfDone: memory.askedIfDone,
      paused: memory.paused !== undefined,
      terms: this.terms,
      lastProcedure: memory.lastProcedure,
      askedVague: memory.lastStep === messages.vague,
      isPolicy: (id) => this.isPolicy(id),
      isTopic: (id) => this.referOf.has(id),
      namedTopics: result.namedTopics?.filter((id) => this.referOf.has(id)),
      denies: (id) => {
        const said = (normalised ??= normalise(text))
        const cues = this.deps.procedures.get(this.procedureOf.get(id) ?? '')?.cues ?? []
        const denied = cues.filter((cue) => denialOf(cue).test(said))
        // "new cac, gemalto, not the oberthur one": one of its cues denied while another is said plainly denies no problem.
        return denied.length > 0 && !cues.some((cue) => !denied.includes(cue) && said.includes(cue))
      },
      cued: (id) => {
        const procedure = this.deps.procedures.get(this.procedureOf.get(id) ?? '')
        return procedure?.policy || !procedure?.cues ? true : procedure.cues.some((cue) => cueOf(cue).test(lowered))
      },
      errorQuoted: (result.entities.errorMessage?.length ?? 0) > 0,
      hasCue: (id, facts) => {
        const procedure = this.deps.procedures.get(this.procedureOf.get(id) ?? '')
        const when = Object.entries(procedure?.appliesWhen ?? {})
        // Its cue said, or what it applies to said ("it locked me out": a locked PIN, with no "PIN" in the words).
        const applies = when.length > 0 && when.every(([slot, values]) => values.includes(facts[slot as Slot] ?? ''))
        return !procedure?.cues || applies || procedure.cues.some((cue) => cueOf(cue).test(lowered))
      },
      backedBy: (id, facts) => {
        const procedure = this.deps.procedures.get(this.procedureOf.get(id) ?? '')
        const cued = procedure?.cues?.some((cue) => lowered.includes(cue)) ?? true
        const when = Object.entries(procedure?.appliesWhen ?? {})
        return cued && when.every(([slot, values]) => values.includes(facts[slot as Slot] ?? ''))
      },
      fits: (id, facts) => {
        const when = this.deps.procedures.get(this.procedureOf.get(id) ?? '')?.appliesWhen ?? {}
        return Object.entries(when).every(([slot, values]) => !facts[slot as Slot] || values.includes(facts[slot as Slot]!))
      },
      procedureOf: (id) => this.procedureOf.get(id),
      scoreOf: (id) => result.intents[id]?.score ?? 0,
      ranked: Object.entries(result.intents).sort(([, a], [, b]) => b.score - a.score).map(([id]) => id),
      minScore,
    }
    // The secret is gone from the text: what is left is read as usual. A typed PIN hints that they know it, but the
    // hint never outweighs the words: "my pin is … and it says wrong, is it locked?" is read first without it, and a
    // reading that the hint would contradict (a policy line, the PIN refused, locked or forgotten) stands.
    const typedPin = secretsFound(context).includes('pin')
    const plain = typedPin ? understand(text, { ...against, typedPin: false }) : undefined
    const contradicted = plain !== undefined && (plain.kind === 'policy' || (plain.found.facts.pin !== undefined && plain.found.facts.pin !== 'known'))
    const understood = contradicted ? plain : understand(text, { ...against, typedPin })
    // "what do i put in the email" just after a step that says to e-mail a request: that e-mail, not e-mail in general.
    const asksAbout = /\?|\b(what|where|who|how|which)\b/i.test(text) && ['out-of-scope', 'answer', 'unclear', 'step-help'].includes(understood.kind)
    const stepEmail = asksAbout && EMAIL.test(text) && EMAIL.test(memory.lastStep ?? '')
    const reading: Reading = stepEmail ? { vent: understood.vent, found: understood.found, kind: 'contact', stepEmail: true } : understood
    // answered now or not at all; and one more turn counted (empathy is spaced by it)
    // Turns in a row that left the question waiting ("ok", "ok", "ok"): counted, so the third leads to a person.
    const stalled = (reading.kind === 'ack' && !reading.away) || reading.kind === 'hurry' ? (memory.stalled ?? 0) + 1 : undefined
    await this.deps.state.memory.set(context, { ...memory, askedIfDone: undefined, turns: (memory.turns ?? 0) + 1, stalled })
    const changed = await this.remember(context, reading.found, pending, reading.kind === 'answer')
    turnLogger(context).info({ reading: reading.kind, vent: reading.vent, facts: Object.keys(reading.found.facts), changed }, 'understood')
    const read = { reading, changed }
    context.turnState.set(READING, read)
    return read
  }

  /** Keeps the facts a message gave; returns the ones that changed a value said before (a correction). */
  private async remember(context: TurnContext, found: FactsFound, pending: PendingQuestion | undefined, isAnswer: boolean): Promise<Slot[]> {
    const profile: Profile = { ...(await this.deps.state.profile.get(context, {})) }
    const changed: Slot[] = []
    const fresh: Slot[] = []
    const short = wordCount(context.activity.text ?? '') <= 7
    for (const [key, value] of Object.entries(found.facts) as [Slot, string][]) {
      const hinted = profile.hinted?.includes(key)
      const before = profile[key]
      if (before === value) {
        if (hinted) {
          profile.hinted = profile.hinted!.filter((h) => h !== key) // confirmed by the user
          context.turnState.set(CONFIRMED, [...((context.turnState.get(CONFIRMED) as Slot[] | undefined) ?? []), key])
        }
        continue
      }
      // A different value said in passing ("tried chrome too") doesn't overwrite; a correction or a short statement does.
      if (before && !hinted && !found.correction && !short && !(pending?.kind === 'ask' && pending.slot === key)) continue
      profile[key] = value
      if (hinted) profile.hinted = profile.hinted!.filter((h) => h !== key)
      if (!isAnswer) changed.push(key) // new or corrected: what depended on it may run again
      if (!before || hinted || before === 'unsure') fresh.push(key) // "not sure" then "it is": settled, not corrected
    }
    context.turnState.set(FRESH_FACTS, fresh)
    if (found.tried.length > 0) profile.tried = [...new Set([...(profile.tried ?? []), ...found.tried])]
    await this.deps.state.profile.set(context, profile)
    setTurnFacts(context, profile)
    return changed
  }

  /** "what do I tell the help desk?": the page's advice, and what this chat knows to tell them (titles of what ran). */
  private async whatTheyNeed(context: TurnContext): Promise<string> {
    const helpDeskCase = await this.deps.state.helpDeskCase.get(context, newCase())
    const tried = [...new Set(helpDeskCase.trail.map((t) => this.deps.procedures.get(t.procedureId)?.title).filter((t): t is string => t !== undefined))]
    const errors = helpDeskCase.errorMessages.slice(0, 2)
    const summary = [errors.length > 0 ? `the error (${errors.join('; ')})` : '', tried.length > 0 ? `what we went through here: ${tried.join('; ')}` : ''].filter(Boolean)
    return summary.length > 0 ? `${messages.whatTheyNeed} From this chat you can tell them ${summary.join(', and ')}.` : messages.whatTheyNeed
  }

  /** Why the step on screen: the top-level procedure's current step, as said. */
  private whyText(innerDc: DialogContext): string {
    const top = loopsOf(innerDc.stack).at(0)
    const step = this.deps.procedures.get(top?.procedureId ?? '')?.steps.find((s) => s.id === top?.stepId)
    return step ? `${messages.because} ${step.say}` : messages.askProblem
  }

  /** The sub-procedures a procedure's steps run (and theirs). */
  private runsLater(procedureId: string, seen = new Set<string>()): string[] {
    if (seen.has(procedureId)) return []
    seen.add(procedureId)
    return (this.deps.procedures.get(procedureId)?.steps ?? []).flatMap((s) => (s.run ? [s.run, ...this.runsLater(s.run, seen)] : []))
  }

  /** Whether a procedure's own steps (not a sub-procedure's) ask for `slot`. */
  private asks(procedureId: string, slot: Slot): boolean {
    return this.deps.procedures.get(procedureId)?.steps.some((s) => s.ask?.slot === slot) ?? false
  }

  /**
   * The facts a procedure depends on: asked, or ruling a step out, by it or by a sub-procedure it runs later ("im
   * on firefox tho" before the cache steps that ask it is about this problem, not a new one).
   */
  private slotsOf(procedureId: string, seen = new Set<string>()): Slot[] {
    if (seen.has(procedureId)) return []
    seen.add(procedureId)
    return (this.deps.procedures.get(procedureId)?.steps ?? []).flatMap((s) => [
      ...(s.ask?.slot ? [s.ask.slot] : []),
      ...(s.skipIf ? [s.skipIf.slot] : []),
      ...(s.run ? this.slotsOf(s.run, seen) : []),
    ])
  }

  /** "Thanks for correcting me" only for a correction: a fact said for the first time ("chrome on my work pc") corrects nothing. */
  private replanText(context: TurnContext, changed: readonly Slot[]): string {
    const fresh = (context.turnState.get(FRESH_FACTS) as Slot[] | undefined) ?? []
    return changed.every((slot) => fresh.includes(slot)) ? messages.newFact : messages.corrected
  }

  private isPolicy(intentId: string): boolean {
    return this.deps.procedures.get(this.procedureOf.get(intentId) ?? '')?.policy === true
  }

  /**
   * A procedure whose steps are all statements and whose outcome only informs (not a handoff): answered in one
   * message, so it can be a side answer in the middle of other steps.
   */
  private isOneShot(procedureId: string): boolean {
    const procedure = this.deps.procedures.get(procedureId)
    if (!procedure || !this.onlyStatements(procedureId)) return false
    return Object.values(procedure.outcomes).every((o) => o.kind === 'answered' || o.kind === 'referred')
  }

  /** A procedure that only says things (no question, check or sub-procedure): its text can be said again whole. */
  private onlyStatements(procedureId: string): boolean {
    return this.deps.procedures.get(procedureId)?.steps.every((s) => !s.check && !s.ask && !s.run) ?? false
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const { context } = innerDc
    if (context.activity.type !== 'message') return super.onContinueDialog(innerDc)
    if (wasOnlySecret(context)) {
      await innerDc.repromptDialog()
      return Dialog.EndOfTurn
    }
    const { reading, changed } = await this.read(context, innerDc.stack)
    const active = this.activeProcedure(innerDc.stack)
    // "can i just give you my ssn so you can look me up?": the "don't send it" line was the answer; with nothing else
    // read in it, the question again, as after a message that was only a secret (never "didn't catch that").
    if (secretsOffered(context).length > 0 && (reading.kind === 'unclear' || reading.kind === 'out-of-scope')) {
      await innerDc.repromptDialog()
      return Dialog.EndOfTurn
    }
    if (reading.vent && reading.kind !== 'vent' && reading.kind !== 'close' && (await this.empathyDue(context))) await context.sendActivity(active ? messages.empathyMidStep : messages.empathy)
    if (await this.takesOffer(context, reading)) {
      await innerDc.cancelAllDialogs()
      return innerDc.beginDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
    }

    switch (reading.kind) {
      case 'answer':
        if (reading.term) await context.sendActivity(this.termText(reading.term))
        if (changed.length > 0 && this.dependsOn(innerDc, changed)) {
          await context.sendActivity(this.replanText(context, changed))
          setReplan(context, changed[0]!)
        }
        if (reading.answer.kind === 'unsure' && (await this.hasHelp(innerDc))) {
          // "i dont know what it says": help them find out rather than "didn't catch that".
          await this.explainStep(innerDc)
          await innerDc.repromptDialog()
          return Dialog.EndOfTurn
        }
        setAnswer(context, reading.answer)
        return super.onContinueDialog(innerDc)
      case 'facts':
        // "ok it's not registered then" on the registration step that "not sure" led to: the same step; no replay of it.
        if (changed.length > 0 && (await this.landsHere(innerDc, changed))) {
          await context.sendActivity(messages.sameStep)
          await innerDc.repromptDialog()
          return Dialog.EndOfTurn
        }
        if (changed.length > 0 && this.dependsOn(innerDc, changed)) {
          await context.sendActivity(this.replanText(context, changed))
          setReplan(context, changed[0]!)
          return super.onContinueDialog(innerDc)
        }
        // "I use Microsoft Edge, I believe" after the steps for the browser the page guessed: those steps stand.
        const confirmed = (context.turnState.get(CONFIRMED) as Slot[] | undefined) ?? []
        if (confirmed.includes('browser') && changed.length === 0) {
          await context.sendActivity(messages.browserConfirmed(browserName(reading.found.facts.browser ?? '')))
          await innerDc.repromptDialog()
          return Dialog.EndOfTurn
        }
        // "i also forgot my ako password" in the middle of other steps: the reset is kept for afterwards, said so.
        const resetRunning = runningProcedures(innerDc.stack).some((p) => p.procedureId === 'password-reset')
        if (reading.found.facts.password === 'forgotten' && !resetRunning && (await this.keepForLater(context, 'password-reset'))) {
          await innerDc.repromptDialog()
          return Dialog.EndOfTurn
        }
        // A fact that answers nothing pending is kept (and used later); the question stays.
        // Only a typed PIN's "you know it" was found: the warning was the reply; "Got it, thanks" would thank them for it.
        // A value the question has no option for ("safari" to "which browser?"), or a Mac: said so, not "Got it, thanks".
        if (await this.noOptionFor(innerDc, reading)) {
          // Said a second time (Safari, then "is there a way on a mac"): no option will come; where to turn, not a loop.
          const memory = await this.deps.state.memory.get(context, {})
          const noOption = (memory.noOption ?? 0) + 1
          await this.deps.state.memory.set(context, { ...memory, noOption })
          if (noOption >= 2) {
            await context.sendActivity(this.deps.handoffQueue.staffed ? messages.stuckOffer : messages.noAgentHere)
            if (this.deps.handoffQueue.staffed) await this.noteOffered(context)
          }
          await innerDc.repromptDialog()
          return Dialog.EndOfTurn
        }
        if (this.thanksForFacts(context, reading)) await context.sendActivity(messages.notedFact)
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      case 'person':
        await innerDc.cancelAllDialogs()
        return innerDc.beginDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
      case 'repeat':
        return this.resume(innerDc, false)
      case 'contact':
        await this.noContact(context, reading.stepEmail, reading.forMe)
        return this.resume(innerDc, false)
      case 'no-admin': {
        // Clearing the cache or the SSL state is done in the browser, not installed: no admin rights are asked for it.
        const running = runningProcedures(innerDc.stack).map((p) => p.procedureId)
        await context.sendActivity(running.some((id) => BROWSER_SETTINGS.includes(id)) ? messages.noAdminNeeded : messages.noAdmin)
        return this.resume(innerDc, false)
      }
      case 'for-me': {
        // The step is the user's own (the portal's reset): not done for them, and where to turn if it fails, from the page.
        const options = loopsOf(innerDc.stack).at(-1)
        const procedure = this.deps.procedures.get(options?.procedureId ?? '')
        const onNo = procedure?.steps.find((s) => s.id === options?.stepId)?.onNo
        const outcome = onNo && 'outcome' in onNo ? procedure?.outcomes[onNo.outcome] : undefined
        await context.sendActivity(outcome && !/\bagent\b/i.test(outcome.say) ? `${messages.forMe} ${outcome.say}` : messages.forMe)
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      }
      case 'ack':
      case 'hurry': {
        if (reading.kind === 'hurry') await context.sendActivity(messages.hurry)
        if (reading.kind === 'ack' && reading.away) {
          await context.sendActivity(messages.takeYourTime)
          // "ok clearing my cache now" at a part's question: doing the part from its summary, so "still broken" next
          // says the part was done and failed (as after "did that helped?"), not that this question is unanswered.
          if (runningProcedures(innerDc.stack).length >= 2) await this.deps.state.memory.set(context, { ...(await this.deps.state.memory.get(context, {})), askedIfDone: true })
        }
        if (reading.kind === 'ack' && reading.language) await context.sendActivity(/\b(hablo|entiendo|ingl[eé]s|poco)\b/i.test(context.activity.text ?? '') ? messages.spanishSteps : messages.simpleAnswers)
        // The same question waiting a third time: not a loop; a person is offered with it.
        if (((await this.deps.state.memory.get(context, {})).stalled ?? 0) >= STALLS_BEFORE_OFFER) {
          await context.sendActivity(messages.stuckOffer)
          await this.noteOffered(context) // another "ok" takes it; a "yes" to a yes/no question still answers it
        }
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      }
      case 'same-problem': {
        // The problem said again: we're on it, and the question in other words (the step's own detail) when it has them.
        const help = this.stepOf(innerDc)?.help
        if (help) {
          await context.sendActivity(renderContent(help, `${messages.sameProblemAsk} `))
          await innerDc.repromptDialog()
          return Dialog.EndOfTurn
        }
        await context.sendActivity(messages.sameProblem)
        return this.resume(innerDc, false)
      }
      case 'resume': {
        // "back" with a problem left for this one: that problem again (and this one is left in its place).
        const { paused } = await this.deps.state.memory.get(context, {})
        if (!paused || !(/\bback\b/.test(clean(context.activity.text ?? '')) || backToPaused(context.activity.text ?? ''))) return this.resume(innerDc, true)
        await this.deps.state.memory.set(context, { ...(await this.deps.state.memory.get(context, {})), paused: undefined })
        if (active !== paused.procedureId) await this.pause(context, innerDc, active)
        await innerDc.cancelAllDialogs()
        await context.sendActivity(paused.notStarted ? messages.onTo(paused.title) : messages.resuming(paused.title))
        return innerDc.beginDialog(RUN, { procedureId: paused.procedureId, stepId: paused.stepId, shown: paused.shown, total: paused.total } satisfies RunOptions)
      }
      case 'undo':
        if (!active) return this.resume(innerDc, true)
        setUndo(context)
        return super.onContinueDialog(innerDc)
      case 'out-of-scope':
        // A side question the page doesn't cover: who handles it, then back to the step.
        if (!active) return super.onContinueDialog(innerDc)
        await this.noteRecognised(context, { outOfScope: true })
        await context.sendActivity(await this.outOfScopeText(context, false, reading.topic))
        return this.resume(innerDc, true)
      case 'step-help':
        // "why?": what the step is for, as the top-level step says it (the cache "needs clearing" for a CACREG box).
        if (active && reading.why) await context.sendActivity(this.whyText(innerDc))
        else if (active) await this.explainStep(innerDc, reading.about)
        else await context.sendActivity(messages.offerExplained) // "how do i get them to check that?" at the offer
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      case 'close':
        context.turnState.set(CLOSING_DURING, this.activeProcedure(innerDc.stack) !== undefined)
        await innerDc.cancelAllDialogs()
        return this.close(context, reading.how)
      case 'worked': {
        if (active) this.deps.analytics?.record(context, { kind: 'procedure.outcome', procedureId: active, outcome: 'resolved-confirmed' })
        await innerDc.cancelAllDialogs()
        await this.deps.state.helpDeskCase.set(context, newCase())
        noteOutcome(context, 'resolved')
        // With another problem waiting, not a goodbye: glad, then that problem offered.
        const waiting = (await this.deps.state.memory.get(context, {})).paused
        await context.sendActivity(waiting ? messages.glad : messages.closedSolved)
        await this.offerReturn(context)
        await this.askRating(context, active)
        return innerDc.endDialog()
      }
      case 'policy':
        await this.givePolicy(context, reading.intentId, reading.pushBack, active !== undefined)
        if (!active) {
          await innerDc.cancelAllDialogs()
          return innerDc.endDialog()
        }
        return this.resume(innerDc, true)
      case 'problem': {
        const procedureId = this.procedureOf.get(reading.intentId)!
        if (active && this.isOneShot(procedureId)) {
          // A side question: answered in place, then back to the step.
          await context.sendActivity(this.oneShotText(context, procedureId))
          return this.resume(innerDc, true)
        }
        await this.pause(context, innerDc, active)
        await innerDc.cancelAllDialogs()
        await context.sendActivity(reading.hedge ? messages.soundsLike(this.titleOf(reading.intentId)) : messages.switching(this.titleOf(reading.intentId)))
        const paused = (await this.deps.state.memory.get(context, {})).paused
        if (paused && active) await context.sendActivity(messages.pausedNote(paused.title))
        else await this.keepOtherMatter(context, procedureId)
        await this.startCase(context, reading.intentId)
        await this.noteLanguage(context)
        return innerDc.beginDialog(RUN, { procedureId } satisfies RunOptions)
      }
      case 'clarify':
        await this.noteRecognised(context, { clarified: true, intentId: reading.intentIds[0] })
        await this.pause(context, innerDc, active)
        await innerDc.cancelAllDialogs()
        return innerDc.beginDialog(CHOOSE, { intentIds: reading.intentIds } satisfies ChooseOptions)
      case 'small-talk':
        return this.smallTalk(innerDc, reading.intentId)
      case 'something-else':
        if (active) {
          await innerDc.cancelAllDialogs()
          await context.sendActivity(messages.rephraseProblem)
          return innerDc.endDialog()
        }
        return super.onContinueDialog(innerDc)
      case 'vent':
        await context.sendActivity(messages.empathyMidStep)
        return this.resume(innerDc, false)
      case 'about-bot':
        await context.sendActivity(messages.aboutBot)
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      case 'term':
        // A side question about a word: answered, then back to where we were.
        await context.sendActivity(this.termText(reading.term))
        // "im not on vista tho, this is windows 11 with edge": the word answered, and the fact said with it changes the steps.
        if (changed.length > 0 && this.dependsOn(innerDc, changed)) {
          setReplan(context, changed[0]!)
          return super.onContinueDialog(innerDc)
        }
        return this.resume(innerDc, active !== undefined)
      case 'own-info':
        await context.sendActivity(reading.need ? await this.whatTheyNeed(context) : messages.ownInfo)
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      case 'done-part':
        await this.deps.state.memory.set(context, { ...(await this.deps.state.memory.get(context, {})), askedIfDone: true })
        await context.sendActivity(withButtons(messages.didThatHelp, ['Yes', 'No']))
        return Dialog.EndOfTurn
      case 'tried-running':
        setSkip(context, reading.procedureId)
        return super.onContinueDialog(innerDc)
      case 'still-broken':
        if (!active && (await this.deps.state.memory.get(context, {})).lastProcedure) {
          await innerDc.cancelAllDialogs()
          await context.sendActivity(messages.stillBrokenAfter)
          return innerDc.beginDialog(HANDOFF, { reason: 'procedure-escalated' } satisfies HandoffOptions)
        }
        return super.onContinueDialog(innerDc)
      default:
        return super.onContinueDialog(innerDc) // unclear: the pending question is asked again, in other words
    }
  }

  private termText(term: string): string {
    return this.terms.find((t) => t.term === term)?.say ?? messages.askProblem
  }

  /** Whether the innermost running procedure asked the corrected fact before the step it is on. */
  private dependsOn(innerDc: DialogContext, slots: readonly Slot[]): boolean {
    // Any procedure on the stack: a sub-procedure hands a correction to the step that runs it.
    return loopsOf(innerDc.stack).some((options) => {
      const procedure = this.deps.procedures.get(options.procedureId)
      const asked = procedure?.steps.some((s) => s.ask?.slot && slots.includes(s.ask.slot) && s.id !== options.stepId) ?? false
      const here = procedure?.steps.find((s) => s.id === options.stepId)
      return asked || (here?.skipIf !== undefined && slots.includes(here.skipIf.slot))
    })
  }

  /** The step again ("say that again"), or after a side topic "Back to where we were: Step 2 of 3 ...". */
  private async resume(innerDc: DialogContext, announce: boolean): Promise<DialogTurnResult> {
    const { context } = innerDc
    const memory = await this.deps.state.memory.get(context, {})
    if (this.activeProcedure(innerDc.stack) && memory.lastStep) {
      // After a side topic a long step (a 7-item list) is named, not sent again: a phone screen holds it once.
      // "Say that again" still gets all of it.
      const long = memory.lastStep.length > LONG_STEP_CHARS && memory.lastStep.includes('\n')
      const back = long ? `${memory.lastStep.split('\n')[0]!.trim()} ${messages.seeAbove}` : memory.lastStep
      // The side answer was the step itself ("how do I register it?" at the registration list): just the question.
      const first = memory.lastStep.split('\n')[0]!.trim()
      const justSaid = sentThisTurn(context).some((t) => t.trim().startsWith(first))
      if (!justSaid) await context.sendActivity(announce ? `${messages.backTo} ${back}` : memory.lastStep)
    }
    await innerDc.repromptDialog()
    return Dialog.EndOfTurn
  }

  /** Whether the facts just changed lead to the step on screen anyway (its question's options for old and new agree). */
  private async landsHere(innerDc: DialogContext, changed: readonly Slot[]): Promise<boolean> {
    const options = loopsOf(innerDc.stack).at(-1)
    const procedure = this.deps.procedures.get(options?.procedureId ?? '')
    if (!procedure || !options?.stepId) return false
    const profile = await this.deps.state.profile.get(innerDc.context, {})
    return changed.every((slot) => {
      const asked = procedure.steps.find((s) => s.ask?.slot === slot)
      const option = asked?.ask?.options.find((o) => o.values?.includes(profile[slot] ?? ''))
      return option?.next !== undefined && 'step' in option.next && option.next.step === options.stepId
    })
  }

  private async hasHelp(innerDc: DialogContext): Promise<boolean> {
    return this.stepOf(innerDc)?.help !== undefined
  }

  /** The step on screen: the innermost running procedure's. */
  private stepOf(innerDc: DialogContext): Procedure['steps'][number] | undefined {
    const options = loopsOf(innerDc.stack).at(-1)
    return this.deps.procedures.get(options?.procedureId ?? '')?.steps.find((s) => s.id === options?.stepId)
  }

  /** "How do I do that?": the step's own detail if it has one, else the step again, one thing at a time. */
  private async explainStep(innerDc: DialogContext, about?: string): Promise<void> {
    const options = loopsOf(innerDc.stack).at(-1)
    const procedure = this.deps.procedures.get(options?.procedureId ?? '')
    const current = procedure?.steps.find((s) => s.id === options?.stepId)
    if (about) {
      // "What's SSL state?": what that part is for (its first step says it), not how to answer the question on screen.
      const first = this.deps.procedures.get(about)?.steps[0]
      if (first) await innerDc.context.sendActivity(`${this.deps.procedures.get(about)!.title}: ${first.say}`)
      return
    }
    // Asked again about the same step after its help: that is all the page has, so a person rather than a loop.
    const memory = await this.deps.state.memory.get(innerDc.context, {})
    const step = current ? `${procedure!.id}/${current.id}` : undefined
    if (step && memory.helpedWith === step) {
      await innerDc.context.sendActivity(messages.stepHelpAgain)
      await this.noteOffered(innerDc.context)
      return
    }
    if (step) await this.deps.state.memory.set(innerDc.context, { ...memory, helpedWith: step })
    if (current?.help) {
      await innerDc.context.sendActivity(renderContent(current.help, `${messages.stepHelp} `))
      return
    }
    await innerDc.context.sendActivity(messages.stepHelpGeneric)
    await this.noteOffered(innerDc.context)
    if (current) await innerDc.context.sendActivity(renderContent(current))
  }

  /**
   * "safari" (or "i'm on a mac") to "Which browser are you using?": the page's steps don't cover it, said plainly once,
   * with where to turn, rather than thanks and the same question. Whether it said so.
   */
  private async noOptionFor(innerDc: DialogContext, reading: Reading): Promise<boolean> {
    const { context } = innerDc
    const pending = pendingQuestion(innermost(innerDc.stack).at(-1)?.state)
    if (pending?.kind !== 'ask' || pending.slot !== 'browser') return false
    const { browser, os } = reading.found.facts
    const uncovered = browser !== undefined && !pending.options.some((o) => o.values?.includes(browser))
    if (uncovered) {
      await context.sendActivity(messages.browserNotCovered(browserName(browser!)))
      return true
    }
    return os === 'macos' && noteMacOnce(this.deps.state, context)
  }

  /**
   * Whether "Got it, thanks" fits the facts just noted: not after venting (the empathy line came first), and not when
   * the only fact is that they know their PIN because they typed it (the warning was the reply).
   */
  private thanksForFacts(context: TurnContext, reading: Reading): boolean {
    if (reading.vent) return false
    return !(secretsFound(context).length > 0 && Object.keys(reading.found.facts).every((slot) => slot === 'pin'))
  }

  /** Contact details the page doesn't give are never invented; a person is offered where there are agents. */
  private async noContact(context: TurnContext, stepEmail = false, forMe = false): Promise<void> {
    if (forMe) {
      await context.sendActivity(`${messages.cantContactForYou} ${this.deps.handoffQueue.staffed ? messages.noContactAgent : messages.noAgentHere}`)
      return
    }
    // "who is my local IT? i'm at a field site": the page names no IT team either; their unit or site knows.
    const localIt = /\b(local it|it team|it guys?|it department|it dept|it people|it support|s6)\b/i.test(context.activity.text ?? '')
    const text = stepEmail ? messages.stepEmail : localIt ? messages.noLocalIt : messages.noContactDetails
    await context.sendActivity(text + (this.deps.handoffQueue.staffed ? ` ${messages.noContactAgent}` : ''))
  }

  /** Thanks or goodbye at any point: a polite close, never "didn't catch that". */
  private async close(context: TurnContext, how: 'thanks' | 'bye' | 'ok'): Promise<DialogTurnResult> {
    noteOutcome(context, 'closed')
    // Closing in the middle of steps: say how to come back if it still fails.
    const during = context.turnState.get(CLOSING_DURING) === true
    await context.sendActivity(how === 'bye' ? messages.goodbye : how === 'ok' ? messages.closedOk : during ? messages.closedThanks : messages.thanks)
    return Dialog.EndOfTurn
  }

  /** The policy line, always (also mid-question); on push-back, the rule and the route again, calmly, and no handoff offered. */
  private async givePolicy(context: TurnContext, intentId: string, pushBack: boolean, midSteps = false): Promise<void> {
    const memory = await this.deps.state.memory.get(context, {})
    await this.deps.state.memory.set(context, { ...memory, lastPolicy: intentId })
    noteOutcome(context, 'referred')
    if (!pushBack) await this.noteLanguage(context)
    // Someone else's password (not PIN): theirs to reset, and the help desk theirs to contact.
    const said = clean(context.activity.text ?? '')
    const password = (/\b(password|passwd|pw)\b/.test(said) && !/\bpin\b/.test(said)) || (memory.lastPolicy === 'other-person' && memory.lastStep === messages.otherPersonPassword && !/\bpin\b/.test(said))
    const full = intentId === 'other-person' ? (password ? messages.otherPersonPassword : messages.otherPerson) : this.oneShotText(context, this.procedureOf.get(intentId)!)
    // Someone else's locked or forgotten PIN: the locked-PIN rule, said for a third person (counted as that procedure).
    if (intentId === 'other-person' && extractFacts(context.activity.text ?? '').facts.pin !== undefined) noteProcedure(context, 'pin-locked-or-forgotten')
    // Said again (a push-back, a follow-up): the rule and the way forward, without the notes between them.
    // A note the message asks about ("what about the card reader?") stays.
    const paragraphs = full.split('\n\n')
    const asked = new Set(clean(context.activity.text ?? '').split(' ').filter((w) => w.length >= 5))
    const asksAbout = (p: string) => clean(p).split(' ').some((w) => w.length >= 5 && (asked.has(w) || asked.has(`${w}s`) || asked.has(w.replace(/s$/, ''))))
    const kept = paragraphs.filter((p, i) => i === 0 || i === paragraphs.length - 1 || asksAbout(p))
    // "ok what about just the reader" after the buying-a-CAC rule: a question about its note, not a push-back to apologise for.
    if (pushBack && paragraphs.some((p, i) => i > 0 && i < paragraphs.length - 1 && asksAbout(p)) && !signalsOf(context.activity.text ?? '').has('push-back')) pushBack = false
    const again = memory.lastPolicy === intentId
    // "I need my PIN reset", neither forgotten nor locked said: the page's other case (a known PIN is changed by the user).
    const policy = this.deps.procedures.get(this.procedureOf.get(intentId) ?? '')
    const profile = await this.deps.state.profile.get(context, {})
    const unstated = !again && !pushBack && policy?.ifUnstated && Object.keys(policy.appliesWhen ?? {}).every((slot) => profile[slot as Slot] === undefined)
    const text = again ? kept.join('\n\n') : unstated ? `${full}\n\n${policy.ifUnstated!.say}` : full
    // "can the help desk fix it today?" about a rule whose route IS the help desk (an EDIPI mismatch): no apology.
    const helpDeskRoute = Object.values(this.deps.procedures.get(this.procedureOf.get(intentId) ?? '')?.outcomes ?? {}).some((o) => o.kind === 'handoff')
    await context.sendActivity(pushBack ? `${helpDeskRoute ? messages.helpDeskIsTheRoute : messages.pushBack} ${text}` : text)
    if (!midSteps) {
      const memory = await this.deps.state.memory.get(context, {})
      await this.deps.state.memory.set(context, { ...memory, lastStep: text }) // "what now?" gets the way forward again
    }
  }

  /**
   * "new CAC won't work, and also I forgot my password": the first problem's steps start, and the second is not
   * dropped. A rule (a locked PIN, revoked certificates) is given at once, since it needs no steps; another
   * problem is kept for afterwards, offered when this one ends and reachable with "back" at any time.
   */
  private async keepOtherMatter(context: TurnContext, starting: string): Promise<void> {
    const other = (await this.recognize(context)).otherClause
    if (!other || other.score < HEDGE_SCORE) return
    const procedureId = this.procedureOf.get(other.intentId)
    if (!procedureId || procedureId === starting) return
    if (this.isPolicy(other.intentId) && other.score >= POLICY_SCORE) {
      await this.givePolicy(context, other.intentId, false, true)
      return
    }
    if (this.isOneShot(procedureId)) return
    await this.keepForLater(context, procedureId)
  }

  /** Another problem, kept for when this one ends (one at a time) and said so. Whether it was kept. */
  private async keepForLater(context: TurnContext, procedureId: string): Promise<boolean> {
    const memory = await this.deps.state.memory.get(context, {})
    if (memory.paused) return false
    const title = this.deps.procedures.get(procedureId)?.title ?? procedureId
    await this.deps.state.memory.set(context, { ...memory, paused: { procedureId, title, notStarted: true } })
    await context.sendActivity(messages.otherMatterKept(title))
    return true
  }

  /** "What do you see?" a second time, in other words, with a person offered where there are agents. */
  private async askVagueAgain(context: TurnContext): Promise<void> {
    const staffed = this.deps.handoffQueue.staffed
    await context.sendActivity(withProblemButtons(`${messages.vagueAgain}${staffed ? ` ${messages.orPerson}` : ''}`))
    if (staffed) await this.noteOffered(context)
  }

  /** The other problem with steps a two-part message names beside `intentId` (either part), if one is clear. */
  private async otherProblemThan(context: TurnContext, intentId: string): Promise<string | undefined> {
    const result = await this.recognize(context)
    const candidate = [result.mainClause, result.otherClause].find(
      (c) => c && c.intentId !== intentId && c.score >= HEDGE_SCORE && this.procedureOf.has(c.intentId) && !this.isOneShot(this.procedureOf.get(c.intentId)!),
    )
    return candidate?.intentId
  }

  /**
   * Whether a word of empathy is due: someone typing in capitals or venting every turn hears it once, then again only
   * after a few calm turns, not before every reply.
   */
  private async empathyDue(context: TurnContext): Promise<boolean> {
    const memory = await this.deps.state.memory.get(context, {})
    const turn = (memory.turns ?? 0)
    const due = memory.empathyAt === undefined || turn - memory.empathyAt >= EMPATHY_EVERY_TURNS
    if (due) await this.deps.state.memory.set(context, { ...memory, empathyAt: turn })
    return due
  }

  /** A one-message procedure as one message: its statements and its outcome. */
  private oneShotText(context: TurnContext, procedureId: string): string {
    const procedure = this.deps.procedures.get(procedureId)!
    const parts = procedure.steps.map((s) => renderContent(s))
    const last = procedure.steps.at(-1)!
    const target = last.next ?? procedure.exhausted
    if (target && 'outcome' in target && procedure.outcomes[target.outcome]) parts.push(renderContent(procedure.outcomes[target.outcome]!))
    noteProcedure(context, procedureId)
    noteOutcome(context, 'referred')
    return parts.join('\n\n')
  }

  private async smallTalk(innerDc: DialogContext, intentId: string): Promise<DialogTurnResult> {
    const { context } = innerDc
    switch (intentId) {
      case 'help':
        await context.sendActivity(messages.help)
        await this.noteOffered(context)
        await innerDc.repromptDialog()
        return Dialog.EndOfTurn
      case 'cancel':
        await innerDc.cancelAllDialogs()
        await context.sendActivity(messages.cancelled)
        return innerDc.endDialog()
      case 'start-over':
        await innerDc.cancelAllDialogs()
        await this.deps.state.helpDeskCase.set(context, newCase())
        await this.deps.state.memory.set(context, {})
        await context.sendActivity(messages.startOver)
        return innerDc.endDialog()
      case 'human-agent':
        await innerDc.cancelAllDialogs()
        return innerDc.beginDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
      case 'thanks':
      case 'goodbye':
        await innerDc.cancelAllDialogs()
        return this.close(context, intentId === 'goodbye' ? 'bye' : 'thanks')
      default:
        return this.resume(innerDc, false)
    }
  }

  /** Remembers the procedure being left for another problem, to offer to come back to it. */
  private async pause(context: TurnContext, innerDc: DialogContext, active: string | undefined): Promise<void> {
    if (!active) return
    const top = loopsOf(innerDc.stack)[0]
    const stepId = top?.stepId
    // The step on screen is shown again on return: counted as not shown yet, with the total announced.
    const shown = top?.at !== undefined ? top.at - 1 : undefined
    const memory = await this.deps.state.memory.get(context, {})
    await this.deps.state.memory.set(context, {
      ...memory,
      paused: { procedureId: active, stepId, title: this.deps.procedures.get(active)?.title ?? active, shown, total: top?.total },
    })
  }

  /** The top-level procedure running now, if any. */
  private activeProcedure(stack: readonly DialogInstance[]): string | undefined {
    const run = stack.find((entry) => entry.id === RUN)
    return (run?.state as { options?: RunOptions } | undefined)?.options?.procedureId
  }

  /** The first thing the user asked for help with, for the agent (redacted already). */
  private async noteQuestion(context: TurnContext): Promise<void> {
    const helpDeskCase = await this.deps.state.helpDeskCase.get(context, newCase())
    if (!helpDeskCase.question) await this.deps.state.helpDeskCase.set(context, { ...helpDeskCase, question: context.activity.text })
  }

  /** The recognition event of this turn's problem (once a turn): ids and the score, never the words. */
  private async noteRecognised(context: TurnContext, how: { intentId?: string; clarified?: boolean; outOfScope?: boolean }): Promise<void> {
    if (!this.deps.analytics || context.turnState.get(NOTED_RECOGNITION)) return
    context.turnState.set(NOTED_RECOGNITION, true)
    const result = await this.recognize(context)
    const intentId = how.intentId ?? result.topIntent ?? NONE
    this.deps.analytics.record(context, {
      kind: 'intent.recognised',
      intentId,
      score: Math.round((result.intents[intentId]?.score ?? 0) * 1000) / 1000,
      clarified: how.clarified ?? false,
      outOfScope: how.outOfScope ?? false,
    })
  }

  private async startCase(context: TurnContext, intentId: string): Promise<void> {
    await this.noteRecognised(context, { intentId })
    // A new problem: an old rule is no longer what a "can't you just..." is about.
    if (!this.isPolicy(intentId)) {
      const memory = await this.deps.state.memory.get(context, {})
      if (memory.lastPolicy) await this.deps.state.memory.set(context, { ...memory, lastPolicy: undefined })
    }
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
    const { reading, changed } = await this.read(context, [])
    const memory = await this.deps.state.memory.get(context, {})
    const offeredPerson = memory.offeredPerson === true
    memory.offeredPerson = undefined // an offer is answered on the next turn or not at all
    await this.deps.state.memory.set(context, reading.kind !== 'unclear' ? { ...memory, unclear: 0 } : memory)
    // The answer to "how helpful was this chat?" (or its comment); anything else goes on as usual.
    if (await this.deps.rating?.take(context, reading)) return step.endDialog()
    if (reading.vent && reading.kind !== 'vent' && reading.kind !== 'close' && (await this.empathyDue(context))) await context.sendActivity(messages.empathy)
    // "yes please" right after a person was offered takes the offer, whatever else "yes" could mean with nothing pending.
    const accepts = ['unclear', 'small-talk', 'ack', 'worked'].includes(reading.kind) && wordCount(context.activity.text ?? '') <= 5 && readPolarity(clean(context.activity.text ?? '')) === 'yes'
    if (offeredPerson && accepts) {
      await this.noteQuestion(context)
      return step.replaceDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
    }
    // "he told me what it is, i can just send it to you so you can fix it" right after a rule: the "don't send it" line
    // is said, and the offer pushes back on the rule, whatever else its words resemble ("fix it" is no request for help).
    if (secretsOffered(context).length > 0 && memory.lastPolicy && !['policy', 'person', 'problem', 'clarify'].includes(reading.kind)) {
      await this.givePolicy(context, memory.lastPolicy, true)
      return step.endDialog()
    }
    switch (reading.kind) {
      case 'person':
        await this.noteQuestion(context)
        return step.replaceDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
      case 'problem':
      case 'policy': {
        await this.noteQuestion(context)
        if (reading.kind === 'policy' && (reading.pushBack || reading.intentId === 'other-person')) {
          await this.givePolicy(context, reading.intentId, reading.pushBack)
          return step.endDialog()
        }
        if (reading.kind === 'policy') {
          await this.givePolicy(context, reading.intentId, false)
          await this.startCase(context, reading.intentId)
          // "page cannot be displayed, on top of that my pin is locked": the rule, then the other problem's steps.
          const other = await this.otherProblemThan(context, reading.intentId)
          if (!other) return step.endDialog()
          await context.sendActivity(messages.onTo(this.titleOf(other)))
          await this.startCase(context, other)
          return step.replaceDialog(RUN, { procedureId: this.procedureOf.get(other)! } satisfies RunOptions)
        }
        if (reading.hedge) await context.sendActivity(messages.soundsLike(this.titleOf(reading.intentId)))
        await this.keepOtherMatter(context, this.procedureOf.get(reading.intentId)!)
        await this.startCase(context, reading.intentId)
        await this.noteLanguage(context)
        return step.replaceDialog(RUN, { procedureId: this.procedureOf.get(reading.intentId)! } satisfies RunOptions)
      }
      case 'clarify':
        await this.noteQuestion(context)
        await this.noteRecognised(context, { clarified: true, intentId: reading.intentIds[0] })
        return step.replaceDialog(CHOOSE, { intentIds: reading.intentIds } satisfies ChooseOptions)
      case 'contact':
        await this.noContact(context, reading.stepEmail, reading.forMe)
        return step.endDialog()
      case 'no-admin':
        await context.sendActivity(messages.noAdmin)
        return step.endDialog()
      case 'vague': {
        await this.noteQuestion(context)
        // Asked already and still no symptom: the question in other words, and a person offered with it.
        if (memory.lastStep === messages.vague) {
          await this.askVagueAgain(context)
          return step.endDialog()
        }
        await context.sendActivity(withProblemButtons(messages.vague))
        await this.deps.state.memory.set(context, { ...(await this.deps.state.memory.get(context, {})), lastStep: messages.vague })
        return step.endDialog()
      }
      case 'repeat':
      case 'resume': {
        if (memory.paused) return this.resumePaused(step)
        // "huh?" after "what do you see?": that question again, with its buttons.
        if (reading.kind === 'repeat' && memory.lastStep === messages.vague) {
          // Asked what they see and still nothing to go on ("??"): the question once more, and a person offered with it.
          await this.askVagueAgain(context)
          return step.endDialog()
        }
        if (reading.kind === 'repeat' && memory.lastStep) {
          await context.sendActivity(`${messages.whereWeLeftIt} ${memory.lastStep}`)
          return step.endDialog()
        }
        await context.sendActivity(messages.nothingToResume)
        return step.endDialog()
      }
      case 'close':
        await this.close(context, reading.how)
        return step.endDialog()
      case 'worked':
        // "it works now" after the steps ended: the user confirms what the bot had assumed.
        if (memory.lastProcedure) this.deps.analytics?.record(context, { kind: 'procedure.outcome', procedureId: memory.lastProcedure, outcome: 'resolved-confirmed' })
        noteOutcome(context, 'resolved')
        await context.sendActivity(memory.lastProcedure ? messages.closedSolved : messages.askProblem)
        if (memory.lastProcedure) await this.askRating(context, memory.lastProcedure)
        return step.endDialog()
      case 'referral-failed': {
        // The page's route once more (it was the last thing said), and a person for when that route is a dead end.
        // The page's other route for this referral when it has one (contractors: e-mail for the ActivClient folder).
        const otherwise = this.deps.procedures.get(memory.lastProcedure ?? '')?.outcomes[memory.referredOutcome ?? '']?.otherwise
        const lead = reading.failed ? messages.referralFailed : messages.referralAgain
        const route = otherwise
          ? `${reading.failed ? `${messages.referralSorry} ` : ''}${this.deps.handoffQueue.staffed || !otherwise.unstaffed ? otherwise.say : otherwise.unstaffed}`
          : memory.lastStep ? `${lead} ${memory.lastStep}` : lead
        await context.sendActivity(route)
        // No agents here: the help desk named, not a "Talk to a person" button that would only say none is available.
        if (!this.deps.handoffQueue.staffed) {
          await context.sendActivity(messages.referralHelpDesk)
          return step.endDialog()
        }
        const actions = [{ type: ActionTypes.ImBack, title: messages.talkToPerson, value: messages.talkToPerson }]
        await context.sendActivity(MessageFactory.suggestedActions(actions, messages.referralPerson))
        await this.noteOffered(context)
        return step.endDialog()
      }
      case 'still-broken':
        if (memory.lastProcedure) {
          await context.sendActivity(messages.stillBrokenAfter)
          return step.replaceDialog(HANDOFF, { reason: 'procedure-escalated' } satisfies HandoffOptions)
        }
        await context.sendActivity(messages.askProblem)
        return step.endDialog()
      case 'facts': {
        // A correction of what an ended procedure branched on ("actually I do know my PIN") runs it again.
        const again = memory.lastProcedure && this.deps.procedures.get(memory.lastProcedure)?.steps.some((s) => s.ask?.slot && changed.includes(s.ask.slot))
        if (again) {
          await context.sendActivity(this.replanText(context, changed))
          return step.replaceDialog(RUN, { procedureId: memory.lastProcedure! } satisfies RunOptions)
        }
        // "mine is the oberthur id one" with nothing running: a fact only one problem's steps ask for names that problem.
        // (Only facts that mean nothing outside those steps: "im army" or "it's registered" alone names no problem.)
        const slots = Object.keys(reading.found.facts) as Slot[]
        const askers = slots.length > 0 && slots.every((slot) => PROBLEM_FACTS.includes(slot)) ? [...this.procedureOf].filter(([, id]) => !this.isPolicy(this.intentOf(id) ?? '') && slots.every((slot) => this.asks(id, slot))) : []
        if (askers.length === 1 && !memory.lastProcedure) {
          const [intentId, procedureId] = askers[0]!
          await this.noteQuestion(context)
          await context.sendActivity(messages.soundsLike(this.titleOf(intentId)))
          await this.startCase(context, intentId)
          return step.replaceDialog(RUN, { procedureId } satisfies RunOptions)
        }
        await context.sendActivity(this.thanksForFacts(context, reading) ? `${messages.notedFact} ${messages.askProblem}` : messages.askProblem)
        return step.endDialog()
      }
      case 'vent':
        await context.sendActivity(messages.ventNoProblem)
        return step.endDialog()
      case 'about-bot':
        await context.sendActivity(messages.aboutBot)
        return step.endDialog()
      case 'term': {
        await context.sendActivity(this.termText(reading.term))
        // "whats activclient and do I need it? got a new cac": the word explained, then the problem the rest names.
        const rest = (context.activity.text ?? '').split(/(?<=[?.!])\s+/).filter((t) => !t.trim().endsWith('?') && !termAsked(t, this.terms)).join(' ')
        const named = rest.trim() ? this.route(this.deps.recognizer.recognize(rest)) : undefined
        if (named?.kind === 'intent' && this.procedureOf.has(named.intentId) && !this.isPolicy(named.intentId)) {
          await this.noteQuestion(context)
          await context.sendActivity(messages.soundsLike(this.titleOf(named.intentId)))
          await this.startCase(context, named.intentId)
          return step.replaceDialog(RUN, { procedureId: this.procedureOf.get(named.intentId)! } satisfies RunOptions)
        }
        return step.endDialog()
      }
      case 'own-info':
        await context.sendActivity(reading.need ? await this.whatTheyNeed(context) : `${messages.ownInfo} ${messages.askProblem}`)
        return step.endDialog()
      case 'small-talk':
        if (reading.intentId === 'human-agent') return step.replaceDialog(HANDOFF, { reason: 'asked-for-human' } satisfies HandoffOptions)
        if (reading.intentId === 'greeting' && wasWelcomedThisTurn(context)) return step.endDialog() // the welcome already greeted
        if (reading.intentId === 'thanks' || reading.intentId === 'goodbye') {
          await this.close(context, reading.intentId === 'goodbye' ? 'bye' : 'thanks')
          return step.endDialog()
        }
        await context.sendActivity(SMALL_TALK[reading.intentId] ?? messages.askProblem)
        if (reading.intentId === 'help') await this.noteOffered(context) // it ends with "or talk to a person"
        return step.endDialog()
      case 'out-of-scope': {
        await this.noteQuestion(context)
        await this.noteRecognised(context, { outOfScope: true })
        if (secretsFound(context).length > 0 || secretsOffered(context).length > 0) {
          // "my ssn is … if you need it", "want me to send you my ssn?": the warning said it all; what is left is no topic to turn away.
          await context.sendActivity(memory.lastStep ? `${messages.whereWeLeftIt} ${memory.lastStep}` : messages.askProblem)
          return step.endDialog()
        }
        // An expired card: the page's first requirement says why, before who renews it.
        // Answered in part already (the card must be valid), so the office that renews it follows without "Sorry, not something I can help with".
        const expired = EXPIRED.test(clean(context.activity.text ?? ''))
        if (expired) await context.sendActivity(messages.expiredCard)
        const staffed = this.deps.handoffQueue.staffed
        await context.sendActivity(
          MessageFactory.suggestedActions(
            (staffed ? [messages.talkToPerson, messages.whatCanYouDo] : [messages.whatCanYouDo]).map((title) => ({ type: ActionTypes.ImBack, title, value: title })),
            await this.outOfScopeText(context, staffed, reading.topic, !expired),
          ),
        )
        if (staffed) await this.noteOffered(context)
        return step.endDialog()
      }
      case 'something-else':
        await context.sendActivity(messages.rephraseProblem)
        return step.endDialog()
      default: {
        // Nothing fits: ask in other words once, then offer a person rather than loop.
        const unclear = (memory.unclear ?? 0) + 1
        await this.deps.state.memory.set(context, { ...memory, unclear })
        if (unclear > (this.deps.maxReprompts ?? 2)) {
          await this.deps.state.memory.set(context, { ...memory, unclear: 0 })
          await context.sendActivity(messages.unclear)
          return step.replaceDialog(OFFER, { reason: 'unclear-answers' } satisfies HandoffOptions)
        }
        // The second time: the common problems as buttons, easier than finding words for it.
        if (unclear === 2) {
          await context.sendActivity(withProblemButtons(messages.vague))
          await this.deps.state.memory.set(context, { ...memory, unclear, lastStep: messages.vague })
          return step.endDialog()
        }
        await context.sendActivity(wordCount(context.activity.text ?? '') <= 3 ? messages.askProblem : messages.rephrase)
        return step.endDialog()
      }
    }
  }

  /** Who handles a topic the page doesn't cover, when we know; `offer`: with the person offer its buttons make. */
  private async outOfScopeText(context: TurnContext, offer: boolean, read?: string, apologise = true): Promise<string> {
    const result = await this.recognize(context)
    const route = this.route(result)
    const topic = read ?? (route.kind === 'none' ? route.topic : undefined)
    turnLogger(context).info({ route: 'none', topic }, 'out of scope')
    const refer = topic ? this.referOf.get(topic) : undefined
    const text = refer
      ? offer
        ? apologise ? messages.outOfScopeTopic(refer) : messages.referTopic(refer)
        : apologise ? messages.outOfScopeAside(refer) : refer
      : offer ? messages.outOfScope : messages.outOfScopeAsideUnknown
    return (result.language === 'es' ? `${messages.spanishOutOfScope}\n\n` : '') + text
  }

  /**
   * Whether this message accepts a person the bot's last words offered: "yes please" (which answers no "does it work
   * now?"). The offer is forgotten either way: it is answered on the next turn or not at all.
   */
  private async takesOffer(context: TurnContext, reading: Reading): Promise<boolean> {
    const memory = await this.deps.state.memory.get(context, {})
    if (!memory.offeredPerson) return false
    await this.deps.state.memory.set(context, { ...memory, offeredPerson: undefined })
    const text = context.activity.text ?? ''
    const open = reading.kind === 'unclear' || reading.kind === 'small-talk' || reading.kind === 'ack' || (reading.kind === 'answer' && reading.answer.kind === 'unsure')
    return open && wordCount(text) <= 5 && readPolarity(clean(text)) === 'yes'
  }

  /** A person was just offered (help text, out-of-scope buttons): a plain "yes please" next takes it. */
  private async noteOffered(context: TurnContext): Promise<void> {
    await this.deps.state.memory.set(context, { ...(await this.deps.state.memory.get(context, {})), offeredPerson: true })
  }

  private async resumePaused(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const memory = await this.deps.state.memory.get(step.context, {})
    const paused = memory.paused!
    await this.deps.state.memory.set(step.context, { ...memory, paused: undefined })
    await step.context.sendActivity(paused.notStarted ? messages.onTo(paused.title) : messages.resuming(paused.title))
    return step.replaceDialog(RUN, { procedureId: paused.procedureId, stepId: paused.stepId, shown: paused.shown, total: paused.total } satisfies RunOptions)
  }

  private async offerChoicesStep(step: WaterfallStepContext<ChooseOptions>): Promise<DialogTurnResult> {
    return step.prompt(ANSWER, questionPrompt(this.choices(step.options.intentIds), this.maxReprompts))
  }

  /** "Did you mean": the close candidates side by side, and "Neither". */
  private choices(intentIds: readonly string[]): PendingQuestion {
    // Short labels for a phone; the full titles are in the text, numbered like the buttons.
    const procedures = intentIds.map((id) => this.deps.procedures.get(this.procedureOf.get(id) ?? ''))
    const options = [
      ...procedures.map((p, i) => ({ label: p?.short ?? p?.title ?? intentIds[i]!, synonyms: p ? [p.title, p.id.replace(/-/g, ' ')] : [] })),
      { label: messages.neither, synonyms: ['none', 'none of these', 'no', 'something else', 'neither of those'] },
    ]
    const list = procedures.map((p, i) => `${i + 1}. ${p?.title ?? intentIds[i]}`).join('\n')
    return { kind: 'choose', question: `${messages.didYouMean}\n\n${list}`, options }
  }

  private async chooseStep(step: WaterfallStepContext<ChooseOptions>): Promise<DialogTurnResult> {
    const { intentIds } = step.options
    const answer = answerOf(step.context, this.choices(intentIds))
    const intentId = answer?.kind === 'option' ? intentIds[answer.index] : undefined
    if (!intentId) {
      await step.context.sendActivity(messages.rephrase)
      return step.endDialog()
    }
    step.context.turnState.set(NOTED_RECOGNITION, true) // counted as clarified when the choice was offered
    await this.startCase(step.context, intentId)
    if (this.isPolicy(intentId)) {
      await this.givePolicy(step.context, intentId, false)
      return step.endDialog()
    }
    await this.noteLanguage(step.context)
    return step.replaceDialog(RUN, { procedureId: this.procedureOf.get(intentId)! } satisfies RunOptions)
  }

  /** The steps are in English: a Spanish message is told so, in Spanish. */
  private async noteLanguage(context: TurnContext): Promise<void> {
    if ((await this.recognize(context)).language === 'es') await context.sendActivity(messages.spanishSteps)
  }

  private titleOf(intentId: string): string {
    return this.deps.procedures.get(this.procedureOf.get(intentId) ?? '')?.title ?? intentId
  }

  private async runStep(step: WaterfallStepContext<RunOptions>): Promise<DialogTurnResult> {
    const { procedureId, stepId, shown, total } = step.options
    return step.beginDialog(PROCEDURE_DIALOG, { procedureId, ...(stepId && { stepId, shown, total }) } satisfies ProcedureOptions)
  }

  private async outcomeStep(step: WaterfallStepContext<RunOptions>): Promise<DialogTurnResult> {
    const outcome = step.result as ProcedureOutcome
    const { context } = step
    const helpDeskCase = await this.deps.state.helpDeskCase.get(context, newCase())
    // The newest steps only: a user who keeps going round must not grow the state without bound.
    await this.deps.state.helpDeskCase.set(context, { ...helpDeskCase, trail: [...helpDeskCase.trail, ...outcome.trail].slice(-MAX_TRAIL) })
    const memory = await this.deps.state.memory.get(context, {})
    const referredOutcome = outcome.outcome === 'referred' && 'outcomeId' in outcome ? outcome.outcomeId : undefined
    await this.deps.state.memory.set(context, { ...memory, lastProcedure: step.options.procedureId, referred: outcome.outcome === 'referred', referredOutcome })
    switch (outcome.outcome) {
      case 'resolved':
        return this.solved(step)
      case 'referred':
      case 'answered': {
        // The page's answer is the outcome (ID card office, branch of service, local IT): no help desk offered for it.
        noteOutcome(context, 'referred')
        if (this.isPolicy(outcome.procedureId)) await this.deps.state.memory.set(context, { ...memory, lastPolicy: this.intentOf(outcome.procedureId), lastProcedure: outcome.procedureId, referred: true })
        // A rule another procedure's outcome states (only for a procedure that is not itself the rule: a locked PIN's
        // outcome names the ID card office, as buying a CAC's does, and stays the locked-PIN rule).
        const rule = 'outcomeId' in outcome && !this.isPolicy(outcome.procedureId) ? this.policyStatedBy(outcome.procedureId, outcome.outcomeId) : undefined
        if (rule) await this.deps.state.memory.set(context, { ...(await this.deps.state.memory.get(context, {})), lastPolicy: rule })
        await this.offerReturn(context)
        return step.endDialog()
      }
      // The page's steps are used up and its next step is the help desk: the case is opened at once (the user can
      // say "cancel"), rather than asking consent for the only way forward. Unclear answers still ask first.
      case 'exhausted':
        await context.sendActivity(messages.exhausted)
        return step.replaceDialog(HANDOFF, { reason: 'procedure-escalated' } satisfies HandoffOptions)
      case 'unclear':
        await context.sendActivity(messages.unclear)
        return step.replaceDialog(OFFER, { reason: 'unclear-answers' } satisfies HandoffOptions)
      case 'handoff':
        // With nobody here to take the chat, the page's route is the answer: "can you clear it?" gets it again, calmly.
        if (!this.deps.handoffQueue.staffed && this.onlyStatements(outcome.procedureId)) {
          await this.deps.state.memory.set(context, { ...memory, lastPolicy: this.intentOf(outcome.procedureId), lastProcedure: outcome.procedureId })
        }
        return step.replaceDialog(HANDOFF, { reason: 'procedure-escalated' } satisfies HandoffOptions)
      case 'undo': // only a sub-procedure ends so; the top-level one asks its first question again itself
      case 'replan':
        return step.endDialog()
    }
  }

  /**
   * The policy an outcome states, when it quotes the same passage of the page as a policy procedure's outcome (the
   * change-PIN steps ending at the ID card office state the locked-PIN rule), so a push-back gets that rule again.
   */
  private policyStatedBy(procedureId: string, outcomeId: string): string | undefined {
    const source = this.deps.procedures.get(procedureId)?.outcomes[outcomeId]?.source
    if (!source || !('seed' in source)) return undefined
    // The rule that quotes the most of it: the locked-PIN rule's passage, not the few words buying a CAC shares with it.
    let best: { intentId: string; length: number } | undefined
    for (const [intentId, id] of this.procedureOf) {
      const policy = this.deps.procedures.get(id)
      if (!policy?.policy || id === procedureId) continue
      for (const o of Object.values(policy.outcomes)) {
        if (!('seed' in o.source) || !(o.source.seed.includes(source.seed) || source.seed.includes(o.source.seed))) continue
        const length = Math.min(o.source.seed.length, source.seed.length)
        if (length > (best?.length ?? 0)) best = { intentId, length }
      }
    }
    return best?.intentId
  }

  private intentOf(procedureId: string): string | undefined {
    for (const [intentId, id] of this.procedureOf) if (id === procedureId) return intentId
    return undefined
  }

  /** After a problem ends, the one left for it is offered again. */
  private async offerReturn(context: TurnContext): Promise<void> {
    const { paused } = await this.deps.state.memory.get(context, {})
    if (paused) await context.sendActivity(paused.notStarted ? messages.otherMatterOffer(paused.title) : messages.returnOffer(paused.title))
  }

  /** The problem is solved: the next one starts a fresh case, so an agent never sees an old problem as the current one. */
  private async solved(step: WaterfallStepContext<RunOptions>): Promise<DialogTurnResult> {
    await this.deps.state.helpDeskCase.set(step.context, newCase())
    await this.deps.state.memory.set(step.context, { ...(await this.deps.state.memory.get(step.context, {})), lastStep: undefined })
    noteOutcome(step.context, 'resolved')
    await step.context.sendActivity(messages.glad)
    await this.offerReturn(step.context)
    await this.askRating(step.context, step.options.procedureId)
    return step.endDialog()
  }

  /** "How helpful was this?" once a problem is solved, unless another one is waiting to be taken up again. */
  private async askRating(context: TurnContext, procedureId: string | undefined): Promise<void> {
    if ((await this.deps.state.memory.get(context, {})).paused) return
    await this.deps.rating?.askAfterBot(context, procedureId)
  }

  private async offerStep(step: WaterfallStepContext<HandoffOptions>): Promise<DialogTurnResult> {
    if (!this.deps.handoffQueue.staffed) return this.unstaffed(step)
    return step.prompt(ANSWER, questionPrompt({ kind: 'yes-no', question: messages.offerAgent }, this.maxReprompts))
  }

  private async offerAnswerStep(step: WaterfallStepContext<HandoffOptions>): Promise<DialogTurnResult> {
    const answer = answerOf(step.context, { kind: 'yes-no', question: messages.offerAgent })
    if (answer?.kind === 'option' && answer.index === 0) {
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
    // "what's the help desk's phone number?": the page gives none, said plainly before the way to them.
    const asksContact = signalsOf(step.context.activity.text ?? '').has('contact')
    await step.context.sendActivity(asksContact ? `${messages.noContactDetails} ${messages.noAgentHere}` : messages.noAgentHere)
    // "what now?" next gets where to turn again, not only "the steps are used up".
    const memory = await this.deps.state.memory.get(step.context, {})
    await this.deps.state.memory.set(step.context, { ...memory, lastStep: memory.lastStep && !memory.lastStep.includes(messages.noAgentHere) ? `${memory.lastStep} ${messages.noAgentHere}` : messages.noAgentHere })
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
      facts: factsFor(profile),
      trail: helpDeskCase.trail,
      reason: step.options.reason,
      requestedAt: new Date().toISOString(),
    }
    const full: HandoffPacket = { ...packet, summary: summarise(packet) }
    const reference = TurnContext.getConversationReference(context.activity)
    const { id, queued, hours } = await this.deps.handoffQueue.request(full, reference)
    turnLogger(context).info({ handoffId: id, reason: packet.reason, intentId: packet.intentId, queued }, 'handoff requested')
    await context.sendActivity(queued ? messages.connecting(id) : MessageFactory.suggestedActions([...messages.contactActions], messages.helpDeskClosed(id, hours)))
    // The standard event, for agent hubs that take handoffs (botbuilder's EventFactory, with the redacted transcript).
    const activities = (await this.deps.handoffQueue.transcript(context.activity.channelId, context.activity.conversation.id)) as Activity[]
    await context.sendActivity(EventFactory.createHandoffInitiation(context, { caseId: id, ...full }, { activities }))
    noteOutcome(context, 'handoff')
    this.deps.analytics?.record(context, { kind: 'handoff.queued', reason: step.options.reason })
    await this.deps.state.helpDeskCase.set(context, newCase()) // handed over: what comes after is a new case
    const { lastProcedure, lastStep } = await this.deps.state.memory.get(context, {})
    await this.deps.state.memory.set(context, { ...(lastProcedure && { handedOverFrom: lastProcedure }), ...(lastStep && { handedOverStep: lastStep }) })
    return step.endDialog()
  }
}

/** The facts for the agent, hinted ones marked as such. */
function factsFor(profile: Profile): Record<string, string> {
  const facts: Record<string, string> = {}
  for (const [key, value] of Object.entries(profile)) {
    if (key === 'hinted' || value === undefined) continue
    if (key === 'tried') {
      if ((value as string[]).length > 0) facts.tried = (value as string[]).join(', ')
      continue
    }
    facts[key] = profile.hinted?.includes(key as Slot) ? `${String(value)} (from the web page, not confirmed)` : String(value)
  }
  return facts
}
