import type { AgentSessions } from '../../core/ports.js'
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

  async signedIn(now = Date.now()): Promise<string[]> {
    return this.sql<[number], { username: string }>('SELECT DISTINCT username FROM agent_sessions WHERE expires_at >= ? ORDER BY username')
      .all(now)
      .map((r) => r.username)
  }
}
