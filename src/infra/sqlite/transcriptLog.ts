import type { ActivityJson, RecentConversation, TranscriptLog } from '../../core/ports.js'
import { statementCache, type Db, type WriteBatch } from './database.js'

/** Transcripts in the SQLite file; logging joins the write batch, readers flush it first. */
export class SqliteTranscriptLog implements TranscriptLog {
  private pending: [string, string, string, string][] = []
  private readonly sql: ReturnType<typeof statementCache>
  private readonly insert
  private readonly select

  constructor(
    db: Db,
    private readonly batch: WriteBatch,
  ) {
    this.sql = statementCache(db)
    this.insert = db.prepare<[string, string, string, string]>(
      'INSERT INTO transcripts (channel_id, conversation_id, activity, at) VALUES (?, ?, ?, ?)',
    )
    this.select = db.prepare<[string, string, number, number], { id: number; activity: string }>(
      'SELECT id, activity FROM transcripts WHERE channel_id = ? AND conversation_id = ? AND id > ? ORDER BY id LIMIT ?',
    )
    batch.add({
      write: () => {
        const rows = this.pending
        this.pending = [] // taken out first, as the batch asks
        for (const row of rows) this.insert.run(...row)
      },
    })
  }

  async log({ channelId, conversationId, at, activity }: { channelId: string; conversationId: string; at: string; activity: object }): Promise<void> {
    this.pending.push([channelId, conversationId, JSON.stringify(activity), at])
    void this.batch.schedule().catch(() => {}) // a failed batch is logged by the batch
  }

  async page(channelId: string, conversationId: string, cursor: number, limit: number): Promise<{ activities: ActivityJson[]; cursor: number }> {
    this.batch.flush() // a reader sees everything logged before it asked
    const rows = this.select.all(channelId, conversationId, cursor, limit)
    return { activities: rows.map((r) => JSON.parse(r.activity) as ActivityJson), cursor: rows.at(-1)?.id ?? cursor }
  }

  async conversations(channelId: string): Promise<{ conversationId: string; created: string }[]> {
    this.batch.flush()
    return this.sql<[string], { conversation_id: string; created: string }>(
      'SELECT conversation_id, MIN(at) AS created FROM transcripts WHERE channel_id = ? GROUP BY conversation_id',
    )
      .all(channelId)
      .map((r) => ({ conversationId: r.conversation_id, created: r.created }))
  }

  async recent(limit: number): Promise<RecentConversation[]> {
    this.batch.flush()
    return this.sql<[number], { channel_id: string; conversation_id: string; started: string; last: string; n: number }>(
      'SELECT channel_id, conversation_id, MIN(at) AS started, MAX(at) AS last, COUNT(*) AS n FROM transcripts ' +
        'GROUP BY channel_id, conversation_id ORDER BY MAX(id) DESC LIMIT ?',
    )
      .all(limit)
      .map((r) => ({ channelId: r.channel_id, conversationId: r.conversation_id, started: r.started, last: r.last, activities: r.n }))
  }

  async delete(channelId: string, conversationId: string): Promise<void> {
    this.batch.flush() // queued rows of this conversation must not land after the delete
    this.sql('DELETE FROM transcripts WHERE channel_id = ? AND conversation_id = ?').run(channelId, conversationId)
  }
}
