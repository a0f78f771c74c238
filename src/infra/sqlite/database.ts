import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'

export type Db = Database.Database

const MIGRATIONS = [
  `CREATE TABLE state (key TEXT PRIMARY KEY, doc TEXT NOT NULL, etag TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE handoff_requests (
     id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, channel_id TEXT NOT NULL, reason TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'waiting', packet TEXT NOT NULL, created_at TEXT NOT NULL)`,
  `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE dl_conversations (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at TEXT NOT NULL)`,
  `CREATE TABLE dl_activities (
     conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, activity TEXT NOT NULL, created_at TEXT NOT NULL,
     PRIMARY KEY (conversation_id, seq))`,
  `ALTER TABLE handoff_requests ADD COLUMN agent_id TEXT`,
  `ALTER TABLE handoff_requests ADD COLUMN reference TEXT`,
  `ALTER TABLE handoff_requests ADD COLUMN updated_at TEXT`,
  `CREATE INDEX handoff_by_conversation ON handoff_requests (channel_id, conversation_id, created_at)`,
  `CREATE TABLE transcripts (
     id INTEGER PRIMARY KEY AUTOINCREMENT, channel_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
     activity TEXT NOT NULL, at TEXT NOT NULL)`,
  `CREATE INDEX transcripts_by_conversation ON transcripts (channel_id, conversation_id, id)`,
  `CREATE TABLE agent_sessions (id TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
  `ALTER TABLE handoff_requests ADD COLUMN agents_thread TEXT`,
  `CREATE INDEX handoff_by_agents_thread ON handoff_requests (agents_thread)`,
  `ALTER TABLE state ADD COLUMN version INTEGER NOT NULL DEFAULT 1`,
  `ALTER TABLE dl_activities ADD COLUMN client_activity_id TEXT`,
  `CREATE INDEX dl_by_client_activity ON dl_activities (conversation_id, client_activity_id) WHERE client_activity_id IS NOT NULL`,
  `CREATE TABLE console_events (id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL)`,
  `CREATE TABLE analytics_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, channel_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
     kind TEXT NOT NULL, data TEXT NOT NULL)`,
  `CREATE INDEX analytics_events_by_time ON analytics_events (at)`,
  `CREATE INDEX transcripts_by_time ON transcripts (at)`,
  // Issue 13 (transfer, closing reasons, ratings).
  `ALTER TABLE handoff_requests ADD COLUMN closing_reason TEXT`,
  `CREATE TABLE ratings (
     id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, conversation_id TEXT NOT NULL, after TEXT NOT NULL,
     case_id TEXT, procedure_id TEXT, asked_at TEXT NOT NULL, score INTEGER, comment TEXT, rated_at TEXT)`,
  `CREATE INDEX ratings_by_conversation ON ratings (channel_id, conversation_id, asked_at)`,
  `CREATE INDEX ratings_by_case ON ratings (case_id) WHERE case_id IS NOT NULL`,
  // Cases findable and their history kept (issue 13): details JSON, a lower-cased search column, events.
  `ALTER TABLE handoff_requests ADD COLUMN details TEXT`,
  `ALTER TABLE handoff_requests ADD COLUMN search_text TEXT`,
  `UPDATE handoff_requests SET search_text = lower(id || ' ' || packet)`,
  `CREATE INDEX handoff_by_created ON handoff_requests (created_at)`,
  `CREATE INDEX handoff_by_status ON handoff_requests (status, created_at)`,
  `CREATE INDEX handoff_by_agent ON handoff_requests (agent_id, created_at)`,
  `CREATE TABLE case_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, agent_id TEXT,
     data TEXT NOT NULL)`,
  `CREATE INDEX case_events_by_case ON case_events (case_id, id)`,
  `CREATE INDEX analytics_events_by_kind ON analytics_events (kind, at)`,
  `CREATE TABLE service_notice (id INTEGER PRIMARY KEY CHECK (id = 1), text TEXT NOT NULL, set_by TEXT NOT NULL, set_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
  `CREATE TABLE training_suggestions (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, text TEXT NOT NULL, intent_id TEXT NOT NULL, source TEXT NOT NULL,
     suggested_by TEXT NOT NULL)`,
]

/** Opens (creating if needed) the embedded database file in `dataDir` and brings its schema up to date. */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'helpdesk.sqlite'))
  db.pragma('journal_mode = WAL') // readers never block the writer; a crash loses no committed turn
  db.pragma('busy_timeout = 5000')
  db.pragma('synchronous = NORMAL') // with WAL: durable across a process crash, fast enough for every turn
  const version = db.pragma('user_version', { simple: true }) as number
  db.transaction(() => {
    for (let i = version; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!)
    db.pragma(`user_version = ${MIGRATIONS.length}`)
  })()
  return db
}

/**
 * Prepares each SQL text once. better-sqlite3's prepare() costs about as much as running a small query, so
 * statements on a turn's path must not be prepared on every call.
 */
export function statementCache(db: Db): <P extends unknown[] = unknown[], R = unknown>(sql: string) => Database.Statement<P, R> {
  const cache = new Map<string, Database.Statement>()
  return <P extends unknown[], R>(sql: string) => {
    let statement = cache.get(sql)
    if (!statement) cache.set(sql, (statement = db.prepare(sql)))
    return statement as unknown as Database.Statement<P, R>
  }
}

/** A queue of rows that is written when the batch commits. */
export interface BatchPart {
  /**
   * Takes what is queued out of the queue and writes it (inside the batch's transaction); may return what to do
   * once it has committed. A failed batch is rolled back whole and its rows are not tried again: the turns that
   * wrote them fail, and the next batch is not held up by a row the database refuses.
   */
  write(): (() => void) | void
}

/**
 * Writes from all the turns of one event-loop turn in a single transaction: every commit costs a write to the
 * WAL, and a busy server runs many turns per tick. Conversation state, Direct Line activities and transcripts
 * all go through it; whoever must not go on before its rows are on disk awaits `committed()`.
 */
export class WriteBatch {
  private readonly parts: BatchPart[] = []
  private readonly commit: () => (() => void)[]
  private scheduled: Promise<void> | undefined
  private dirty = false

  constructor(db: Db, private readonly onError: (err: unknown) => void = () => {}) {
    this.commit = db.transaction(() => {
      const after: (() => void)[] = []
      for (const part of this.parts) {
        const then = part.write()
        if (then) after.push(then)
      }
      return after
    })
  }

  add(part: BatchPart): void {
    this.parts.push(part)
  }

  /** A part queued something: it is written at the end of this event-loop turn. Resolves once it is committed. */
  schedule(): Promise<void> {
    this.dirty = true
    if (!this.scheduled) {
      const scheduled = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          try {
            this.flush()
            resolve()
          } catch (err) {
            reject(err)
          }
        }),
      )
      scheduled.catch((err: unknown) => this.onError(err)) // logged here; the turns awaiting it fail on their own
      this.scheduled = scheduled
    }
    return this.scheduled
  }

  /** Resolves once everything queued so far is in the database. */
  committed(): Promise<void> {
    return this.scheduled ?? Promise.resolve()
  }

  /** Writes what is queued now (readers call it first, so they see every row queued before they asked). */
  flush(): void {
    this.scheduled = undefined
    if (!this.dirty) return
    this.dirty = false
    for (const then of this.commit()) then()
  }
}
