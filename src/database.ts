import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { ConversationState, type Storage, type StoreItems, type TurnContext } from 'botbuilder'

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

let etagCounter = 0
/** A new eTag: unique within the database file (time and a counter; no randomness needed). */
const nextETag = () => `${Date.now().toString(36)}-${(etagCounter++).toString(36)}`

/** botbuilder Storage on SQLite, with MemoryStorage's optimistic concurrency (eTag). */
export class SqliteStorage implements Storage {
  private readonly select: Database.Statement<[string], { doc: string; etag: string }>
  private readonly upsert: Database.Statement<[string, string, string, string]>
  private readonly remove: Database.Statement<[string]>
  private readonly writeAll: (changes: StoreItems) => void
  /** State documents saved this event-loop turn and not yet written (key → JSON). */
  private readonly pending = new Map<string, string>()

  constructor(
    db: Db,
    private readonly batch: WriteBatch,
  ) {
    this.select = db.prepare('SELECT doc, etag FROM state WHERE key = ?')
    this.upsert = db.prepare(
      'INSERT INTO state (key, doc, etag, updated_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET doc = excluded.doc, etag = excluded.etag, updated_at = excluded.updated_at',
    )
    this.remove = db.prepare('DELETE FROM state WHERE key = ?')
    batch.add({
      write: () => {
        const rows = [...this.pending]
        this.pending.clear() // taken out first: a batch that fails must not fail every batch after it
        const now = new Date().toISOString()
        for (const [key, json] of rows) this.upsert.run(key, json, nextETag(), now)
      },
    })
    this.writeAll = db.transaction((changes: StoreItems) => {
      const now = new Date().toISOString()
      for (const [key, item] of Object.entries(changes)) {
        const current = this.select.get(key)
        const eTag = (item as { eTag?: string }).eTag
        if (current && eTag && eTag !== '*' && eTag !== current.etag) {
          throw new Error(`Storage: error writing "${key}" due to eTag conflict.`)
        }
        const { eTag: _ignored, ...doc } = item as Record<string, unknown>
        this.upsert.run(key, JSON.stringify(doc), nextETag(), now)
      }
    })
  }

  /** The stored JSON of one key, as written (no eTag in it). */
  readJson(key: string): string | undefined {
    return this.pending.get(key) ?? this.select.get(key)?.doc
  }

  /**
   * Stores a JSON document under a key, whatever its eTag (last writer wins, as botbuilder's BotState writes).
   * Resolves once it is in the database.
   */
  async writeJson(key: string, json: string): Promise<void> {
    this.pending.set(key, json)
    await this.batch.schedule()
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (this.pending.size > 0) this.batch.flush() // eTags are the database's: read after the queued writes
    const items: StoreItems = {}
    for (const key of keys) {
      const row = this.select.get(key)
      if (row) items[key] = { ...JSON.parse(row.doc), eTag: row.etag }
    }
    return items
  }

  async write(changes: StoreItems): Promise<void> {
    if (this.pending.size > 0) this.batch.flush() // a queued older document must not land after this one
    this.writeAll(changes)
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      this.pending.delete(key)
      this.remove.run(key)
    }
  }
}

interface CachedState {
  state: Record<string, unknown>
  hash: string
}

/**
 * ConversationState on SQLite that notices changes by comparing the state's JSON with what was read. botbuilder's
 * BotState hashes the state (a JSON string with a replacer, then SHA-256) on load, before saving and after saving,
 * and the storage serialises it once more: four passes a turn where one will do. Same cache slot in turn state, so
 * clear(), get() and the property accessors behave as in botbuilder.
 */
export class SqliteConversationState extends ConversationState {
  constructor(private readonly sqlite: SqliteStorage) {
    super(sqlite)
  }

  /** BotState's turn-state slot (private in its typings, the same symbol at run time). */
  private get slot(): symbol {
    return (this as unknown as { stateKey: symbol }).stateKey
  }

  /** ConversationState's key; it throws for an activity without a channel or conversation id. */
  private keyOf(context: TurnContext): string {
    return this.getStorageKey(context)!
  }

  override async load(context: TurnContext, force = false): Promise<any> {
    const cached = context.turnState.get(this.slot) as CachedState | undefined
    if (!force && cached?.state) return cached.state
    const json = this.sqlite.readJson(this.keyOf(context))
    const state = json ? (JSON.parse(json) as Record<string, unknown>) : {}
    context.turnState.set(this.slot, { state, hash: json ?? '{}' } satisfies CachedState)
    return state
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    let cached = context.turnState.get(this.slot) as CachedState | undefined
    if (!cached && !force) return
    cached ??= { state: {}, hash: '' }
    const { eTag: _ignored, ...rest } = cached.state
    const json = JSON.stringify(rest)
    if (!force && json === cached.hash) return
    await this.sqlite.writeJson(this.keyOf(context), json)
    context.turnState.set(this.slot, { state: cached.state, hash: json } satisfies CachedState)
  }
}

/** A setting kept in the database, created once with `create()` (e.g. the token signing secret). */
export function persistentSetting(db: Db, key: string, create: () => string): string {
  db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, create())
  return db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key)!.value
}
