import type { RatingRequest, Ratings, StoredRating } from '../../core/ports.js'
import { toRating, type RatingRow } from '../rows.js'
import { statementCache, type Db } from './database.js'

/** Ratings in the SQLite file: rare writes, so each is its own statement (no write batch). */
export class SqliteRatings implements Ratings {
  private readonly sql: ReturnType<typeof statementCache>

  constructor(db: Db) {
    this.sql = statementCache(db)
  }

  async ask(r: RatingRequest): Promise<void> {
    this.sql('INSERT INTO ratings (id, channel_id, conversation_id, after, case_id, procedure_id, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      r.id,
      r.channelId,
      r.conversationId,
      r.after,
      r.caseId ?? null,
      r.procedureId ?? null,
      r.askedAt,
    )
  }

  async pending(channelId: string, conversationId: string, since: string): Promise<RatingRequest | undefined> {
    const row = this.sql<[string, string, string], RatingRow>(
      'SELECT * FROM ratings WHERE channel_id = ? AND conversation_id = ? AND asked_at >= ? AND score IS NULL ORDER BY asked_at DESC LIMIT 1',
    ).get(channelId, conversationId, since)
    return row ? toRating(row) : undefined
  }

  async rate(id: string, score: number, ratedAt: string, comment?: string): Promise<boolean> {
    return this.sql('UPDATE ratings SET score = ?, rated_at = ?, comment = ? WHERE id = ? AND score IS NULL').run(score, ratedAt, comment ?? null, id).changes === 1
  }

  async comment(id: string, comment: string): Promise<boolean> {
    return this.sql('UPDATE ratings SET comment = ? WHERE id = ? AND score IS NOT NULL AND comment IS NULL').run(comment, id).changes === 1
  }

  async forCase(caseId: string): Promise<StoredRating[]> {
    return this.sql<[string], RatingRow>('SELECT * FROM ratings WHERE case_id = ? AND score IS NOT NULL ORDER BY asked_at').all(caseId).map(toRating)
  }

  async forConversation(channelId: string, conversationId: string): Promise<StoredRating[]> {
    return this.sql<[string, string], RatingRow>('SELECT * FROM ratings WHERE channel_id = ? AND conversation_id = ? ORDER BY asked_at')
      .all(channelId, conversationId)
      .map(toRating)
  }

  async deleteBefore(before: number): Promise<number> {
    return this.sql<[string]>('DELETE FROM ratings WHERE asked_at < ?').run(new Date(before).toISOString()).changes // ISO times sort as text
  }
}
