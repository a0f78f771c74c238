import type { ServiceNotice, ServiceNotices, TrainingSuggestion, TrainingSuggestions } from '../../core/ports.js'
import { statementCache, type Db } from './database.js'

interface NoticeRow {
  text: string
  set_by: string
  set_at: number
  expires_at: number
}

/** The service notice in the SQLite file: one row, replaced. Read outside the write batch (agents set it rarely). */
export class SqliteServiceNotices implements ServiceNotices {
  private readonly sql: ReturnType<typeof statementCache>

  constructor(db: Db) {
    this.sql = statementCache(db)
  }

  async set(n: ServiceNotice): Promise<void> {
    this.sql<[string, string, number, number]>('INSERT OR REPLACE INTO service_notice (id, text, set_by, set_at, expires_at) VALUES (1, ?, ?, ?, ?)').run(
      n.text,
      n.setBy,
      n.setAt,
      n.expiresAt,
    )
  }

  async current(now: number): Promise<ServiceNotice | undefined> {
    const row = this.sql<[number], NoticeRow>('SELECT text, set_by, set_at, expires_at FROM service_notice WHERE id = 1 AND expires_at > ?').get(now)
    return row && { text: row.text, setBy: row.set_by, setAt: row.set_at, expiresAt: row.expires_at }
  }

  async clear(): Promise<void> {
    this.sql('DELETE FROM service_notice').run()
  }
}

interface SuggestionRow {
  id: number
  at: number
  text: string
  intent_id: string
  source: TrainingSuggestion['source']
  suggested_by: string
}
const suggestionOf = (r: SuggestionRow): TrainingSuggestion => ({ id: r.id, at: r.at, text: r.text, intentId: r.intent_id, source: r.source, suggestedBy: r.suggested_by })

/** Proposed training utterances in the SQLite file. */
export class SqliteTrainingSuggestions implements TrainingSuggestions {
  private readonly sql: ReturnType<typeof statementCache>

  constructor(db: Db) {
    this.sql = statementCache(db)
  }

  async add(s: Omit<TrainingSuggestion, 'id'>): Promise<TrainingSuggestion> {
    const row = this.sql<[number, string, string, string, string], SuggestionRow>(
      'INSERT INTO training_suggestions (at, text, intent_id, source, suggested_by) VALUES (?, ?, ?, ?, ?) RETURNING *',
    ).get(s.at, s.text, s.intentId, s.source, s.suggestedBy)!
    return suggestionOf(row)
  }

  async list(): Promise<TrainingSuggestion[]> {
    return this.sql<[], SuggestionRow>('SELECT * FROM training_suggestions ORDER BY id').all().map(suggestionOf)
  }

  async delete(id: number): Promise<boolean> {
    return this.sql<[number]>('DELETE FROM training_suggestions WHERE id = ?').run(id).changes > 0
  }

  async deleteBefore(before: number): Promise<number> {
    return this.sql<[number]>('DELETE FROM training_suggestions WHERE at < ?').run(before).changes
  }
}
