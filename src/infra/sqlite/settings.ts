import type { Settings } from '../../core/ports.js'
import type { Db } from './database.js'

/** Settings in the SQLite file. */
export class SqliteSettings implements Settings {
  constructor(private readonly db: Db) {}

  async getOrCreate(key: string, create: () => string): Promise<string> {
    this.db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, create())
    return this.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key)!.value
  }
}
