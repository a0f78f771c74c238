import type { AnalyticsEvents, StoredAnalyticsEvent } from '../../core/ports.js'
import { statementCache, type Db, type WriteBatch } from './database.js'

/** Analytics events in the SQLite file; appending joins the turn's write batch, readers flush it first. */
export class SqliteAnalyticsEvents implements AnalyticsEvents {
  private pending: [number, string, string, string, string][] = []
  private readonly sql: ReturnType<typeof statementCache>

  constructor(
    db: Db,
    private readonly batch: WriteBatch,
  ) {
    this.sql = statementCache(db)
    const insert = db.prepare<[number, string, string, string, string]>(
      'INSERT INTO analytics_events (at, channel_id, conversation_id, kind, data) VALUES (?, ?, ?, ?, ?)',
    )
    batch.add({
      write: () => {
        const rows = this.pending
        this.pending = [] // taken out first, as the batch asks
        for (const row of rows) insert.run(...row)
      },
    })
  }

  async append(e: StoredAnalyticsEvent): Promise<void> {
    this.pending.push([e.at, e.channelId, e.conversationId, e.kind, JSON.stringify(e.data)])
    await this.batch.schedule()
  }

  async query(from: number, to: number): Promise<StoredAnalyticsEvent[]> {
    this.batch.flush()
    return this.sql<[number, number], { at: number; channel_id: string; conversation_id: string; kind: string; data: string }>(
      'SELECT at, channel_id, conversation_id, kind, data FROM analytics_events WHERE at >= ? AND at < ? ORDER BY id',
    )
      .all(from, to)
      .map((r) => ({ at: r.at, channelId: r.channel_id, conversationId: r.conversation_id, kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown> }))
  }

  async recognisedConversations(from: number, to: number): Promise<Map<string, number>> {
    this.batch.flush()
    const rows = this.sql<[number, number], { intent_id: string; n: number }>(
      `SELECT json_extract(data, '$.intentId') AS intent_id, COUNT(DISTINCT channel_id || '|' || conversation_id) AS n FROM analytics_events
       WHERE kind = 'intent.recognised' AND at >= ? AND at < ? AND json_extract(data, '$.outOfScope') = 0 GROUP BY 1`,
    ).all(from, to)
    return new Map(rows.map((r) => [r.intent_id, r.n]))
  }

  async deleteBefore(before: number): Promise<{ events: number; transcripts: number }> {
    this.batch.flush()
    const events = this.sql<[number]>('DELETE FROM analytics_events WHERE at < ?').run(before).changes
    // Transcripts keep ISO times, which sort as text.
    const transcripts = this.sql<[string]>('DELETE FROM transcripts WHERE at < ?').run(new Date(before).toISOString()).changes
    return { events, transcripts }
  }
}
