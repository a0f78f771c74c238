import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import type { Storage, StoreItems } from 'botbuilder'

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

/** botbuilder Storage on SQLite, with MemoryStorage's optimistic concurrency (eTag). */
export class SqliteStorage implements Storage {
  private readonly select: Database.Statement<[string], { doc: string; etag: string }>
  private readonly upsert: Database.Statement<[string, string, string, string]>
  private readonly remove: Database.Statement<[string]>

  constructor(private readonly db: Db) {
    this.select = db.prepare('SELECT doc, etag FROM state WHERE key = ?')
    this.upsert = db.prepare(
      'INSERT INTO state (key, doc, etag, updated_at) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET doc = excluded.doc, etag = excluded.etag, updated_at = excluded.updated_at',
    )
    this.remove = db.prepare('DELETE FROM state WHERE key = ?')
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {}
    for (const key of keys) {
      const row = this.select.get(key)
      if (row) items[key] = { ...JSON.parse(row.doc), eTag: row.etag }
    }
    return items
  }

  async write(changes: StoreItems): Promise<void> {
    const now = new Date().toISOString()
    this.db.transaction(() => {
      for (const [key, item] of Object.entries(changes)) {
        const current = this.select.get(key)
        const eTag = (item as { eTag?: string }).eTag
        if (current && eTag && eTag !== '*' && eTag !== current.etag) {
          throw new Error(`Storage: error writing "${key}" due to eTag conflict.`)
        }
        const { eTag: _ignored, ...doc } = item as Record<string, unknown>
        this.upsert.run(key, JSON.stringify(doc), randomBytes(8).toString('hex'), now)
      }
    })()
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.remove.run(key)
  }
}

/** A setting kept in the database, created once with `create()` (e.g. the token signing secret). */
export function persistentSetting(db: Db, key: string, create: () => string): string {
  db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, create())
  return db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key)!.value
}
