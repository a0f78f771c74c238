import type { AnalyticsEvents, StoredAnalyticsEvent } from '../../core/ports.js'
import type { Pg } from './database.js'

/** Analytics events in PostgreSQL; inside a turn they join its transaction (committed with its state, or not at all). */
export class PgAnalyticsEvents implements AnalyticsEvents {
  constructor(private readonly db: Pg) {}

  async append(e: StoredAnalyticsEvent): Promise<void> {
    await this.db.query('INSERT INTO analytics_events (at, channel_id, conversation_id, kind, data) VALUES ($1, $2, $3, $4, $5)', [
      e.at,
      e.channelId,
      e.conversationId,
      e.kind,
      JSON.stringify(e.data),
    ])
  }

  async query(from: number, to: number): Promise<StoredAnalyticsEvent[]> {
    const rows = await this.db.query<{ at: string; channel_id: string; conversation_id: string; kind: string; data: Record<string, unknown> }>(
      'SELECT at, channel_id, conversation_id, kind, data FROM analytics_events WHERE at >= $1 AND at < $2 ORDER BY id',
      [from, to],
    )
    return rows.map((r) => ({ at: Number(r.at), channelId: r.channel_id, conversationId: r.conversation_id, kind: r.kind, data: r.data }))
  }

  async recognisedConversations(from: number, to: number): Promise<Map<string, number>> {
    const rows = await this.db.query<{ intent_id: string; n: string }>(
      `SELECT data->>'intentId' AS intent_id, COUNT(DISTINCT (channel_id, conversation_id)) AS n FROM analytics_events
       WHERE kind = 'intent.recognised' AND at >= $1 AND at < $2 AND (data->>'outOfScope')::boolean = false GROUP BY 1`,
      [from, to],
    )
    return new Map(rows.map((r) => [r.intent_id, Number(r.n)]))
  }

  async deleteBefore(before: number): Promise<{ events: number; transcripts: number }> {
    return this.db.transaction(async () => {
      const events = await this.db.query<{ n: string }>('WITH d AS (DELETE FROM analytics_events WHERE at < $1 RETURNING 1) SELECT COUNT(*) AS n FROM d', [before])
      const transcripts = await this.db.query<{ n: string }>(
        'WITH d AS (DELETE FROM transcripts WHERE at < $1 RETURNING 1) SELECT COUNT(*) AS n FROM d',
        [new Date(before).toISOString()],
      )
      return { events: Number(events[0]!.n), transcripts: Number(transcripts[0]!.n) }
    })
  }
}
