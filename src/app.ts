import { readFileSync } from 'node:fs'
import './dialogsRegistration.js' // botbuilder-dialogs' registration built once, not for every DialogContext
import { ConversationState, TranscriptLoggerMiddleware, type Middleware } from 'botbuilder'
import { intents } from '../intents/index.js'
import { createHelpDeskState } from '../dialogs/helpDeskState.js'
import { MainDialog } from '../dialogs/mainDialog.js'
import { RatingFlow } from '../dialogs/rating.js'
import { ProcedureDialog } from '../dialogs/procedureDialog.js'
import { LastAskedState, secretRedaction, secretWarning } from '../dialogs/redaction.js'
import { turnLogging } from '../dialogs/turnLogger.js'
import type { Config } from './core/config.js'
import { checkIntents } from './core/intentCheck.js'
import type { Logger } from './core/logger.js'
import { loadProcedures } from './core/procedures.js'
import { thresholdsFrom } from './core/routing.js'
import { createRecognizer } from './core/recognizer.js'
import { createCaseView, type CaseView } from './agent/caseView.js'
import { boundRecognizer } from './core/boundedRecognizer.js'
import { HelpDeskBot } from './bot.js'
import { StoredConversationState } from './conversationState.js'
import type { Stores } from './core/ports.js'
import { HandoffService } from './handoff/service.js'
import { PortTranscriptStore } from './handoff/transcripts.js'
import { openStores } from './infra/index.js'
import { AnalyticsRecorder } from './core/analytics.js'
import { scheduleRetention } from './analytics/retention.js'
import { watchOutages, type OutageWatch } from './analytics/outage.js'
import { NoticeBoard } from './core/serviceNotice.js'
import { teamsBehaviour } from './teams/teamsMiddleware.js'
import { loadCannedReplies, type CannedReply } from './core/cannedReplies.js'

export const SEED_PATH = 'knowledge/seed/cac-ako-help.txt'
export const CANNED_REPLIES_PATH = 'knowledge/canned-replies.json'

/**
 * botbuilder's TranscriptLoggerMiddleware, for turns that have a user: it fails on activities without `from`, such
 * as the event a proactive "create conversation" turn starts with (announcing a case in the Teams agents' channel).
 */
function transcriptLogging(store: PortTranscriptStore): Middleware {
  const inner = new TranscriptLoggerMiddleware(store)
  return { onTurn: (context, next) => (context.activity.from ? inner.onTurn(context, next) : next()) }
}

/** Everything one bot needs, whichever adapter (HTTP or terminal) drives it. */
export interface HelpDesk {
  bot: HelpDeskBot
  conversationState: ConversationState
  middlewares: Middleware[]
  /** Storage, from the configured engine: only src/infra/ knows which. */
  stores: Stores
  handoffQueue: HandoffService
  /** Titles and readable names for what agents see of a case. */
  caseView: CaseView
  /** What agents can pick to start a reply (knowledge/canned-replies.json). */
  cannedReplies: readonly CannedReply[]
  /** The outage notice agents set: the help page's banner and the bot's first message. */
  notices: NoticeBoard
  /** Problems reported far above their usual hourly rate, for the console's alert. */
  outage: OutageWatch
  /** Every intent's id, for filing a proposed training utterance under one. */
  intentIds: readonly string[]
  close(): Promise<void>
}

/** Wires knowledge, recognizer, dialogs, state and storage together. Reads no environment. */
export async function createHelpDesk(config: Config, logger: Logger): Promise<HelpDesk> {
  const started = performance.now()
  const seedText = readFileSync(SEED_PATH, 'utf8')
  const procedures = loadProcedures(config.KNOWLEDGE_DIR, { seedText })
  const cannedReplies = loadCannedReplies(CANNED_REPLIES_PATH, seedText).replies
  checkIntents(intents, procedures)
  const recognizer = boundRecognizer(createRecognizer(intents, { minScore: config.RECOGNIZER_MIN_SCORE, procedures }), config.RECOGNIZER_MAX_CHARS)
  const stores = await openStores(config, logger)
  // Saved with a version check: with the conversation lock a conflict means a turn ran outside it, which must fail.
  const conversationState = new StoredConversationState(stores.state, { checkVersion: true })
  const state = createHelpDeskState(conversationState)
  const transcripts = new PortTranscriptStore(stores.transcripts)
  const analytics = new AnalyticsRecorder(stores.analytics, (err) => logger.error({ err }, 'analytics event not stored'))
  const handoffQueue = new HandoffService(
    stores.cases,
    transcripts,
    config.AGENT_ACCOUNTS,
    { waitSeconds: config.HANDOFF_WAIT_SECONDS, hours: config.HANDOFF_HOURS, timeZone: config.HANDOFF_TIMEZONE },
    logger,
    { events: stores.consoleEvents, bus: stores.bus, jobs: stores.jobs, afterCommit: (then) => stores.afterCommit(then), analytics, ratings: stores.ratings },
  )
  const stopListening = await handoffQueue.listen()
  const mainDialog = new MainDialog({
    recognizer,
    intents,
    procedures,
    procedureDialog: new ProcedureDialog(procedures, state, config.MAX_REPROMPTS, handoffQueue, analytics),
    state,
    handoffQueue,
    thresholds: thresholdsFrom(config),
    maxReprompts: config.MAX_REPROMPTS,
    analytics,
    rating: new RatingFlow(stores.ratings, state.rating, analytics, (caseId) => caseId && handoffQueue.caseChanged(caseId)),
  })
  const stopRetention = scheduleRetention(
    { analytics: stores.analytics, suggestions: stores.suggestions, jobs: stores.jobs, logger, ratings: stores.ratings, activities: stores.activities, state: stores.state, cases: stores.cases },
    config.RETENTION_DAYS,
  )
  const problems = new Set(intents.filter((i) => i.procedure).map((i) => i.id))
  const outage = watchOutages({ events: stores.analytics, jobs: stores.jobs, logger, isProblem: (id) => problems.has(id) })
  const notices = new NoticeBoard(stores.notices)
  logger.info(
    { procedures: procedures.size, intents: intents.length, ms: Math.round(performance.now() - started) },
    'help desk ready',
  )
  return {
    bot: new HelpDeskBot(conversationState, state, mainDialog, handoffQueue, { analytics, notices }),
    conversationState,
    // Teams first (a channel message not addressed to us is dropped untouched); the turn's logger (ids only) so the
    // redaction's own event is logged; then redaction: nothing after it, transcripts included, ever sees a secret;
    // the warning after the transcript logger, so the transcript has it.
    middlewares: [
      teamsBehaviour(),
      turnLogging(logger),
      secretRedaction({ lastAsked: new LastAskedState(stores.state) }),
      transcriptLogging(transcripts),
      secretWarning(),
    ],
    stores,
    handoffQueue,
    caseView: createCaseView({ procedures, intents, recognizer }),
    cannedReplies,
    notices,
    outage,
    intentIds: intents.map((i) => i.id),
    close: async () => {
      handoffQueue.stop()
      outage.stop()
      stopRetention()
      await stopListening()
      await stores.close()
    },
  }
}
