import { readFileSync } from 'node:fs'
import { ConversationState, TranscriptLoggerMiddleware, type Middleware } from 'botbuilder'
import { intents } from '../intents/index.js'
import { createHelpDeskState } from '../dialogs/helpDeskState.js'
import { MainDialog } from '../dialogs/mainDialog.js'
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
import { openDatabase, SqliteConversationState, SqliteStorage, WriteBatch, type Db } from './database.js'
import { HandoffService } from './handoff/service.js'
import { HandoffStore } from './handoff/store.js'
import { SqliteTranscriptStore } from './handoff/transcripts.js'
import { teamsBehaviour } from './teams/teamsMiddleware.js'

export const SEED_PATH = 'knowledge/seed/cac-ako-help.txt'

/**
 * botbuilder's TranscriptLoggerMiddleware, for turns that have a user: it fails on activities without `from`, such
 * as the event a proactive "create conversation" turn starts with (announcing a case in the Teams agents' channel).
 */
function transcriptLogging(store: SqliteTranscriptStore): Middleware {
  const inner = new TranscriptLoggerMiddleware(store)
  return { onTurn: (context, next) => (context.activity.from ? inner.onTurn(context, next) : next()) }
}

/** Everything one bot needs, whichever adapter (HTTP or terminal) drives it. */
export interface HelpDesk {
  bot: HelpDeskBot
  conversationState: ConversationState
  middlewares: Middleware[]
  db: Db
  /** The database's write batch: one transaction per event-loop turn for state, activities and transcripts. */
  writes: WriteBatch
  handoffQueue: HandoffService
  /** Titles and readable names for what agents see of a case. */
  caseView: CaseView
  close(): void
}

/** Wires knowledge, recognizer, dialogs, state and the database together. Reads no environment. */
export function createHelpDesk(config: Config, logger: Logger): HelpDesk {
  const started = performance.now()
  const procedures = loadProcedures(config.KNOWLEDGE_DIR, { seedText: readFileSync(SEED_PATH, 'utf8') })
  checkIntents(intents, procedures)
  const recognizer = boundRecognizer(createRecognizer(intents, { minScore: config.RECOGNIZER_MIN_SCORE, procedures }), config.RECOGNIZER_MAX_CHARS)
  const db = openDatabase(config.DATA_DIR)
  const writes = new WriteBatch(db, (err) => logger.error({ err }, 'database write failed'))
  const storage = new SqliteStorage(db, writes)
  const conversationState = new SqliteConversationState(storage)
  const state = createHelpDeskState(conversationState)
  const transcripts = new SqliteTranscriptStore(db, writes)
  const handoffQueue = new HandoffService(
    new HandoffStore(db),
    transcripts,
    config.AGENT_ACCOUNTS,
    { waitSeconds: config.HANDOFF_WAIT_SECONDS, hours: config.HANDOFF_HOURS, timeZone: config.HANDOFF_TIMEZONE },
    logger,
  )
  const mainDialog = new MainDialog({
    recognizer,
    intents,
    procedures,
    procedureDialog: new ProcedureDialog(procedures, state, config.MAX_REPROMPTS),
    state,
    handoffQueue,
    thresholds: thresholdsFrom(config),
    maxReprompts: config.MAX_REPROMPTS,
  })
  logger.info(
    { procedures: procedures.size, intents: intents.length, ms: Math.round(performance.now() - started) },
    'help desk ready',
  )
  return {
    bot: new HelpDeskBot(conversationState, state, mainDialog, handoffQueue),
    conversationState,
    // Teams first (a channel message not addressed to us is dropped untouched); the turn's logger (ids only) so the
    // redaction's own event is logged; then redaction: nothing after it, transcripts included, ever sees a secret;
    // the warning after the transcript logger, so the transcript has it.
    middlewares: [
      teamsBehaviour(),
      turnLogging(logger),
      secretRedaction({ lastAsked: new LastAskedState(storage) }),
      transcriptLogging(transcripts),
      secretWarning(),
    ],
    db,
    writes,
    handoffQueue,
    caseView: createCaseView({ procedures, intents, recognizer }),
    close: () => {
      handoffQueue.stop()
      writes.flush()
      db.close()
    },
  }
}
