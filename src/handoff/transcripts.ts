import type { Activity, PagedResult, TranscriptInfo, TranscriptStore } from 'botbuilder'
import { statementCache, type Db, type WriteBatch } from '../database.js'

const PAGE = 500

/**
 * Every conversation's transcript, in the database. Fed by botbuilder's TranscriptLoggerMiddleware, which runs after
 * the redaction middleware, so what is stored is already redacted. Typing and trace activities are not kept.
 */
export class SqliteTranscriptStore implements TranscriptStore {
  private readonly insert
  private readonly select
  private pending: [string, string, string, string][] = []

  private readonly sql: ReturnType<typeof statementCache>

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

  async logActivity(activity: Activity): Promise<void> {
    if (activity.type === 'typing' || activity.type === 'trace') return
    const at = (activity.timestamp ? new Date(activity.timestamp) : new Date()).toISOString()
    this.pending.push([activity.channelId, activity.conversation.id, JSON.stringify(activity), at])
    void this.batch.schedule().catch(() => {}) // a failed batch is logged by the batch
  }

  async getTranscriptActivities(channelId: string, conversationId: string, continuationToken?: string): Promise<PagedResult<Activity>> {
    this.batch.flush() // a reader sees everything logged before it asked
    const rows = this.select.all(channelId, conversationId, Number(continuationToken ?? 0) || 0, PAGE)
    return {
      items: rows.map((r) => JSON.parse(r.activity) as Activity),
      continuationToken: rows.length === PAGE ? String(rows.at(-1)!.id) : '',
    }
  }

  /** The whole transcript, oldest first. */
  async all(channelId: string, conversationId: string): Promise<Activity[]> {
    const activities: Activity[] = []
    let token: string | undefined
    do {
      const page = await this.getTranscriptActivities(channelId, conversationId, token)
      activities.push(...page.items)
      token = page.continuationToken || undefined
    } while (token)
    return activities
  }

  async listTranscripts(channelId: string): Promise<PagedResult<TranscriptInfo>> {
    this.batch.flush() // a reader sees everything logged before it asked
    const rows = this.sql<[string], { conversation_id: string; created: string }>(
      'SELECT conversation_id, MIN(at) AS created FROM transcripts WHERE channel_id = ? GROUP BY conversation_id',
    ).all(channelId)
    return { items: rows.map((r) => ({ channelId, id: r.conversation_id, created: new Date(r.created) })), continuationToken: '' }
  }

  /** The most recent conversations of every channel, newest first, with when they started and last spoke. */
  recent(limit = 50): { channelId: string; conversationId: string; started: string; last: string; activities: number }[] {
    this.batch.flush() // a reader sees everything logged before it asked
    return this.sql<[number], { channel_id: string; conversation_id: string; started: string; last: string; n: number }>(
      'SELECT channel_id, conversation_id, MIN(at) AS started, MAX(at) AS last, COUNT(*) AS n FROM transcripts ' +
        'GROUP BY channel_id, conversation_id ORDER BY MAX(id) DESC LIMIT ?',
    )
      .all(limit)
      .map((r) => ({ channelId: r.channel_id, conversationId: r.conversation_id, started: r.started, last: r.last, activities: r.n }))
  }

  async deleteTranscript(channelId: string, conversationId: string): Promise<void> {
    this.batch.flush() // queued rows of this conversation must not land after the delete
    this.sql('DELETE FROM transcripts WHERE channel_id = ? AND conversation_id = ?').run(channelId, conversationId)
  }
}
