import type { Logger } from '../../core/logger.js'
import type { Stores } from '../../core/ports.js'
import { createMemoryConversationLock } from '../memory/conversationLock.js'
import { createMemoryEventBus } from '../memory/eventBus.js'
import { createLimiters } from '../../limits.js'
import { SqliteActivityLog } from './activityLog.js'
import { SqliteAnalyticsEvents } from './analyticsEvents.js'
import { SqliteAgentSessions } from './agentSessions.js'
import { SqliteConsoleEvents } from './consoleEvents.js'
import { openDatabase, WriteBatch } from './database.js'
import { SqliteHandoffCases } from './handoffCases.js'
import { SqliteRatings } from './ratings.js'
import { SqliteServiceNotices, SqliteTrainingSuggestions } from './reviewStores.js'
import { SqliteSettings } from './settings.js'
import { SqliteStateStore } from './stateStore.js'
import { SqliteTranscriptLog } from './transcriptLog.js'

/**
 * Every store on the embedded SQLite file in `dataDir`, with an in-process bus and lock: one instance. State,
 * Direct Line activities and transcripts share one write batch (one transaction per event-loop turn).
 */
export function openSqliteStores(dataDir: string, logger: Logger): Stores {
  const db = openDatabase(dataDir)
  const batch = new WriteBatch(db, (err) => logger.error({ err }, 'database write failed'))
  return {
    engine: 'sqlite',
    state: new SqliteStateStore(db, batch),
    activities: new SqliteActivityLog(db, batch),
    transcripts: new SqliteTranscriptLog(db, batch),
    cases: new SqliteHandoffCases(db),
    sessions: new SqliteAgentSessions(db),
    settings: new SqliteSettings(db),
    bus: createMemoryEventBus(),
    lock: createMemoryConversationLock(),
    consoleEvents: new SqliteConsoleEvents(db),
    analytics: new SqliteAnalyticsEvents(db, batch),
    ratings: new SqliteRatings(db),
    notices: new SqliteServiceNotices(db),
    suggestions: new SqliteTrainingSuggestions(db),
    jobs: { claim: async () => true }, // one instance: it does every job
    limiter: createLimiters(),
    afterCommit: (then) => void batch.committed().then(then, () => {}),
    async health() {
      try {
        db.prepare('SELECT 1').get()
        return { database: { ok: true } }
      } catch (err) {
        return { database: { ok: false, error: (err as Error).message } }
      }
    },
    async close() {
      if (!db.open) return
      batch.flush()
      db.close()
    },
  }
}
