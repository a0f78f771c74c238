import type { ServiceNotice, ServiceNotices, TrainingSuggestion, TrainingSuggestions } from '../../core/ports.js'
import type { Pg } from './database.js'

/** The service notice in PostgreSQL: one row, replaced, so every instance shows the same one. */
export class PgServiceNotices implements ServiceNotices {
  constructor(private readonly db: Pg) {}

  async set(n: ServiceNotice): Promise<void> {
    await this.db.query(
      `INSERT INTO service_notice (id, text, set_by, set_at, expires_at) VALUES (1, $1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET text = EXCLUDED.text, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at, expires_at = EXCLUDED.expires_at`,
      [n.text, n.setBy, n.setAt, n.expiresAt],
    )
  }

  async current(now: number): Promise<ServiceNotice | undefined> {
    const [row] = await this.db.query<{ text: string; set_by: string; set_at: string; expires_at: string }>(
      'SELECT text, set_by, set_at, expires_at FROM service_notice WHERE id = 1 AND expires_at > $1',
      [now],
    )
    return row && { text: row.text, setBy: row.set_by, setAt: Number(row.set_at), expiresAt: Number(row.expires_at) }
  }

  async clear(): Promise<void> {
    await this.db.query('DELETE FROM service_notice')
  }
}

interface SuggestionRow {
  id: string
  at: string
  text: string
  intent_id: string
  source: TrainingSuggestion['source']
  suggested_by: string
}
const suggestionOf = (r: SuggestionRow): TrainingSuggestion => ({
  id: Number(r.id),
  at: Number(r.at),
  text: r.text,
  intentId: r.intent_id,
  source: r.source,
  suggestedBy: r.suggested_by,
})

/** Proposed training utterances in PostgreSQL. */
export class PgTrainingSuggestions implements TrainingSuggestions {
  constructor(private readonly db: Pg) {}

  async add(s: Omit<TrainingSuggestion, 'id'>): Promise<TrainingSuggestion> {
    const [row] = await this.db.query<SuggestionRow>(
      'INSERT INTO training_suggestions (at, text, intent_id, source, suggested_by) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [s.at, s.text, s.intentId, s.source, s.suggestedBy],
    )
    return suggestionOf(row!)
  }

  async list(): Promise<TrainingSuggestion[]> {
    return (await this.db.query<SuggestionRow>('SELECT * FROM training_suggestions ORDER BY id')).map(suggestionOf)
  }

  async delete(id: number): Promise<boolean> {
    return (await this.db.query<{ id: string }>('DELETE FROM training_suggestions WHERE id = $1 RETURNING id', [id])).length > 0
  }

  async deleteBefore(before: number): Promise<number> {
    return (await this.db.query<{ id: string }>('DELETE FROM training_suggestions WHERE at < $1 RETURNING id', [before])).length
  }
}
