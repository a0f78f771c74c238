import type { AgentSessions, ConsoleEventLog, Settings } from '../../core/ports.js'
import { CONSOLE_EVENTS_KEPT_MS } from '../rows.js'
import { statementCache, type Db } from './database.js'

/** Agents' sessions in the SQLite file. */
export class SqliteAgentSessions implements AgentSessions {
  private readonly sql: ReturnType<typeof statementCache>

  constructor(db: Db) {
    this.sql = statementCache(db)
  }

  async create(id: string, username: string, expiresAt: number): Promise<void> {
    this.sql('INSERT INTO agent_sessions (id, username, expires_at) VALUES (?, ?, ?)').run(id, username, expiresAt)
    this.sql('DELETE FROM agent_sessions WHERE expires_at < ?').run(Date.now())
  }

  async find(id: string, now = Date.now()): Promise<{ username: string; expiresAt: number } | undefined> {
    const row = this.sql<[string], { username: string; expires_at: number }>('SELECT username, expires_at FROM agent_sessions WHERE id = ?').get(id)
    return row && row.expires_at >= now ? { username: row.username, expiresAt: row.expires_at } : undefined
  }

  async delete(id: string): Promise<void> {
    this.sql('DELETE FROM agent_sessions WHERE id = ?').run(id)
  }
}

/** Settings in the SQLite file. */
export class SqliteSettings implements Settings {
  constructor(private readonly db: Db) {}

  async getOrCreate(key: string, create: () => string): Promise<string> {
    this.db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, create())
    return this.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key)!.value
  }
}

/** The agent console's events in the SQLite file. */
export class SqliteConsoleEvents implements ConsoleEventLog {
  private readonly sql: ReturnType<typeof statementCache>
  private appended = 0

  constructor(db: Db) {
    this.sql = statementCache(db)
  }

  async append(event: string, data: string): Promise<number> {
    if (++this.appended % 100 === 0) this.sql('DELETE FROM console_events WHERE at < ?').run(Date.now() - CONSOLE_EVENTS_KEPT_MS)
    return Number(this.sql('INSERT INTO console_events (event, data, at) VALUES (?, ?, ?)').run(event, data, Date.now()).lastInsertRowid)
  }

  async after(id: number, limit = 500): Promise<{ id: number; event: string; data: string }[]> {
    return this.sql<[number, number], { id: number; event: string; data: string }>('SELECT id, event, data FROM console_events WHERE id > ? ORDER BY id LIMIT ?').all(id, limit)
  }
}
