import type { RatingRequest, Ratings, StoredRating } from '../../core/ports.js'
import { toRating, type RatingRow } from '../rows.js'
import type { Pg } from './database.js'

/** Ratings in PostgreSQL; inside a turn they join its transaction. An answer is taken once (`score IS NULL` in the UPDATE). */
export class PgRatings implements Ratings {
  constructor(private readonly db: Pg) {}

  async ask(r: RatingRequest): Promise<void> {
    await this.db.query(
      'INSERT INTO ratings (id, channel_id, conversation_id, after, case_id, procedure_id, asked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [r.id, r.channelId, r.conversationId, r.after, r.caseId ?? null, r.procedureId ?? null, r.askedAt],
    )
  }

  async pending(channelId: string, conversationId: string, since: string): Promise<RatingRequest | undefined> {
    const [row] = await this.db.query<RatingRow>(
      'SELECT * FROM ratings WHERE channel_id = $1 AND conversation_id = $2 AND asked_at >= $3 AND score IS NULL ORDER BY asked_at DESC LIMIT 1',
      [channelId, conversationId, since],
    )
    return row ? toRating(row) : undefined
  }

  async rate(id: string, score: number, ratedAt: string, comment?: string): Promise<boolean> {
    const rows = await this.db.query('UPDATE ratings SET score = $2, rated_at = $3, comment = $4 WHERE id = $1 AND score IS NULL RETURNING id', [id, score, ratedAt, comment ?? null])
    return rows.length === 1
  }

  async comment(id: string, comment: string): Promise<boolean> {
    const rows = await this.db.query('UPDATE ratings SET comment = $2 WHERE id = $1 AND score IS NOT NULL AND comment IS NULL RETURNING id', [id, comment])
    return rows.length === 1
  }

  async forCase(caseId: string): Promise<StoredRating[]> {
    return (await this.db.query<RatingRow>('SELECT * FROM ratings WHERE case_id = $1 AND score IS NOT NULL ORDER BY asked_at', [caseId])).map(toRating)
  }

  async forConversation(channelId: string, conversationId: string): Promise<StoredRating[]> {
    const rows = await this.db.query<RatingRow>('SELECT * FROM ratings WHERE channel_id = $1 AND conversation_id = $2 ORDER BY asked_at', [channelId, conversationId])
    return rows.map(toRating)
  }

  async deleteBefore(before: number): Promise<number> {
    const [row] = await this.db.query<{ n: string }>('WITH d AS (DELETE FROM ratings WHERE asked_at < $1 RETURNING 1) SELECT COUNT(*) AS n FROM d', [new Date(before).toISOString()])
    return Number(row!.n)
  }
}
