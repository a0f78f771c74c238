import type { ConsoleEventLog } from '../../core/ports.js'
import { CONSOLE_EVENTS_KEPT_MS } from '../rows.js'
import { statementCache, type Db } from './database.js'

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
